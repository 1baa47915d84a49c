"""A search text's matching enterprises and their ranks, kept with the index.

Each ``DirectoryIndex`` holds the matches of the last ``TEXT_MATCHES_KEPT`` texts searched (a
bitset and the ids with their ranks); they go with the index when the directory changes.
"""

import threading
from array import array
from collections import OrderedDict
from dataclasses import dataclass

from .. import search
from .bitsets import bitset, positions_among

# At most 12.5 kB of bitset and 16 bytes an id (the id and its rank) a text, so some 22 MB if
# every one matched a tenth of 100 000 enterprises.
TEXT_MATCHES_KEPT = 128


@dataclass
class TextMatches:
    """The enterprises matching a search text, published or not: their ids in increasing
    order, and as a bitset; the relevance of each; and the last order asked for
    (``ranked``), as ``(bits, ids)``."""

    text: str
    ids: array
    bits: int
    ranks: array
    last: tuple = (None, None)

    @classmethod
    def of(cls, text, matches):
        """From ``search.matches(text)``, by increasing id."""
        ids = array("q", [pk for pk, _rank in matches])
        return cls(text, ids, bitset(ids), array("d", [rank for _pk, rank in matches]))

    def ranked(self, bits):
        """The matching ids whose bit is set in ``bits``, most relevant first (ties by id).

        A buyer who turns the pages of the same results reads the order the first page made.
        """
        last_bits, last_order = self.last
        if last_bits == bits:
            return last_order
        ids = self.ids
        positions = positions_among(bits, ids)
        # Stable, so equal ranks keep the ids' increasing order.
        positions.sort(key=self.ranks.__getitem__, reverse=True)
        order = [ids[n] for n in positions]
        self.last = (bits, order)
        return order


class RecentTextMatches:
    """The ``TextMatches`` of the texts searched last, least recently used dropped first.

    A buyer who searched a word then narrows it by region, legal form or page sends the same
    text again with each click: the full-text lookup runs once for it.
    """

    def __init__(self, size=TEXT_MATCHES_KEPT):
        self.size = size
        self._matches = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text):
        """``search.matches(text)`` as ``TextMatches``, None when the text has nothing to
        search."""
        key = " ".join(text.split()).casefold()
        with self._lock:
            if key in self._matches:
                self._matches.move_to_end(key)
                return self._matches[key]
        found = search.matches(text)
        matches = None if found is None else TextMatches.of(text, found)
        with self._lock:
            self._matches[key] = matches
            while len(self._matches) > self.size:
                self._matches.popitem(last=False)
        return matches
