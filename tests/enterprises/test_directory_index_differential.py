"""The in-memory directory index against the SQL filters, on random directories and filters.

Facet counts and totals come from the ``DirectoryIndex``; the result rows from
``EnterpriseFilterSet.qs``. Hypothesis draws a small directory, a few filter states and
writes between them (labels, categories, publishing, archiving), with the index kept as long
as in production: every count a buyer reads must be what the SQL filters find.
"""

from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ecpar_site.settings import DIRECTORY_FACETS_CACHE_SECONDS as PRODUCTION_INDEX_LIFETIME
from enterprises.directory_index import FilteredDirectory, result_count
from enterprises.directory_index import index as directory_index
from enterprises.filters import PAGE_SIZES, EnterpriseFilterSet, Sort
from enterprises.models import Category, Enterprise, Label, Mrc, Region, Sector

pytestmark = pytest.mark.django_db

# A parent category with two children and an unrelated one: a parent counts its children's.
CATEGORIES = ["alimentation", "traiteur", "boites-a-lunch", "impression"]
SECTORS = ["agroalimentaire", "arts-culture"]
LABELS = ["b-corp", "commerce-equitable"]
# (region code, MRC slug): an enterprise based in an MRC is in that MRC's region.
PLACES = [("04", None), ("04", "mekinac"), ("04", "les-chenaux"), ("06", "montreal"),
          ("06", None), ("16", None)]
REGIONS = ["04", "06", "16"]
NAMES = ["Traiteur du Plateau", "COOP DE SOLIDARITÉ TRAITEUR", "Boulangerie l'Épi",
         "École de cirque", "Les Boîtes à lunch de Mékinac", "Rénovation Trois-Rivières"]
TEXTS = ["traiteur", "traiteurs", "boîtes lunch", "école", "cirque rénovation", "!!", "zzzz"]


def some(values, max_size=2):
    return st.lists(st.sampled_from(values), max_size=max_size, unique=True)


enterprises = st.lists(
    st.fixed_dictionaries({
        "name": st.sampled_from(NAMES),
        "place": st.sampled_from(PLACES),
        "status": st.sampled_from(Enterprise.Status.values),
        "legal_form": st.sampled_from(Enterprise.LegalForm.values),
        "categories": some(CATEGORIES),
        "sectors": some(SECTORS),
        "service_area": some(REGIONS),
        "labels": some(LABELS),
        "verification_status": st.sampled_from(Enterprise.Verification.values),
    }),
    max_size=7,
)

filter_states = st.fixed_dictionaries({}, optional={
    "q": st.sampled_from(TEXTS),
    "category": some(CATEGORIES),
    "sector": some(SECTORS),
    "region": some(REGIONS),
    "mrc": some(["mekinac", "les-chenaux", "372", "montreal"]),
    "legal_form": some(Enterprise.LegalForm.values),
    "label": some(LABELS),
    "verification": some(Enterprise.Verification.values),
    "sort": st.sampled_from([value for value, _label in Sort.choices]),
    "page": st.integers(min_value=1, max_value=2),
    "per_page": st.sampled_from(PAGE_SIZES),
})

writes = st.lists(
    st.tuples(
        st.sampled_from(["add label", "remove label", "add category", "remove category",
                         "publish", "archive", "save as draft",
                         "verify", "send back to review"]),
        st.integers(min_value=0, max_value=6),
        st.sampled_from(LABELS),
        st.sampled_from(CATEGORIES),
    ),
    max_size=3,
)


def create(specs):
    references = {
        "categories": {c.slug: c for c in Category.objects.filter(slug__in=CATEGORIES)},
        "sectors": {s.slug: s for s in Sector.objects.filter(slug__in=SECTORS)},
        "service_area": {r.code: r for r in Region.objects.filter(code__in=REGIONS)},
        "labels": {label.slug: label for label in Label.objects.filter(slug__in=LABELS)},
    }
    mrcs = {mrc.slug: mrc for mrc in Mrc.objects.filter(slug__in=[m for _r, m in PLACES if m])}
    created = []
    for n, spec in enumerate(specs):
        region_code, mrc_slug = spec["place"]
        enterprise = Enterprise.objects.create(
            name=spec["name"], slug=f"entreprise-{n}", status=spec["status"],
            legal_form=spec["legal_form"], region=references["service_area"][region_code],
            mrc=mrcs.get(mrc_slug),
            verification_status=spec.get("verification_status", "unverified"),
        )
        for relation in ("categories", "sectors", "service_area", "labels"):
            getattr(enterprise, relation).set(
                [references[relation][key] for key in spec[relation]]
            )
        created.append(enterprise)
    return created


