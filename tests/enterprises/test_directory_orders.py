"""Pages of a filtered listing read from the directory index's orders, without a query."""

from hypothesis import given
from hypothesis import strategies as st

from enterprises.directory_index import orders
from enterprises.directory_index.bitsets import bitset, members
from enterprises.directory_index.orders import Order

# Distinct ids in a shuffled order (a name order has nothing to do with ids), and a subset.
orders_and_subsets = st.lists(st.integers(0, 300), unique=True, max_size=60).flatmap(
    lambda ids: st.tuples(st.permutations(ids), st.sets(st.sampled_from(ids)) if ids
                          else st.just(set()))
)


@given(orders_and_subsets, st.integers(0, 70), st.integers(0, 70), st.booleans())
def test_a_page_of_a_filtered_order_is_the_filtered_order_sliced(
    order_and_subset, start, size, narrow
):
    ids, kept = order_and_subset
    expected = [pk for pk in ids if pk in kept]
    # Both ways of reading a page: walking the order, or sorting the kept ids by position.
    limit = 0 if narrow else 10**9
    original = orders.WALK_LIMIT, orders.WALK_PER_RESULT
    orders.WALK_LIMIT, orders.WALK_PER_RESULT = limit, 0
    try:
        page = Order(ids).among(bitset(kept), len(kept))[start : start + size]
    finally:
        orders.WALK_LIMIT, orders.WALK_PER_RESULT = original
    assert page == expected[start : start + size]


def test_one_result_is_read_by_its_position():
    results = Order([5, 3, 9, 1]).among(bitset([9, 1, 5]), 3)

    assert (results[0], results[-1], len(results)) == (5, 1, 3)


@given(st.sets(st.integers(0, 2_000)))
def test_members_are_the_bits_set(ids):
    assert members(bitset(ids)) == sorted(ids)


def test_an_enterprise_published_after_its_order_was_read_comes_last(monkeypatch):
    # The filtered ids sorted by their position.
    monkeypatch.setattr(orders, "WALK_LIMIT", 0)
    monkeypatch.setattr(orders, "WALK_PER_RESULT", 0)
    order = Order([5, 3], published=bitset([3, 5, 9]))

    assert order.among(bitset([9, 3]), 2)[:] == [3, 9]
