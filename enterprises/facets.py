"""Facet counts for a filtered directory, computed the way faceted search works.

The counts of facet X apply every active filter except X's own, so choosing region A does not
zero out the other regions: they show how many results choosing them as well would add.

At 100 000 enterprises, one GROUP BY per facet, each repeating the text search and the other
filters, costs hundreds of milliseconds. So the published directory is also held in memory as
one bitset per facet value: a Python int whose bit n is set when enterprise n has that value.
``&``, ``|`` and ``bit_count()`` over 100 000 bits take microseconds, so a request costs a few
hundred bit operations, plus, when there is a text searched for the first time in this
revision of the directory, a query for its matches, and one for the ranks of those every filter
kept when sorting by relevance (ranks already known for the text are not asked again).

The index is built again whenever ``DirectoryRevision`` says the directory changed (one
primary-key read per request), and at least every ``DIRECTORY_FACETS_CACHE_SECONDS`` in case a
write slipped past the revision (0 builds it for every request, as the tests do).
"""

import math
import threading
import time
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial, reduce
from operator import and_, or_
from typing import NamedTuple

from django.conf import settings

from . import search
from .expressions import RelatedRows
from .filters import Sort
from .models import (
    Category,
    DirectoryRevision,
    Enterprise,
    EnterpriseLabel,
    Label,
    Mrc,
    Network,
    Region,
    Sector,
)
from .validators import fold

FACETS = ("category", "region", "mrc", "sector", "legal_form", "label")

# Search texts whose matches each index keeps: at most 12.5 kB of bitset and 16 bytes an id
# (the id and its rank), so some 22 MB if every one matched a tenth of 100 000 enterprises.
TEXT_MATCHES_KEPT = 128