def write(enterprises, action, n, label_slug, category_slug):
    if not enterprises:
        return
    enterprise = enterprises[n % len(enterprises)]
    label = Label.objects.get(slug=label_slug)
    category = Category.objects.get(slug=category_slug)
    chosen = Enterprise.objects.filter(pk=enterprise.pk)
    match action:
        case "add label":
            enterprise.labels.add(label)
        case "remove label":
            enterprise.labels.remove(label)
        case "add category":
            enterprise.categories.add(category)
        case "remove category":
            enterprise.categories.remove(category)
        case "publish":
            chosen.publish()
        case "archive":
            chosen.archive()
        case "save as draft":
            enterprise.status = Enterprise.Status.DRAFT
            enterprise.save()
        case "verify":
            enterprise.verification_status = Enterprise.Verification.VERIFIED
            enterprise.save()
        case "send back to review":
            enterprise.verification_status = Enterprise.Verification.NEEDS_REVIEW
            enterprise.save()


def filtered(state):
    return EnterpriseFilterSet(
        QueryDict(urlencode(state, doseq=True)), queryset=Enterprise.objects.published()
    )


def assert_index_agrees_with_sql(state, references):
    filterset = filtered(state)
    directory = FilteredDirectory(filterset)
    facets = directory.facet_counts()
    expected = list(filterset.qs.values_list("pk", flat=True))

    assert result_count(facets) == len(expected), state
    results = directory.results()
    assert sorted(enterprise.pk for enterprise in results[: len(expected) + 1]) == sorted(
        expected
    ), state
    start = (state.get("page", 1) - 1) * filterset.per_page
    page = [enterprise.pk for enterprise in results[start : start + filterset.per_page]]
    if filterset.sort != Sort.RELEVANCE:
        assert page == expected[start : start + filterset.per_page], state
    assert len(page) == len(expected[start : start + filterset.per_page]), state

    active = filterset.active_filters
    for facet, entries in facets.items():
        # The facet's own filter is left out of its counts; each value is then chosen alone.
        others = filterset.queryset
        for name, value in active.items():
            if name != facet:
                others = filterset.filters[name].filter(others, value)
        for entry in entries:
            choice = references[facet].get(entry["value"])
            if choice is None:
                # No enterprise drawn holds this value (nor a category below it): SQL finds 0.
                assert entry["count"] == 0, (state, facet, entry)
                continue
            counted = filterset.filters[facet].filter(others, [choice]).count()
            assert entry["count"] == counted, (state, facet, entry)


def facet_values():
    """Each facet's drawn values, as the filters take them, by their value in the facets."""
    mrcs = [mrc for _region, mrc in PLACES if mrc]
    return {
        "category": {c.slug: c for c in Category.objects.filter(slug__in=CATEGORIES)},
        "sector": {s.slug: s for s in Sector.objects.filter(slug__in=SECTORS)},
        "region": {r.code: r for r in Region.objects.filter(code__in=REGIONS)},
        "mrc": {m.slug: m for m in Mrc.objects.filter(slug__in=mrcs)},
        "label": {label.slug: label for label in Label.objects.filter(slug__in=LABELS)},
        "legal_form": {form: form for form in Enterprise.LegalForm.values},
        "verification": {state: state for state in Enterprise.Verification.values},
    }


@hypothesis_settings(
    max_examples=200, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=enterprises, states=st.lists(filter_states, min_size=1, max_size=2), changes=writes)
def test_every_count_and_page_agrees_with_the_sql_filters_after_any_writes(
    db, monkeypatch, specs, states, changes
):
    monkeypatch.setattr(directory_index, "_index", None)  # each example, a fresh process
    references = facet_values()
    with override_settings(DIRECTORY_FACETS_CACHE_SECONDS=PRODUCTION_INDEX_LIFETIME), \
            transaction.atomic():
        created = create(specs)
        for state in states:
            assert_index_agrees_with_sql(state, references)
        for change in changes:
            write(created, *change)
        for state in states:
            assert_index_agrees_with_sql(state, references)
        transaction.set_rollback(True)


def test_adding_a_label_to_an_enterprise_updates_its_count_at_once():
    with override_settings(DIRECTORY_FACETS_CACHE_SECONDS=PRODUCTION_INDEX_LIFETIME):
        enterprise = create([{
            "name": "Traiteur du Plateau", "place": ("06", "montreal"),
            "status": Enterprise.Status.PUBLISHED, "legal_form": "cooperative",
            "categories": [], "sectors": [], "service_area": [], "labels": [],
        }])[0]
        label = Label.objects.get(slug="b-corp")
        counts = FilteredDirectory(filtered({})).facet_counts(["label"])["label"]
        assert {e["value"]: e["count"] for e in counts}["b-corp"] == 0

        enterprise.labels.add(label)

        counts = FilteredDirectory(filtered({})).facet_counts(["label"])["label"]
        assert {e["value"]: e["count"] for e in counts}["b-corp"] == 1
