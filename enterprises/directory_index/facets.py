"""One request's filters applied to the ``DirectoryIndex``: facet counts and ranked results.

Holds nothing between requests. The counts of facet X apply every active filter except X's
own, so choosing region A does not zero out the other regions: they show how many results
choosing them as well would add.
"""

from collections.abc import Sequence
from functools import reduce
from operator import and_

from django.utils import translation
from django.utils.translation import gettext as _

from ..filters import Sort
from ..models import Enterprise
from .index import FACETS, current_index

# Filter states whose counts each index keeps (some 50 kB each); all are dropped when full.
COUNTED_STATES_KEPT = 256


class FilteredDirectory:
    """One request's filters applied to the index: the facet counts and, for a text search
    sorted by relevance, the ranked results.

    ``fixed`` holds the filters that the page itself applies (``{"category": [category]}`` on
    a category page), which every count keeps. ``index`` is the one another directory of the
    same request read already (``directory.index``): the revision is not read again.
    """

    def __init__(self, filterset, fixed=None, index=None):
        self.filterset = filterset
        self.fixed = fixed or {}
        self.index = index = index or current_index()
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

        The lists themselves (labels in the active language, order) are built once per index
        and language (``facet_choices``), and the counts of each filter state kept with the
        index (``DirectoryIndex.counted``); each entry is the caller's own copy.
        """
        active = self.filterset.active_filters
        chosen_regions = frozenset(_keys("region", [*self.fixed.get("region", ()),
                                                    *active.get("region", ())]))
        chosen = tuple((facet, frozenset(_keys(facet, active.get(facet, ())))) for facet in facets)
        state = (translation.get_language(), self.base, tuple(sorted(self.masks.items())),
                 chosen_regions, chosen)
        counted = self.index.counted.get(state)
        if counted is None:
            counted = self._count(facets, chosen_regions)
            if len(self.index.counted) >= COUNTED_STATES_KEPT:
                self.index.counted.clear()
            self.index.counted[state] = counted
        return {facet: [dict(entry) for entry in entries] for facet, entries in counted.items()}

    def _count(self, facets, chosen_regions):
        active = self.filterset.active_filters
        counted = {}
        for facet in facets:
            if facet in self.masks:
                others = (mask for name, mask in self.masks.items() if name != facet)
                matching = reduce(and_, others, self.base)
            else:
                matching = self.matching
            selected = set(_keys(facet, active.get(facet, ())))
            members = self.index.members[facet]
            counted[facet] = [
                {**entry, "count": (matching & members.get(key, 0)).bit_count(),
                 "selected": key in selected}
                for key, entry, region in facet_choices(self.index, facet)
                if region is None or region in chosen_regions or key in selected
            ]
        return counted

    def results(self, shape=lambda queryset: queryset):
        """The filtered enterprises in the chosen order, for a paginator to slice.

        The order is the index's: the relevance order of a text search (its matches' ranks,
        kept with the index, sorted for those that every filter kept), any other order read
        from the index's own (``DirectoryIndex.order``); only the page shown is fetched.
        ``shape`` adds ``select_related`` and the like to the query that fetches the rows.
        """
        return Results(self.ordered_ids(), shape(self.filterset.queryset))

    def result_ids(self, start, stop):
        """The ids of the results from ``start`` to ``stop`` in the chosen order."""
        return list(self.ordered_ids()[start:stop])

    def ordered_ids(self):
        sort = self.filterset.sort
        if sort == Sort.RELEVANCE and self.text is not None:
            return self.text_matches.ranked(self.matching)
        # A text with nothing searchable ranks every enterprise alike: by name, then.
        order = self.index.order(Sort.NAME if sort == Sort.RELEVANCE else sort)
        return order.among(self.matching, self.matching.bit_count())


class Results(Sequence):
    """Enterprise ids in their order, fetched only for the slice asked for (one page)."""

    def __init__(self, ids, queryset):
        self.ids = ids
        self.queryset = queryset

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return ResultPage(self.ids[index], self.queryset)


class ResultPage(Sequence):
    """A page of results: its ids, and its rows, fetched when first read. A caller that has
    what it needs for some of them (``caching.rendered_cards``) asks ``rows(ids)`` for the
    others only. Its length is that of its ids, known without a query."""

    def __init__(self, ids, queryset):
        self.ids = ids
        self.queryset = queryset
        self.fetched = {}

    def rows(self, ids):
        """``{id: enterprise}`` for those of ``ids`` still published; one query at most."""
        if missing := [pk for pk in ids if pk not in self.fetched]:
            self.fetched |= self.queryset.in_bulk(missing)
        return {pk: self.fetched[pk] for pk in ids if pk in self.fetched}

    @property
    def enterprises(self):
        return list(self.rows(self.ids).values())

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        return self.enterprises[index]

    def __iter__(self):
        return iter(self.enterprises)


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


def facet_choices(index, facet):
    """``[(key, entry, region)]``: the values of ``facet`` in display order for the active
    language, each with its key in ``index.members[facet]`` and its entry without the count;
    ``region`` is an MRC's region (it is listed only when that region is chosen), else None.

    Kept on the index: sorting and translating some 200 labels cost more than counting them.
    """
    language = translation.get_language()
    choices = index.facet_choices.get((facet, language))
    if choices is None:
        choices = index.facet_choices[facet, language] = list(CHOICES[facet](index))
    return choices


def _named(choice, value_field="slug"):
    return {"value": getattr(choice, value_field), "label": str(choice.localized_name)}


def _region_choices(index):
    """An enterprise counts in its own region and in each region it serves, once in each."""
    for region in index.regions:
        yield region.pk, {**_named(region, "code"), "slug": region.slug}, None


def _mrc_choices(index):
    """The MRCs by name, each listed with its region (and when chosen elsewhere, so that it
    can be unchosen)."""
    for mrc in index.mrcs:
        entry = {"value": mrc.slug, "label": mrc.name, "region": mrc.region.code}
        yield mrc.pk, entry, mrc.region_id


def _category_choices(index):
    """Listed depth first, each parent before its children."""
    by_id = {category.pk: category for category in index.categories}
    paths = {pk: index.category_tree.path(pk) for pk in by_id}
    ordered = sorted(index.categories, key=lambda c: [_sort_key(by_id[i]) for i in paths[c.pk]])
    for category in ordered:
        entry = {
            **_named(category),
            "depth": len(paths[category.pk]) - 1,
            "parent": by_id[category.parent_id].slug if category.parent_id else None,
        }
        yield category.pk, entry, None


def _sort_key(choice):
    return str(choice.localized_name).casefold()


def _sector_choices(index):
    for sector in sorted(index.sectors, key=_sort_key):
        yield sector.pk, _named(sector), None


def _label_choices(index):
    for label in sorted(index.labels, key=_sort_key):
        yield label.pk, _named(label), None


def _verification_choices(index):
    """Only the public state, "verified": the others are curators' words."""
    verified = Enterprise.Verification.VERIFIED
    entry = {"value": verified.value, "label": str(_("Verified by the network"))}
    yield verified.value, entry, None


def _legal_form_choices(index):
    for value, label in Enterprise.LegalForm.choices:
        yield value, {"value": value, "label": str(label)}, None


CHOICES = {
    "region": _region_choices,
    "mrc": _mrc_choices,
    "category": _category_choices,
    "sector": _sector_choices,
    "label": _label_choices,
    "verification": _verification_choices,
    "legal_form": _legal_form_choices,
}
