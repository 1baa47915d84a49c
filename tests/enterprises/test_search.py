"""Full-text search and "did you mean", as a user sees them, identical on SQLite and PostgreSQL."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enterprises.directory_index import FilteredDirectory, current_index
from enterprises.filters import EnterpriseFilterSet
from enterprises.models import Category, Enterprise, Sector
from enterprises.search import (
    SynonymSet,
    deferred_index,
    matches,
    rebuild_index,
    search,
    suggest,
)
from tests.factories import EnterpriseFactory, region

pytestmark = pytest.mark.django_db


def found(q, queryset=None):
    queryset = Enterprise.objects.published() if queryset is None else queryset
    return {enterprise.name for enterprise in search(queryset, q)}


def ranked(q):
    return [e.name for e in search(Enterprise.objects.published(), q).order_by("-search_rank")]


@pytest.fixture
def directory():
    """A few enterprises, and unrelated ones so that no word is in every document."""
    traiteur = Category.objects.get(slug="traiteur")
    recuperation = Category.objects.get(slug="recuperation-informatique")
    EnterpriseFactory(name="Les Traiteurs du Plateau", description_fr="Buffets pour vos réunions.")
    EnterpriseFactory(
        name="Insertech",
        categories=[recuperation],
        description_fr="Entreprise d'insertion qui reconditionne des ordinateurs.",
    )
    EnterpriseFactory(
        name="Coopérative funéraire de l'Estrie", description_fr="Services funéraires."
    )
    EnterpriseFactory(name="Cuisine collective", categories=[traiteur], neq="1160000003")
    for name in ("Atelier de couture", "Imprimerie solidaire", "Vélo Québec", "Friperie du coin"):
        EnterpriseFactory(name=name, description_fr="Une entreprise d'économie sociale.")


@pytest.mark.parametrize("q", ["recuperation", "RÉCUPÉRATION", "Récupération", "recupération"])
def test_accents_and_capitals_are_ignored(directory, q):
    assert found(q) == {"Insertech"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("traiteurs", {"Les Traiteurs du Plateau", "Cuisine collective"}),
        ("traiteur", {"Les Traiteurs du Plateau", "Cuisine collective"}),
        ("Coopératives", {"Coopérative funéraire de l'Estrie"}),
        ("ordinateur", {"Insertech"}),
    ],
)
def test_plural_and_singular_find_each_other(directory, q, expected):
    assert found(q) == expected


@pytest.mark.parametrize("q", ["tra", "trait", "traiteu", "TRAIT"])
def test_the_word_being_typed_matches_as_a_prefix(directory, q):
    assert found(q) == {"Les Traiteurs du Plateau", "Cuisine collective"}


@pytest.mark.parametrize("q", ["recup", "recuperati", "récupératio", "informatiq"])
def test_a_prefix_longer_than_the_stem_still_matches(directory, q):
    assert found(q) == {"Insertech"}


def test_every_word_must_match_and_only_the_last_one_is_a_prefix(directory):
    assert found("traiteurs plat") == {"Les Traiteurs du Plateau"}
    assert found("plat traiteurs") == set()


def test_categories_sectors_and_english_names_are_searchable(directory):
    insertech = Enterprise.objects.get(name="Insertech")
    insertech.sectors.set([Sector.objects.get(slug="environnement-recuperation")])

    # Its category's English name, and « traiteur » through the seeded synonym set.
    assert found("catering") == {"Cuisine collective", "Les Traiteurs du Plateau"}
    assert found("recyclage") == {"Insertech"}


@pytest.mark.parametrize("q", ["1160000003", "1160 0000 03", "1160-000-003", " 116 000 0003 "])
def test_an_neq_is_found_with_or_without_spaces(directory, q):
    assert found(q) == {"Cuisine collective"}


def listing_order(q):
    """The order the listing shows (the directory index ranks through ``search.matches``)."""
    names = dict(Enterprise.objects.published().values_list("pk", "name"))
    ranked = sorted((-rank, pk) for pk, rank in matches(q) if pk in names)
    return [names[pk] for _rank, pk in ranked]


def test_name_matches_rank_above_category_matches_above_description_matches(directory):
    # The columns' weights alone: synonyms add matches of their own (ranked below).
    SynonymSet.objects.all().delete()
    assert ranked("traiteur") == ["Les Traiteurs du Plateau", "Cuisine collective"]
    assert listing_order("traiteur") == ["Les Traiteurs du Plateau", "Cuisine collective"]

    EnterpriseFactory(name="Boîtes à lunch Mathilde", description_fr="Aussi traiteur le midi.")

    assert listing_order("traiteur") == [
        "Les Traiteurs du Plateau",
        "Cuisine collective",
        "Boîtes à lunch Mathilde",
    ]


def test_what_only_a_synonym_finds_ranks_below_what_the_typed_words_find(directory):
    # ``catering`` is the English name of Cuisine collective's category; « Les Traiteurs du
    # Plateau » is found only through the synonyms « traiteur » and « buffet ».
    expected = ["Cuisine collective", "Les Traiteurs du Plateau"]
    assert listing_order("catering") == expected
    assert ranked("catering") == expected


def test_search_keeps_the_callers_filters_and_order(directory):
    EnterpriseFactory(name="Traiteur brouillon", status=Enterprise.Status.DRAFT)

    results = search(Enterprise.objects.published().order_by("-name"), "traiteur")

    assert [e.name for e in results] == ["Les Traiteurs du Plateau", "Cuisine collective"]


def test_an_empty_query_leaves_the_queryset_unchanged(directory):
    queryset = Enterprise.objects.published()

    assert search(queryset, "") is queryset
    assert search(queryset, "   ") is queryset
    assert search(queryset, None) is queryset


def test_a_search_is_one_query_once_the_index_is_loaded(directory, django_assert_num_queries):
    current_index()  # the listing loads it first: the synonyms follow its revision
    search(Enterprise.objects.published(), "traiteur")  # reads the synonym sets once
    with django_assert_num_queries(1):  # the enterprises joined to the index, ranked
        assert len(list(search(Enterprise.objects.published(), "traiteur plateau"))) == 1


def listing_ids(query_string):
    """The ids of the listing's first page, as the directory index orders them."""
    filterset = EnterpriseFilterSet(
        QueryDict(query_string), queryset=Enterprise.objects.published()
    )
    filterset.is_valid()
    return FilteredDirectory(filterset).result_ids(0, 20)


