"""Stage 5: find the enterprise a record describes — the same (network, record id) first
(or our own slug, for a file in the canonical format), then the NEQ, then the folded name with
the same postal code or city.

Several candidates make the match ambiguous: the row waits for a curator, never merged.
"""

import functools
from dataclasses import dataclass, field

from ..models import Enterprise, EnterpriseSource
from ..validators import fold
from .mapping import RECORD_ID


@dataclass
class Match:
    enterprise_id: int | None = None
    via: str = ""
    candidates: set = field(default_factory=set)

    @property
    def ambiguous(self):
        return len(self.candidates) > 1


def record_key(clean):
    """The network's id for the record, or a stable stand-in when the file has none."""
    if clean.get(RECORD_ID):
        return clean[RECORD_ID]
    if clean.get("neq"):
        return f"neq:{clean['neq']}"
    return f"name:{fold(clean.get('name', ''))}|{clean.get('postal_code', '')}"[:100]


class Matcher:
    """Indexes of the whole directory (a few columns per enterprise), loaded on the first row
    that needs matching: a re-import of known, unchanged rows never pays for them."""

    def __init__(self, network, by_slug=False):
        self.network = network
        self.use_slugs = by_slug
        self.loaded = False
        self.by_slug = {}
        self.by_neq = {}
        self.by_name_place = {}  # (folded name, postal code or folded city) → pk or tuple

    @functools.cached_property
    def by_record(self):
        return dict(
            EnterpriseSource.objects.filter(network=self.network)
            .values_list("external_id", "enterprise_id")
            .iterator(chunk_size=5000)
        )

    def load(self):
        self.loaded = True
        if self.use_slugs:
            self.by_slug = dict(
                Enterprise.objects.values_list("slug", "pk").iterator(chunk_size=5000)
            )
        rows = Enterprise.objects.values_list("pk", "neq", "name_folded", "postal_code", "city")
        for pk, neq, name_folded, postal_code, city in rows.iterator(chunk_size=5000):
            if neq:
                self.by_neq[neq] = pk
            if postal_code:
                self.index_place((name_folded, postal_code), pk)
            if city:
                self.index_place((name_folded, fold(city)), pk)

    def index_place(self, key, pk):
        """One int per key (most names are unique), a tuple when several share it."""
        found = self.by_name_place.get(key)
        if found is None:
            self.by_name_place[key] = pk
        elif isinstance(found, tuple):
            self.by_name_place[key] = (*found, pk)
        elif found != pk:
            self.by_name_place[key] = (found, pk)

    def place_candidates(self, key):
        found = self.by_name_place.get(key, ())
        return set(found) if isinstance(found, tuple) else {found}

    def match(self, clean):
        if not self.loaded:
            self.load()
        key = record_key(clean)
        by_record = self.by_record.get(key) or self.by_slug.get(key)
        by_neq = self.by_neq.get(clean.get("neq"))
        if by_record and by_neq and by_record != by_neq:
            return Match(candidates={by_record, by_neq})
        if by_record:
            return Match(by_record, "record")
        if by_neq:
            return Match(by_neq, "neq")
        name = fold(clean.get("name", ""))
        candidates = set()
        if name and clean.get("postal_code"):
            candidates |= self.place_candidates((name, clean["postal_code"]))
        if name and clean.get("city"):
            candidates |= self.place_candidates((name, fold(clean["city"])))
        if len(candidates) == 1:
            return Match(next(iter(candidates)), "name")
        return Match(candidates=candidates)
