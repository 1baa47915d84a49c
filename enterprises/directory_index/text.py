"""A search text's matching enterprises and their ranks, kept with the index.

Each ``DirectoryIndex`` holds the matches of the last ``TEXT_MATCHES_KEPT`` texts searched (a
bitset and the ids with their ranks, filled in as pages ask for them); they go with the index
when the directory changes.
"""

import math
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
    order, and as a bitset; the relevance of each, once ranked (NaN until then); and the
    last order asked for (``ranked``), as ``(bits, ids)``."""

    text: str
    ids: array
    bits: int
    ranks: array
    last: tuple = (None, None)

    @classmethod
    def of(cls, text, ids):
        ids = sorted(ids)
        return cls(text, array("q", ids), bitset(ids), array("d", [math.nan]) * len(ids))

    def ranked(self, bits):
        """The matching ids whose bit is set in ``bits``, most relevant first (ties by id).

        Only the ids never ranked before are ranked: a buyer who narrows a search by a facet
        reads the ranks the broader search already computed, and one who turns the pages of
        the same results reads the order the first page made. Threads may rank the same ids
        at once; they store the same values.
        """
        last_bits, last_order = self.last
        if last_bits == bits:
            return last_order
        ids, ranks = self.ids, self.ranks
        positions = positions_among(bits, ids)
        if missing := [n for n in positions if math.isnan(ranks[n])]:
            found = search.ranks(self.text, [ids[n] for n in missing])
            for n in missing:
                ranks[n] = found.get(ids[n], 0.0)
        # Stable, so equal ranks keep the ids' increasing order.
        positions.sort(key=ranks.__getitem__, reverse=True)
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
        """``search.matching_ids(text)`` as ``TextMatches``, None when the text has nothing
        to search."""
        key = " ".join(text.split()).casefold()
        with self._lock:
            if key in self._matches:
                self._matches.move_to_end(key)
                return self._matches[key]
        ids = search.matching_ids(text)
        matches = None if ids is None else TextMatches.of(text, ids)
        with self._lock:
            self._matches[key] = matches
            while len(self._matches) > self.size:
                self._matches.popitem(last=False)
        return matches