def test_a_listing_search_ranks_every_match_the_first_time(settings, django_assert_num_queries):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 60
    port = EnterpriseFactory(name="Traiteur du port", region=region("11"))
    islands = EnterpriseFactory(name="Coop des îles", description_fr="Un traiteur.",
                                region=region("11"))
    market = EnterpriseFactory(name="Traiteur du marché", region=region("06"))
    assert listing_ids("q=traiteurs&region=11") == [port.pk, islands.pk]

    # Without the region, the one it had left out takes its place among the names: the
    # directory's revision, no search.
    with django_assert_num_queries(1):
        widened = listing_ids("q=traiteurs")
    assert set(widened[:2]) == {port.pk, market.pk}
    assert widened[2] == islands.pk


def test_a_renamed_enterprise_is_found_by_its_new_name_only(directory):
    enterprise = Enterprise.objects.get(name="Insertech")
    enterprise.name = "Ordinathèque solidaire"
    enterprise.save()

    assert found("ordinatheque") == {"Ordinathèque solidaire"}
    assert found("insertech") == set()


def test_an_enterprise_is_found_by_a_category_added_later_and_not_once_removed(directory):
    enterprise = Enterprise.objects.get(name="Insertech")
    traiteur = Category.objects.get(slug="traiteur")

    enterprise.categories.add(traiteur)
    assert "Insertech" in found("buffets")

    enterprise.categories.remove(traiteur)
    assert "Insertech" not in found("buffets")


def test_a_renamed_category_is_found_by_its_new_name(directory):
    category = Category.objects.get(slug="recuperation-informatique")
    category.name = "Reconditionnement d'ordinateurs"
    category.save()

    assert found("reconditionnements") == {"Insertech"}
    assert found("materiel") == set()


def test_a_deleted_enterprise_is_no_longer_found(directory):
    Enterprise.objects.get(name="Insertech").delete()

    assert found("recuperation") == set()