def bitset(ids):
    """The int with bit n set for each n in ``ids``."""
    ids = list(ids)
    if not ids:
        return 0
    bits = bytearray(max(ids) // 8 + 1)
    for n in ids:
        bits[n >> 3] |= 1 << (n & 7)
    return int.from_bytes(bits, "little")


def positions_among(bits, candidates):
    """The positions in ``candidates`` of those whose bit is set, in their order."""
    octets = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    size = len(octets)
    return [
        position for position, n in enumerate(candidates)
        if n >> 3 < size and octets[n >> 3] >> (n & 7) & 1
    ]


def lowest_bits(bits, count):
    """The ``count`` lowest n whose bit is set, in increasing order."""
    found = []
    while bits and len(found) < count:
        lowest = bits & -bits
        found.append(lowest.bit_length() - 1)
        bits ^= lowest
    return found


class EnterpriseLink(NamedTuple):
    """What a link to an enterprise's page shows."""

    pk: int
    name: str
    slug: str
    region: Region | None


@dataclass(frozen=True)
class EnterpriseLinks:
    """Each published enterprise's name, slug and region, found by id: UTF-8 in one buffer,
    about 9 MB at 100 000 enterprises, so that the few enterprises a page links to (an
    enterprise page's neighbours) need no query."""

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


@dataclass
class FacetIndex:
    """The published directory as bitsets: ``members[facet][value key]`` and ``published``.

    Keys are primary keys, and the legal form's value for ``legal_form``. A category's bitset
    includes the enterprises of every category below it; a region's includes the enterprises
    serving it; an MRC's only the enterprises based in it. The reference lists come along, in
    display order (the MRCs with the regions, in one query), so that a request reads nothing
    else; so do the networks, for the enterprise page, and each enterprise's name and slug
    (``links``).
    """

    revision: object
    published: int
    members: dict
    regions: list
    mrcs: list
    categories: list
    sectors: list
    labels: list
    networks: list
    links: EnterpriseLinks
    built_at: float = field(default_factory=time.monotonic)
    _text_matches: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _text_matches_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def build(cls, revision):
        published = Enterprise.objects.published()
        rows = list(
            published.order_by("pk").values_list(
                "pk", "region_id", "legal_form", "name", "slug", "mrc_id"
            )
        )
        members = {facet: {} for facet in FACETS}
        _collect(members["region"], ((region, pk) for pk, region, *_ in rows))
        _collect(members["mrc"], ((row[5], row[0]) for row in rows if row[5] is not None))
        _collect(members["legal_form"], ((form, pk) for pk, _, form, *_ in rows))
        ids = published.values("pk")
        for facet, table, column in (
            ("region", Enterprise.service_area.through.objects, "region_id"),
            ("category", Enterprise.categories.through.objects, "category_id"),
            ("sector", Enterprise.sectors.through.objects, "sector_id"),
            ("label", EnterpriseLabel.objects, "label_id"),
        ):
            pairs = table.filter(enterprise_id__in=ids).values_list(column, "enterprise_id")
            _collect(members[facet], pairs.iterator(chunk_size=10_000))
        categories = list(Category.objects.all())
        members["category"] = _with_descendants(members["category"], categories)
        links = EnterpriseLinks.of(
            (pk, region, name, slug) for pk, region, _, name, slug, _ in rows
        )
        regions = list(
            Region.objects.annotate(
                mrc_rows=RelatedRows(Mrc, ["id", "code", "slug", "name"], link="region")
            )
        )
        return cls(
            revision=revision,
            published=bitset(pk for pk, *_ in rows),
            members={facet: {key: bitset(ids) for key, ids in values.items()}
                     for facet, values in members.items()},
            regions=regions,
            mrcs=sorted(
                (
                    Mrc(pk=pk, code=code, slug=slug, name=name, region=region)
                    for region in regions
                    for pk, code, slug, name in region.mrc_rows
                ),
                key=lambda mrc: fold(mrc.name),
            ),
            categories=categories,
            sectors=list(Sector.objects.all()),
            labels=list(Label.objects.all()),
            networks=list(Network.objects.all()),
            links=links,
        )

    @cached_property
    def regions_by_id(self):
        return {region.pk: region for region in self.regions}

    @cached_property
    def mrcs_by_id(self):
        return {mrc.pk: mrc for mrc in self.mrcs}

    def among(self, reference, ids):
        """The ``reference`` list's objects ("regions", "categories"…) with these ids, in
        display order."""
        wanted = set(ids)
        return [choice for choice in getattr(self, reference) if choice.pk in wanted]

    def text_matches(self, text):
        """``search.matching_ids(text)`` as ``TextMatches`` (None when the text has nothing
        to search), kept for this revision of the directory.

        A buyer who searched a word then narrows it by region, legal form or page sends the
        same text again with each click: the GIN or FTS5 lookup (16 ms for a word in a tenth
        of the directory on PostgreSQL) runs once, and the least recently used texts go.
        """
        key = " ".join(text.split()).casefold()
        with self._text_matches_lock:
            if key in self._text_matches:
                self._text_matches.move_to_end(key)
                return self._text_matches[key]
        ids = search.matching_ids(text)
        matches = None if ids is None else TextMatches.of(text, ids)
        with self._text_matches_lock:
            self._text_matches[key] = matches
            while len(self._text_matches) > TEXT_MATCHES_KEPT:
                self._text_matches.popitem(last=False)
        return matches

    def any_of(self, facet, keys):
        return reduce(or_, (self.members[facet].get(key, 0) for key in keys), 0)

    def count(self, bits, facet, key):
        return (bits & self.members[facet].get(key, 0)).bit_count()

    def similar_to(self, enterprise, categories, count):
        """Up to ``count`` published enterprises in ``enterprise``'s region (based or serving
        there) offering one of ``categories`` (ids) or a category below them, as
        ``EnterpriseLink`` in name order.

        The ones listed right after it are chosen first, then from the start: each enterprise
        page suggests different neighbours instead of the same oldest entries.
        """
        candidates = (
            self.published
            & self.members["region"].get(enterprise.region_id, 0)
            & self.any_of("category", categories)
            & ~(1 << enterprise.pk)
        )
        start = enterprise.pk + 1
        after = [start + n for n in lowest_bits(candidates >> start, count)]
        before = lowest_bits(candidates & ((1 << enterprise.pk) - 1), count - len(after))
        links = (self.links.get(pk, self.regions_by_id) for pk in after + before)
        return sorted((link for link in links if link), key=lambda link: (link.name, link.pk))


@dataclass(frozen=True)
class TextMatches:
    """The enterprises matching a search text, published or not: their ids in the index's
    order, and as a bitset; and the relevance of each, once ranked (NaN until then)."""

    text: str
    ids: array
    bits: int
    ranks: array

    @classmethod
    def of(cls, text, ids):
        return cls(text, array("q", ids), bitset(ids), array("d", [math.nan]) * len(ids))

    def ranked(self, bits):
        """The matching ids whose bit is set in ``bits``, most relevant first (ties by id).

        Only the ids never ranked before are ranked: a buyer who narrows a search by a facet,
        or turns its pages, reads the ranks the broader search already computed. Threads may
        rank the same ids at once; they store the same values.
        """
        ids, ranks = self.ids, self.ranks
        positions = positions_among(bits, ids)
        if missing := [n for n in positions if math.isnan(ranks[n])]:
            found = search.ranks(self.text, [ids[n] for n in missing])
            for n in missing:
                ranks[n] = found.get(ids[n], 0.0)
        positions.sort(key=lambda n: (-ranks[n], ids[n]))
        return [ids[n] for n in positions]


def _collect(members, pairs):
    for key, pk in pairs:
        members.setdefault(key, []).append(pk)


def _with_descendants(members, categories):
    """Each category's enterprises, plus those of every category below it."""
    children = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category.pk)
    merged = {}

    def below(pk, seen):
        if pk not in merged:
            ids = set(members.get(pk, ()))
            for child in children.get(pk, ()):
                if child not in seen:  # a cycle would be a data error; never loop on it
                    ids.update(below(child, seen | {child}))
            merged[pk] = ids
        return merged[pk]

    for category in categories:
        below(category.pk, {category.pk})
    return merged


