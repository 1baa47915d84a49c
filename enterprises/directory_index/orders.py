"""The published directory's ids in each order the listing offers besides relevance, so that
a page of any filtered listing is read from memory, without a query.

With its cards kept rendered (``caching.rendered_cards``), a listing sorted by name or date
then reads no enterprise row at all, and a deep page costs no more than the first.
"""

from array import array
from collections.abc import Sequence

from .bitsets import first_among, members

# Reading a page by walking the order from its start tests each enterprise passed. Sorting the
# filtered set's own ids by their position in the order costs a scan of its bitset and then
# some per id: it is cheaper once the walk would pass more than WALK_LIMIT enterprises and
# WALK_PER_RESULT for each one the filter keeps (a narrow filter; crossovers measured in
# docs/performance.md).
WALK_LIMIT = 3_000
WALK_PER_RESULT = 3


class Order:
    """The published ids in one order (``ids``), and each id's position in it.

    ``published`` is the index's bitset: an order read after the index was built may lack an
    enterprise published since (until the next request builds the index again), which then
    sorts last instead of failing."""

    def __init__(self, ids, published=0):
        self.ids = array("q", ids)
        size = max(max(self.ids, default=-1) + 1, published.bit_length())
        self.position = array("l", [len(self.ids)]) * size
        for position, pk in enumerate(self.ids):
            self.position[pk] = position

    def among(self, bits, count):
        """The ids whose bit is set in ``bits`` (a subset of these, ``count`` of them)."""
        return OrderedIds(self, bits, count)


class OrderedIds(Sequence):
    """The ids of an ``Order`` kept by a filter's bitset, in that order; a slice is computed
    when asked for."""

    def __init__(self, order, bits, count):
        self.order = order
        self.bits = bits
        self.count = count
        self._all = None

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            position = range(self.count)[index]  # negative positions, and IndexError
            return self[position : position + 1][0]
        start, stop, step = index.indices(self.count)
        if stop <= start:
            return []
        passed = stop * len(self.order.ids) // self.count
        if self._all is None and passed <= WALK_LIMIT + WALK_PER_RESULT * self.count:
            return first_among(self.bits, self.order.ids, stop)[start:stop:step]
        return self.all()[start:stop:step]

    def all(self):
        if self._all is None:
            self._all = sorted(members(self.bits), key=self.order.position.__getitem__)
        return self._all
