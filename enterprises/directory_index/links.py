"""Each published enterprise's name, slug and region, found by id without a query.

Held with each ``DirectoryIndex`` (about 9 MB at 100 000 enterprises) and rebuilt with it, so
that the few enterprises an enterprise page suggests as neighbours cost no query.
"""

from array import array
from bisect import bisect_left
from dataclasses import dataclass
from typing import NamedTuple

from ..models import Region


class EnterpriseLink(NamedTuple):
    """What a link to an enterprise's page shows."""

    pk: int
    name: str
    slug: str
    region: Region | None


@dataclass(frozen=True)
class EnterpriseLinks:
    """Names and slugs as UTF-8 in one buffer, found by id through sorted arrays."""

    ids: array  # increasing
    region_ids: array
    offsets: array  # entry n is text[offsets[n]:offsets[n + 1]], "name\0slug"
    text: bytes

    @classmethod
    def of(cls, rows):
        """From (id, region id, name, slug) rows in increasing id."""
        ids, region_ids, offsets, entries, size = array("q"), array("q"), array("q", [0]), [], 0
        for pk, region_id, name, slug in rows:
            entry = f"{name}\0{slug}".encode()
            ids.append(pk)
            region_ids.append(region_id)
            entries.append(entry)
            size += len(entry)
            offsets.append(size)
        return cls(ids, region_ids, offsets, b"".join(entries))

    def get(self, pk, regions):
        """``EnterpriseLink`` of the published enterprise ``pk``, with its region among
        ``regions`` (``{id: Region}``), or None."""
        n = bisect_left(self.ids, pk)
        if n == len(self.ids) or self.ids[n] != pk:
            return None
        name, slug = self.text[self.offsets[n] : self.offsets[n + 1]].decode().split("\0")
        return EnterpriseLink(pk, name, slug, regions.get(self.region_ids[n]))
