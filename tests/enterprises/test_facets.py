"""Facet counts: each facet applies every active filter except its own."""

import pytest
from django.http import QueryDict
from django.utils import translation

from enterprises.directory_index import FilteredDirectory, facet_counts, result_count
from enterprises.filters import EnterpriseFilterSet
from enterprises.models import Category, Enterprise, EnterpriseLabel, Label, Sector
from tests.factories import EnterpriseFactory, region

pytestmark = pytest.mark.django_db


def facets_for(query_string):
    filterset = EnterpriseFilterSet(
        QueryDict(query_string), queryset=Enterprise.objects.published()
    )
    return facet_counts(filterset)


def counts(facets, facet):
    return {entry["value"]: entry["count"] for entry in facets[facet]}


def test_selecting_a_region_keeps_the_other_regions_counts():
    EnterpriseFactory(region=region("06"))
    EnterpriseFactory(region=region("06"))
    EnterpriseFactory(region=region("03"))

    facets = facets_for("region=06")

    assert counts(facets, "region")["06"] == 2
    assert counts(facets, "region")["03"] == 1
    assert [entry["value"] for entry in facets["region"] if entry["selected"]] == ["06"]


def test_region_count_includes_enterprises_serving_the_region_once():
    EnterpriseFactory(region=region("06"), service_area=[region("06"), region("13")])
    EnterpriseFactory(region=region("13"))

    region_counts = counts(facets_for(""), "region")

    assert region_counts["06"] == 1
    assert region_counts["13"] == 2


def test_other_facets_apply_the_region_filter():
    EnterpriseFactory(region=region("06"), legal_form=Enterprise.LegalForm.MUTUAL)
    EnterpriseFactory(region=region("03"), legal_form=Enterprise.LegalForm.NON_PROFIT)

    legal_form_counts = counts(facets_for("region=06"), "legal_form")

    assert legal_form_counts["mutual"] == 1
    assert legal_form_counts["non_profit"] == 0


def test_parent_category_counts_an_enterprise_offering_several_children_once():
    food = Category.objects.get(slug="alimentation")
    catering, lunches = food.children.all()[:2]
    EnterpriseFactory(categories=[catering, lunches])
    EnterpriseFactory(categories=[catering])

    category_counts = counts(facets_for(""), "category")

    assert category_counts["alimentation"] == 2
    assert category_counts[catering.slug] == 2
    assert category_counts[lunches.slug] == 1


def test_parent_category_offered_directly_and_through_a_child_counts_each_enterprise_once():
    food = Category.objects.get(slug="alimentation")
    catering = food.children.first()
    EnterpriseFactory(categories=[food, catering])
    EnterpriseFactory(categories=[food])
    EnterpriseFactory(categories=[catering])

    category_counts = counts(facets_for(""), "category")

    assert category_counts["alimentation"] == 3
    assert category_counts[catering.slug] == 2


def test_category_entries_list_children_under_their_parent():
    entries = facets_for("")["category"]
    food = next(i for i, entry in enumerate(entries) if entry["value"] == "alimentation")

    assert entries[food]["depth"] == 0
    assert entries[food + 1]["parent"] == "alimentation"
    assert entries[food + 1]["depth"] == 1


def test_sector_and_label_counts_apply_the_legal_form_filter():
    sector = Sector.objects.first()
    label = Label.objects.first()
    mutual = EnterpriseFactory(legal_form=Enterprise.LegalForm.MUTUAL, sectors=[sector])
    EnterpriseLabel.objects.create(enterprise=mutual, label=label)
    other = EnterpriseFactory(legal_form=Enterprise.LegalForm.COOPERATIVE, sectors=[sector])
    EnterpriseLabel.objects.create(enterprise=other, label=label)

    facets = facets_for("legal_form=mutual")

    assert counts(facets, "sector")[sector.slug] == 1
    assert counts(facets, "label")[label.slug] == 1
    assert counts(facets, "legal_form") == {
        "cooperative": 1, "solidarity_cooperative": 0, "worker_cooperative": 0,
        "non_profit": 0, "mutual": 1, "other": 0,
    }


def test_unpublished_enterprises_are_never_counted():
    EnterpriseFactory(region=region("06"), status=Enterprise.Status.DRAFT)

    assert counts(facets_for(""), "region")["06"] == 0


def test_result_count_matches_the_filtered_results():
    EnterpriseFactory(region=region("06"), legal_form=Enterprise.LegalForm.MUTUAL)
    EnterpriseFactory(region=region("06"), legal_form=Enterprise.LegalForm.COOPERATIVE)
    EnterpriseFactory(region=region("03"), legal_form=Enterprise.LegalForm.MUTUAL)

    assert result_count(facets_for("")) == 3
    assert result_count(facets_for("region=06")) == 2
    assert result_count(facets_for("region=06&legal_form=mutual")) == 1
    assert result_count(facets_for("legal_form=mutual&legal_form=cooperative")) == 3