_index = None


def current_index(revision=None):
    """This process's index, built again if the directory changed or it is too old.

    ``revision`` is the directory's current one when the caller read it already (see
    ``EnterpriseQuerySet.with_directory_revision``). Threads share the index: it is never
    modified, only replaced, and two threads building it at once merely duplicate work.
    """
    global _index
    if revision is None:
        revision = DirectoryRevision.current()
    index = _index
    max_age = settings.DIRECTORY_FACETS_CACHE_SECONDS
    if index is None or index.revision != revision or time.monotonic() - index.built_at >= max_age:
        index = _index = FacetIndex.build(revision)
    return index


class FilteredDirectory:
    """One request's filters applied to the index: the facet counts and, for a text search
    sorted by relevance, the ranked results.

    ``fixed`` holds the filters that the page itself applies (``{"category": [category]}`` on
    a category page), which every count keeps.
    """

    def __init__(self, filterset, fixed=None):
        self.filterset = filterset
        self.fixed = fixed or {}
        self.index = index = current_index()
        self.base = index.published
        for facet, choices in self.fixed.items():
            self.base &= index.any_of(facet, _keys(facet, choices))
        self.text = self.text_matches = None
        self.masks = {}
        for name, value in filterset.active_filters.items():
            if name != "q":
                self.masks[name] = index.any_of(name, _keys(name, value))
            elif (matches := index.text_matches(value)) is not None:
                self.text, self.text_matches = value, matches
                self.masks[name] = matches.bits
        self.matching = reduce(and_, self.masks.values(), self.base)

    def facet_counts(self, facets=FACETS):
        """``{"region": [{"value", "label", "count", "selected"}…], "category": […], …}``.

        Region values are codes, and the entries also carry the ``slug``; category entries
        also carry their ``depth`` and their ``parent`` slug (a parent's count includes its
        descendants, without counting an enterprise twice). The MRCs listed are those of the
        chosen regions (by the filters or the page), and any MRC chosen; their values are slugs.
        """
        chosen_regions = [
            *self.fixed.get("region", ()), *self.filterset.active_filters.get("region", ())
        ]
        counters = {
            "region": _region_facet,
            "mrc": partial(_mrc_facet, regions=set(_keys("region", chosen_regions))),
            "category": _category_facet,
            "sector": _sector_facet,
            "legal_form": _legal_form_facet,
            "label": _label_facet,
        }
        counted = {}
        for facet in facets:
            if facet in self.masks:
                others = (mask for name, mask in self.masks.items() if name != facet)
                matching = reduce(and_, others, self.base)
            else:
                matching = self.matching
            selected = set(_keys(facet, self.filterset.active_filters.get(facet, ())))
            counted[facet] = counters[facet](self.index, matching, selected)
        return counted

    def results(self, shape=lambda queryset: queryset):
        """The filtered enterprises in the chosen order, for a paginator to slice.

        A text search sorted by relevance is ordered here: only the enterprises that every
        filter kept are ranked (those not ranked before for the text), and only the page shown
        is fetched. Any other order is the filter set's query. ``shape`` adds
        ``select_related`` and the like to the query that fetches the rows.
        """
        if self.text is None or self.filterset.sort != Sort.RELEVANCE:
            return shape(self.filterset.qs)
        ids = self.text_matches.ranked(self.matching)
        return RankedResults(ids, shape(self.filterset.queryset))


