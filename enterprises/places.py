"""Where an enterprise is, from the place names real files give.

Network and register exports name a municipality in many spellings (``Trois-Rivières``,
``TROIS-RIVIÈRES (QUÉBEC)``, ``St-Roch-de-Mékinac``), an MRC or territory (``Mékinac``,
``MRC des Chenaux``), or only a postal code; none gives a region code. ``PlaceResolver`` reads
the official lists (``Municipality``, ``Mrc``) once per import and answers each row from memory.

Decisions:

- A region given by the row (or the profile) wins. The municipality and MRC are kept only when
  they lie in that region: a municipality elsewhere would move the enterprise's region when it
  is saved (the region follows the municipality), so it is dropped and its text reported as
  ``unknown_city`` (it names no municipality of that region), which the import keeps in
  ``Enterprise.city`` with a warning.
- A name borne by several municipalities (a village and a parish, or namesakes in two regions)
  takes the one that agrees with the row's region, MRC or postal code, then the most populous,
  then the lowest geographic code: the same file always gives the same answer.
- A postal code gives a municipality only when it is the town hall postal code of exactly one
  municipality; an urban FSA (``G9A``) gives a region when every municipality known under it lies
  in that region. Rural FSAs (a ``0`` in second place, ``G0X``) cover many municipalities and the
  town hall list is only a sample of them, so they give nothing on their own.
"""

import functools
import re
from collections import defaultdict
from dataclasses import dataclass

from .models import Mrc, Municipality
from .validators import fold

# A trailing province, as register extracts write it: "TROIS-RIVIÈRES (QUÉBEC)", "Laval, QC".
PROVINCE_SUFFIX = re.compile(r"(?:\(\s*(?:quebec|qc|que|pq)\s*\)|,\s*(?:quebec|qc|que|pq))\s*$")
# Anything that is not a letter or digit separates words: hyphens, apostrophes, dots, commas.
SEPARATORS = re.compile(r"[\W_]+")
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mont"}
# Words before a municipality's name that are not part of it ("Ville de Trois-Rivières").
DESIGNATION_PREFIX = re.compile(
    r"^(?:ville|municipalite|paroisse|village|canton|cantons unis|city|town|township"
    r"|municipality|parish)(?: (?:de|du|des|d|of))? "
)
# Words before an MRC's name: "MRC de Mékinac", "TE Trois-Rivières", "Agglomération de La Tuque".
MRC_PREFIX = re.compile(
    r"^(?:mrc|m r c|municipalite regionale de comte|te|territoire equivalent"
    r"|agglomeration|communaute maritime|regional county municipality)(?: (?:de|du|des|d|of))? "
)
ARTICLE = re.compile(r"^(?:le|la|les|l|des|du|de|d) ")
# MRCs replaced by an equivalent territory of the same extent, by ``place_key`` → MRC code.
FORMER_MRCS = {
    "haut saint maurice": "900",  # the agglomeration of La Tuque since 2004
}


@functools.lru_cache(maxsize=4096)  # an import asks for the same few towns row after row
def place_key(text):
    """The form two spellings of one place name share: folded, province suffix and
    punctuation gone, ``St``/``Ste`` written out (``St-Roch-de-Mékinac (QC)`` →
    ``saint roch de mekinac``)."""
    folded = PROVINCE_SUFFIX.sub("", fold(text).strip())
    words = SEPARATORS.sub(" ", folded).split()
    key = " ".join(ABBREVIATIONS.get(word, word) for word in words)
    # "N.-D.-du-Mont-Carmel": the two letters stand for Notre-Dame.
    return f" {key} ".replace(" n d ", " notre dame ").strip()


def _postal_code(text):
    return re.sub(r"[\s-]", "", text or "").upper()


@dataclass(frozen=True)
class Place:
    municipality_id: int | None = None
    mrc_id: int | None = None
    region_id: int | None = None
    via: str = ""  # "region", "municipality", "mrc", "postal_code" or "" (nothing found)
    unknown_city: str = ""  # the city text that matches no municipality ("" if none or matched)


@dataclass(frozen=True)
class _Municipality:
    pk: int
    mrc_id: int | None
    region_id: int
    population: int
    code: str


# Answers kept per resolver: files repeat the same few places, and an entry is some 300 bytes.
# A row's postal code is part of the key and is nearly unique, so a larger cache mostly keeps
# answers never asked again: 50 000 of them were 15 MB of an import's peak.
RESOLVED_KEPT = 4_096


