"""The ids an import touched, kept as a bitmap: they read back as the set they were."""

from hypothesis import given
from hypothesis import strategies as st

from enterprises.imports.apply import IdSet


@given(st.lists(st.lists(st.integers(min_value=1, max_value=10**6), max_size=50), max_size=5))
def test_ids_read_back_sorted_and_once_whatever_the_order_they_came_in(batches):
    ids = IdSet()
    for batch in batches:
        ids.update(batch)

    expected = sorted(set().union(*batches)) if batches else []
    assert list(ids) == expected
    assert len(ids) == len(expected)
    assert bool(ids) == bool(expected)


def test_ids_spread_too_far_apart_fall_back_to_a_plain_set():
    ids = IdSet()
    ids.update([5, 2**40, 7, 5])

    assert list(ids) == [5, 7, 2**40]
    assert len(ids) == 3


def test_a_cleared_set_is_empty_and_takes_new_ids():
    ids = IdSet()
    ids.update([3, 9])
    ids.clear()
    ids.add(100)

    assert list(ids) == [100]
