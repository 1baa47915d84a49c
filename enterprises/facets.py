"""Facet counts for a filtered directory, computed the way faceted search works.

The counts of facet X apply every active filter except X's own, so choosing region A does not
zero out the other regions: they show how many results choosing them as well would add.

Every count groups one table: the filtered enterprises themselves for their own columns (an
index on (status, legal_form) covers the unfiltered case), or a many-to-many through-table
restricted to the filtered enterprise ids by a subquery. No join of everything, and a fixed
number of queries whatever the number of results.
"""

import hashlib
from collections import Counter, defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, When
from django.utils import translation

from .models import Category, Enterprise, EnterpriseLabel, Label, Region, Sector

FACETS = ("category", "region", "sector", "legal_form", "label")


def facet_counts(filterset, facets=FACETS):
    """``{"region": [{"value", "label", "count", "selected"}…], "category": […], …}``.

    ``filterset`` is an ``EnterpriseFilterSet``; ``facets`` picks some of ``FACETS``. Region
    values are codes, and the entries also carry the ``slug``; category entries also carry
    their ``depth`` and their ``parent`` slug (a parent's count includes its descendants,
    without counting an enterprise twice).
    """
    counters = {
        "region": _region_facet,
        "category": _category_facet,
        "sector": _sector_facet,
        "legal_form": _legal_form_facet,
        "label": _label_facet,
    }
    return {facet: counters[facet](filterset) for facet in facets}


def cached_facet_counts(filterset, facets=FACETS):
    """``facet_counts``, kept for ``DIRECTORY_FACETS_CACHE_SECONDS`` per filter state.

    Counting the whole directory takes a while at 100 000 enterprises, and the unfiltered or
    lightly filtered states (home, listing, category pages) are the most requested; counts
    that lag an edit by a minute are harmless, the results themselves are never cached.
    """
    seconds = settings.DIRECTORY_FACETS_CACHE_SECONDS
    if not seconds:
        return facet_counts(filterset, facets)
    return cache.get_or_set(
        _cache_key(filterset, facets), lambda: facet_counts(filterset, facets), seconds
    )


def _cache_key(filterset, facets):
    state = [str(filterset.queryset.query), translation.get_language(), list(facets)]
    for name, value in sorted(filterset.active_filters.items()):
        if not isinstance(value, str):
            value = sorted(str(getattr(choice, "pk", choice)) for choice in value)
        state.append((name, value))
    return "directory-facets:" + hashlib.sha256(repr(state).encode()).hexdigest()


def result_count(facets):
    """The number of results of the filtered directory, read from its facets.

    Every enterprise has exactly one legal form, so the legal form counts (which apply all the
    other filters) add up to the total of the selected forms, or of all forms: no COUNT(*).
    """
    entries = facets["legal_form"]
    selected = [entry for entry in entries if entry["selected"]]
    return sum(entry["count"] for entry in selected or entries)


def _ids(filterset, facet):
    return filterset.queryset_without(facet).values("pk")


def _selected(filterset, facet):
    return {choice.pk for choice in filterset.active_filters.get(facet, ())}


def _entry(choice, counts, selected, value_field="slug"):
    return {
        "value": getattr(choice, value_field),
        "label": choice.localized_name,
        "count": counts.get(choice.pk, 0),
        "selected": choice.pk in selected,
    }


def _entries(choices, counts, selected, value_field="slug"):
    return [_entry(choice, counts, selected, value_field) for choice in choices]


def _region_facet(filterset):
    """An enterprise counts in its own region and in each region it serves, once in each."""
    matching = filterset.queryset_without("region")
    counts = Counter(
        dict(matching.order_by().values_list("region_id").annotate(count=Count("pk")))
    )
    ids = matching.values("pk")
    counts.update(
        dict(
            Enterprise.service_area.through.objects.filter(enterprise_id__in=ids)
            .exclude(region_id=F("enterprise__region_id"))
            .values_list("region_id")
            .annotate(count=Count("pk"))
            .order_by()
        )
    )
    selected = _selected(filterset, "region")
    return [
        {**_entry(region, counts, selected, "code"), "slug": region.slug}
        for region in Region.objects.all()
    ]


def _category_facet(filterset):
    """Counts per category, a parent's including its descendants: one query per tree level."""
    categories = list(Category.objects.all())
    paths = _paths_from_root(categories)
    offers = Enterprise.categories.through.objects.filter(
        enterprise_id__in=_ids(filterset, "category")
    )
    counts = {}
    for level in range(max((len(path) for path in paths.values()), default=0)):
        counts.update(_count_level(offers, paths, level))
    selected = _selected(filterset, "category")
    by_id = {category.pk: category for category in categories}
    entries = []
    for category in sorted(categories, key=lambda c: [_sort_key(by_id[i]) for i in paths[c.pk]]):
        entry = _entry(category, counts, selected)
        entry["depth"] = len(paths[category.pk]) - 1
        entry["parent"] = by_id[category.parent_id].slug if category.parent_id else None
        entries.append(entry)
    return entries


def _count_level(offers, paths, level):
    """``{category at depth level: distinct enterprises offering it or a category below it}``.

    Each offer is mapped to its ancestor at that depth by following ``parent`` joins on the
    small category table (one CASE branch per depth below), then counted once per enterprise.
    """
    below = defaultdict(list)
    for category_id, path in paths.items():
        if len(path) > level:
            below[len(path) - 1].append(category_id)
    if level:
        offers = offers.filter(category_id__in=[pk for ids in below.values() for pk in ids])
    if list(below) == [level]:
        rows = offers.values_list("category_id").annotate(count=Count("pk"))
    else:
        ancestor = Case(
            *[
                When(category_id__in=ids, then=F("category" + "__parent" * (depth - level) + "_id"))
                for depth, ids in below.items()
            ],
            output_field=IntegerField(),
        )
        rows = (
            offers.annotate(node=ancestor)
            .values_list("node")
            .annotate(count=Count("enterprise_id", distinct=True))
        )
    return dict(rows.order_by())


def _paths_from_root(categories):
    """``{category id: [root id, …, category id]}`` for a tree read in one query."""
    parents = {category.pk: category.parent_id for category in categories}
    paths = {}
    for category_id in parents:
        path = [category_id]
        while parents.get(path[0]) is not None and len(path) <= len(parents):
            path.insert(0, parents[path[0]])
        paths[category_id] = path
    return paths


def _sort_key(choice):
    return str(choice.localized_name).casefold()


def _sector_facet(filterset):
    counts = dict(
        Enterprise.sectors.through.objects.filter(enterprise_id__in=_ids(filterset, "sector"))
        .values_list("sector_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    sectors = sorted(Sector.objects.all(), key=_sort_key)
    return _entries(sectors, counts, _selected(filterset, "sector"))


def _label_facet(filterset):
    counts = dict(
        EnterpriseLabel.objects.filter(enterprise_id__in=_ids(filterset, "label"))
        .values_list("label_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    labels = sorted(Label.objects.all(), key=_sort_key)
    return _entries(labels, counts, _selected(filterset, "label"))


def _legal_form_facet(filterset):
    counts = dict(
        filterset.queryset_without("legal_form")
        .order_by()
        .values_list("legal_form")
        .annotate(count=Count("pk"))
    )
    selected = set(filterset.active_filters.get("legal_form", ()))
    return [
        {
            "value": value,
            "label": str(label),
            "count": counts.get(value, 0),
            "selected": value in selected,
        }
        for value, label in Enterprise.LegalForm.choices
    ]