def test_facets_take_a_fixed_number_of_queries(django_assert_max_num_queries):
    EnterpriseFactory.create_batch(5, region=region("06"))
    filterset = EnterpriseFilterSet(
        QueryDict(
            "q=traiteur&region=06&category=alimentation&sector=agroalimentaire"
            "&label=entreprise-insertion"
        ),
        queryset=Enterprise.objects.published(),
    )
    filterset.qs  # noqa: B018 validates the form: one query per model filter and the category tree
    # The directory's revision; the index (tests build it every time): published enterprises,
    # service areas, categories, sectors, labels, then the category tree, regions with
    # their MRCs, sectors, labels and networks; and the text search's matches.
    with django_assert_max_num_queries(12):
        facet_counts(filterset)


def test_the_index_is_reused_until_the_directory_changes(settings, django_assert_num_queries):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 60
    EnterpriseFactory(region=region("06"), legal_form=Enterprise.LegalForm.MUTUAL)
    EnterpriseFactory(region=region("03"))

    assert counts(facets_for("region=06"), "legal_form")["mutual"] == 1
    # The form's region lookup and the directory's revision; the counts come from memory.
    with django_assert_num_queries(2):
        assert counts(facets_for("region=06"), "legal_form")["mutual"] == 1

    EnterpriseFactory(region=region("06"), legal_form=Enterprise.LegalForm.MUTUAL)
    assert counts(facets_for("region=06"), "legal_form")["mutual"] == 2


def test_narrowing_a_search_reuses_its_text_matches_until_the_directory_changes(
    settings, django_assert_num_queries
):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 60
    EnterpriseFactory(name="Traiteur du port", region=region("06"))
    EnterpriseFactory(name="Traiteur des îles", region=region("11"))
    assert counts(facets_for("q=traiteurs"), "region")["06"] == 1

    # The form's region lookup and the directory's revision: the text's matches are kept.
    with django_assert_num_queries(2):
        assert counts(facets_for("q=Traiteurs&region=11"), "region")["06"] == 1

    EnterpriseFactory(name="Traiteur du marché", region=region("06"))
    assert counts(facets_for("q=traiteurs&region=11"), "region")["06"] == 2


def ranked(query_string):
    filterset = EnterpriseFilterSet(
        QueryDict(query_string), queryset=Enterprise.objects.published()
    )
    filterset.is_valid()
    return [enterprise.name for enterprise in FilteredDirectory(filterset).results()[:20]]


def test_narrowing_a_ranked_search_reads_the_ranks_it_already_has(
    settings, django_assert_num_queries
):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 60
    EnterpriseFactory(name="Coop des îles", description_fr="Un traiteur.", region=region("11"))
    EnterpriseFactory(name="Traiteur du port", region=region("11"))
    EnterpriseFactory(name="Traiteur du marché", region=region("06"))
    assert ranked("q=traiteurs")[-1] == "Coop des îles"  # a description ranks below names

    # The form's region lookup, the directory's revision and the page's rows: no search.
    with django_assert_num_queries(3):
        assert ranked("q=traiteurs&region=11") == ["Traiteur du port", "Coop des îles"]


def test_bulk_archiving_updates_the_counts(settings):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 60
    EnterpriseFactory.create_batch(2, region=region("06"))
    assert counts(facets_for(""), "region")["06"] == 2

    Enterprise.objects.filter(region=region("06")).archive()

    assert counts(facets_for(""), "region")["06"] == 0


def test_a_new_category_link_updates_the_counts(settings):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 60
    enterprise = EnterpriseFactory(categories=[])
    catering = Category.objects.get(slug="alimentation")
    assert counts(facets_for(""), "category")["alimentation"] == 0

    enterprise.categories.add(catering)

    assert counts(facets_for(""), "category")["alimentation"] == 1


def test_the_counts_of_a_filter_state_are_kept_and_each_caller_gets_its_own(settings):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600  # as in production: the index is kept
    EnterpriseFactory(region=region("06"))
    EnterpriseFactory(region=region("03"))

    first = facets_for("region=06")
    first["region"][0]["count"] = -1  # a view that changed an entry it was given
    again = facets_for("region=06")
    without = facets_for("")

    assert -1 not in counts(again, "region").values()
    assert counts(again, "region") == counts(without, "region")
    assert [e["value"] for e in again["region"] if e["selected"]] == ["06"]
    assert not [e for e in without["region"] if e["selected"]]
    assert counts(again, "legal_form") != counts(without, "legal_form")


def test_facet_labels_follow_the_language_of_each_request(settings):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600
    EnterpriseFactory(region=region("06"))

    with translation.override("fr-ca"):
        french = facets_for("")
    with translation.override("en"):
        english = facets_for("")

    assert "Coopérative" in [entry["label"] for entry in french["legal_form"]]
    assert "Coopérative" not in [entry["label"] for entry in english["legal_form"]]


def test_a_second_directory_of_a_request_reuses_its_index_without_a_query(
    settings, django_assert_num_queries
):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600
    EnterpriseFactory(region=region("06"))
    first = FilteredDirectory(
        EnterpriseFilterSet(QueryDict(""), queryset=Enterprise.objects.published())
    )

    with django_assert_num_queries(0):
        second = FilteredDirectory(
            EnterpriseFilterSet(QueryDict(""), queryset=Enterprise.objects.published()),
            index=first.index,
        )
        facets = second.facet_counts()

    assert result_count(facets) == 1