class PlaceResolver:
    """Resolves rows' place cells against the official lists, read once (two queries)."""

    def __init__(self, former_names: dict[str, str] | None = None):
        self.mrc_regions = {}
        self.mrcs_by_key = {}
        for pk, code, name, slug, region_id in Mrc.objects.values_list(
            "pk", "code", "name", "slug", "region_id"
        ):
            self.mrc_regions[pk] = region_id
            for key in self._mrc_keys(name):
                self.mrcs_by_key.setdefault(key, pk)
            self.mrcs_by_key.setdefault(code, pk)
            self.mrcs_by_key.setdefault(slug, pk)
        mrcs_by_code = {code: pk for code, pk in self.mrcs_by_key.items() if code.isdigit()}
        for key, code in FORMER_MRCS.items():
            if code in mrcs_by_code:
                self.mrcs_by_key.setdefault(key, mrcs_by_code[code])

        self.municipalities = {}
        self.by_name = defaultdict(list)
        by_postal_code = defaultdict(list)
        fsa_regions = defaultdict(set)
        for pk, code, name, mrc_id, region_id, postal_code, population in (
            Municipality.objects.values_list(
                "pk", "code", "name", "mrc_id", "region_id", "town_hall_postal_code",
                "population",
            )
        ):
            municipality = _Municipality(pk, mrc_id, region_id, population or 0, code)
            self.municipalities[code] = municipality
            self.by_name[place_key(name)].append(municipality)
            postal_code = _postal_code(postal_code)
            if postal_code:
                by_postal_code[postal_code].append(municipality)
                fsa_regions[postal_code[:3]].add(region_id)
        for candidates in self.by_name.values():
            candidates.sort(key=lambda m: (-m.population, m.code))
        self.by_postal_code = dict(by_postal_code)
        self.fsa_regions = {
            fsa: regions.pop() for fsa, regions in fsa_regions.items()
            if len(regions) == 1 and fsa[1] != "0"
        }
        self.resolved = {}
        self.former_names = {}
        for former, official in (former_names or {}).items():
            candidates = self._named(official)
            if candidates:
                self.former_names[place_key(former)] = candidates

    @staticmethod
    def _mrc_keys(name):
        key = place_key(name)
        return [key, ARTICLE.sub("", key)]

    def _named(self, text):
        """The municipalities a name, a former name or a geographic code may designate,
        best first."""
        text = (text or "").strip()
        if text.isdigit():
            municipality = self.municipalities.get(text.zfill(5))
            return [municipality] if municipality else []
        key = place_key(text)
        if not key:
            return []
        found = self.former_names.get(key) or self.by_name.get(key)
        if not found:
            bare = DESIGNATION_PREFIX.sub("", key)
            found = self.former_names.get(bare) or self.by_name.get(bare)
        return found or []

    def _mrc(self, text):
        key = place_key(text)
        if not key:
            return None
        bare = MRC_PREFIX.sub("", key)
        for candidate in (key, bare, ARTICLE.sub("", bare)):
            if candidate in self.mrcs_by_key:
                return self.mrcs_by_key[candidate]
        return None

    def _from_postal_code(self, postal_code):
        """(municipality, region id) an unambiguous postal code gives, else Nones."""
        code = _postal_code(postal_code)
        if len(code) != 6:
            return None, self.fsa_regions.get(code[:3]) if len(code) == 3 else None
        matches = self.by_postal_code.get(code, [])
        if len(matches) == 1:
            return matches[0], matches[0].region_id
        regions = {municipality.region_id for municipality in matches}
        if len(regions) == 1:
            return None, regions.pop()
        return None, self.fsa_regions.get(code[:3])

    def resolve(
        self, *, city: str = "", mrc: str = "", postal_code: str = "",
        region_id: int | None = None,
    ) -> Place:
        key = (city, mrc, postal_code, region_id)
        if key not in self.resolved:
            if len(self.resolved) >= RESOLVED_KEPT:
                self.resolved.clear()
            self.resolved[key] = self._resolve(city, mrc, postal_code, region_id)
        return self.resolved[key]

    def _resolve(self, city, mrc, postal_code, region_id):
        city = (city or "").strip()
        mrc_id = self._mrc(mrc) if mrc else None
        postal_municipality, postal_region = (
            self._from_postal_code(postal_code) if postal_code else (None, None)
        )
        candidates = self._named(city) if city else []
        if region_id is not None:
            candidates = [m for m in candidates if m.region_id == region_id]
            if mrc_id is not None and self.mrc_regions[mrc_id] != region_id:
                mrc_id = None
        municipality = self._pick(candidates, mrc_id, postal_municipality, postal_region)
        unknown_city = city if city and municipality is None else ""
        if municipality is None and mrc_id is None and city:
            # A municipality column sometimes holds the MRC's name ("Mékinac").
            mrc_id = self._mrc(city)
            if mrc_id is not None and region_id not in (None, self.mrc_regions[mrc_id]):
                mrc_id = None

        if region_id is not None:
            if municipality is None and mrc_id is None and postal_municipality is not None:
                if postal_municipality.region_id == region_id:
                    municipality = postal_municipality
            return Place(
                municipality_id=municipality.pk if municipality else None,
                mrc_id=municipality.mrc_id if municipality else mrc_id,
                region_id=region_id, via="region", unknown_city=unknown_city,
            )
        if municipality is not None:
            return Place(municipality.pk, municipality.mrc_id, municipality.region_id,
                         via="municipality")
        if mrc_id is not None:
            return Place(mrc_id=mrc_id, region_id=self.mrc_regions[mrc_id], via="mrc",
                         unknown_city=unknown_city)
        if postal_municipality is not None:
            return Place(postal_municipality.pk, postal_municipality.mrc_id,
                         postal_municipality.region_id, via="postal_code",
                         unknown_city=unknown_city)
        if postal_region is not None:
            return Place(region_id=postal_region, via="postal_code", unknown_city=unknown_city)
        return Place(unknown_city=unknown_city)

    @staticmethod
    def _pick(candidates, mrc_id, postal_municipality, postal_region):
        """The candidate the row's other clues agree with, else the most populous."""
        if len(candidates) > 1:
            for agrees in (
                lambda m: m is postal_municipality,
                lambda m: mrc_id is not None and m.mrc_id == mrc_id,
                lambda m: postal_region is not None and m.region_id == postal_region,
            ):
                agreeing = [m for m in candidates if agrees(m)]
                if agreeing:
                    return agreeing[0]
        return candidates[0] if candidates else None