class RankedResults(Sequence):
    """Enterprise ids in their order, fetched only for the slice asked for (one page)."""

    def __init__(self, ids, queryset):
        self.ids = ids
        self.queryset = queryset

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = self.ids[index]
        rows = self.queryset.in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]


def facet_counts(filterset, facets=FACETS, fixed=None):
    """The counts of ``FilteredDirectory(filterset, fixed)``, for ``facets``."""
    return FilteredDirectory(filterset, fixed).facet_counts(facets)


def result_count(facets):
    """The number of results of the filtered directory, read from its facets.

    Every enterprise has exactly one legal form, so the legal form counts (which apply all the
    other filters) add up to the total of the selected forms, or of all forms: no COUNT(*).
    """
    entries = facets["legal_form"]
    selected = [entry for entry in entries if entry["selected"]]
    return sum(entry["count"] for entry in selected or entries)


def _keys(facet, choices):
    return [getattr(choice, "pk", choice) for choice in choices]


def _entry(index, matching, facet, choice, selected, value_field="slug"):
    return {
        "value": getattr(choice, value_field),
        "label": choice.localized_name,
        "count": index.count(matching, facet, choice.pk),
        "selected": choice.pk in selected,
    }


def _region_facet(index, matching, selected):
    """An enterprise counts in its own region and in each region it serves, once in each."""
    return [
        {**_entry(index, matching, "region", region, selected, "code"), "slug": region.slug}
        for region in index.regions
    ]


def _mrc_facet(index, matching, selected, regions):
    """The MRCs of the chosen regions, by name, and those chosen elsewhere, so that they
    can be unchosen."""
    return [
        {
            "value": mrc.slug,
            "label": mrc.name,
            "count": index.count(matching, "mrc", mrc.pk),
            "selected": mrc.pk in selected,
            "region": mrc.region.code,
        }
        for mrc in index.mrcs
        if mrc.region_id in regions or mrc.pk in selected
    ]


def _category_facet(index, matching, selected):
    """Counts per category, listed depth first, each parent before its children."""
    by_id = {category.pk: category for category in index.categories}
    paths = _paths_from_root(by_id)
    entries = []
    ordered = sorted(index.categories, key=lambda c: [_sort_key(by_id[i]) for i in paths[c.pk]])
    for category in ordered:
        entry = _entry(index, matching, "category", category, selected)
        entry["depth"] = len(paths[category.pk]) - 1
        entry["parent"] = by_id[category.parent_id].slug if category.parent_id else None
        entries.append(entry)
    return entries


def _paths_from_root(by_id):
    """``{category id: [root id, …, category id]}``."""
    paths = {}
    for category_id in by_id:
        path = [category_id]
        while by_id[path[0]].parent_id in by_id and len(path) <= len(by_id):
            path.insert(0, by_id[path[0]].parent_id)
        paths[category_id] = path
    return paths


def _sort_key(choice):
    return str(choice.localized_name).casefold()


def _sector_facet(index, matching, selected):
    sectors = sorted(index.sectors, key=_sort_key)
    return [_entry(index, matching, "sector", sector, selected) for sector in sectors]


def _label_facet(index, matching, selected):
    labels = sorted(index.labels, key=_sort_key)
    return [_entry(index, matching, "label", label, selected) for label in labels]


def _legal_form_facet(index, matching, selected):
    return [
        {
            "value": value,
            "label": str(label),
            "count": index.count(matching, "legal_form", value),
            "selected": value in selected,
        }
        for value, label in Enterprise.LegalForm.choices
    ]