def test_enterprises_created_in_bulk_are_indexed(directory):
    region = Enterprise.objects.first().region
    Enterprise.objects.bulk_create(
        Enterprise(name=name, name_folded=name.lower(), slug=name.lower(), region=region,
                   legal_form=Enterprise.LegalForm.MUTUAL, status=Enterprise.Status.PUBLISHED)
        for name in ("Mutuelle Alpha", "Mutuelle Beta")
    )

    assert found("mutuelles") == {"Mutuelle Alpha", "Mutuelle Beta"}


def test_rebuild_index_restores_a_lost_index(directory):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM enterprises_search")
    assert found("traiteur") == set()

    rebuild_index()

    assert found("traiteur") == {"Les Traiteurs du Plateau", "Cuisine collective"}
    assert suggest("traitur") == "traiteur"


def test_enterprises_loaded_with_a_deferred_index_are_found_once_it_closes(directory):
    with deferred_index():
        EnterpriseFactory(name="Mutuelle Alpha", categories=[Category.objects.get(slug="traiteur")])

    assert found("mutuelles buffets") == {"Mutuelle Alpha"}
    EnterpriseFactory(name="Mutuelle Beta")
    assert found("mutuelles") == {"Mutuelle Alpha", "Mutuelle Beta"}


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL keeps its triggers through migrations"
)
def test_migrate_puts_back_missing_sqlite_triggers_and_reindexes(directory):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER enterprises_enterprise_search_insert")
    EnterpriseFactory(name="Mutuelle Alpha")
    assert found("mutuelle") == set()

    call_command("migrate", verbosity=0)

    assert found("mutuelle") == {"Mutuelle Alpha"}
    EnterpriseFactory(name="Mutuelle Beta")
    assert found("mutuelle") == {"Mutuelle Alpha", "Mutuelle Beta"}


HOSTILE_QUERIES = [
    '"',
    '"traiteur',
    "traiteur*",
    "*",
    "NEAR(traiteur plateau)",
    "traiteur NEAR/2 plateau",
    "-traiteur",
    "traiteur OR insertech",
    "(traiteur",
    "name:traiteur",
    "^traiteur",
    "traiteur:*",
    "'; DROP TABLE enterprises_enterprise; --",
    "a & b | !c <-> d",
    "\x00",
    "trai\x00teur",
    "🍕 traiteur 🍕",
    "🍕",
    "x" * 60_000,
    "traiteur " * 5_000,
    "é" * 300,
    "ǅ\u0301\u200b\ufeff",
    "١٢٣ 中文 русский",
    "1160 0000 03 traiteur",
    "99999999999999999999",
]


@pytest.mark.parametrize("q", HOSTILE_QUERIES)
def test_hostile_queries_never_raise(directory, q):
    results = search(Enterprise.objects.published(), q)

    assert len(results) == results.count()
    assert suggest(q) is None or isinstance(suggest(q), str)


def test_operators_are_searched_as_words_not_obeyed(directory):
    assert found("-traiteur") == found("traiteur")
    assert found("traiteur OR insertech") == set()


def test_a_huge_query_is_cut_to_ten_words(directory):
    assert found("traiteur " * 10 + "insertech") == found("traiteur")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=300))
def test_any_text_is_a_valid_query(directory, q):
    results = search(Enterprise.objects.published(), q)

    assert len(results) == results.count()


@pytest.mark.parametrize(
    ("q", "suggestion"),
    [
        ("traitur", "traiteur"),
        ("recuperaton", "récupération"),
        ("Récupératon informatique", "récupération informatique"),
        ("insertek", "insertech"),
    ],
)
def test_misspellings_get_a_correction(directory, q, suggestion):
    assert suggest(q) == suggestion
    assert found(suggestion)


@pytest.mark.parametrize("q", ["traiteurs", "tra", "", "xqzwv", "de la"])
def test_no_correction_for_known_words_or_gibberish(directory, q):
    assert suggest(q) is None


def test_a_correction_never_reveals_an_unpublished_enterprise(directory):
    EnterpriseFactory(name="Zorglub", status=Enterprise.Status.DRAFT)

    assert suggest("zorglab") is None
