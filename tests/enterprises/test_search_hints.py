"""Query words that name a category or a place: offered as a filter, applied when nothing else
matches, in both languages, with and without JavaScript."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enterprises.models import Category
from enterprises.search.hints import interpret
from tests.factories import EnterpriseFactory, municipality, region

pytestmark = pytest.mark.django_db

LISTING = "/repertoire/"


def catering():
    return Category.objects.get(slug="traiteur")


def names(response):
    return [enterprise.name for enterprise in response.context["enterprises"]]


def hint_links(page):
    """The (href, text) of the one-click filters the page offers."""
    block = re.search(r'<ul class="search-hints">(.*?)</ul>', page, re.S)
    if not block:
        return []
    return [
        (href.replace("&amp;", "&"), " ".join(text.split()))
        for href, text in re.findall(r'<a href="([^"]*)">(.*?)</a>', block.group(1), re.S)
    ]


@pytest.fixture
def directory():
    EnterpriseFactory(
        name="Cuisine du Vieux", categories=[catering()], municipality=municipality("Longueuil")
    )
    EnterpriseFactory(name="Festins de Montréal", categories=[catering()], region=region("06"))
    EnterpriseFactory(
        name="Les Traiteurs Associés", description_fr="Une coopérative de services."
    )
    EnterpriseFactory(name="Atelier du Vieux-Longueuil", municipality=municipality("Longueuil"))


@pytest.mark.parametrize("q", ["montérégie", "MONTEREGIE", "Montérégie", "monteregie"])
def test_a_region_is_read_whatever_its_accents_and_case(directory, q):
    place = interpret(f"traiteur {q}").place
    assert (place.facet, place.value) == ("region", "16")


def test_a_municipality_is_read_as_its_mrc_and_saint_may_be_abbreviated(directory):
    interpretation = interpret("entretien ménager St-Rémi")

    assert [c.slug for c in interpretation.categories] == ["entretien-menager"]
    assert interpretation.place.value == "les-jardins-de-napierville"
    assert interpretation.place.label == "Saint-Rémi (Les Jardins-de-Napierville)"
    assert interpretation.remaining == ""


def test_linking_words_go_with_the_place_and_other_words_stay_as_typed(directory):
    interpretation = interpret("caterers in Montreal")
    assert interpretation.place.value == "06"
    assert interpretation.remaining == ""

    assert interpret("Coopérative à Longueuil").remaining == "Coopérative"


def test_words_that_only_look_like_a_place_are_not_read_as_one(directory):
    # Low and Price are municipalities too.
    assert interpret("low price printing").place is None


def test_an_empty_text_search_applies_the_filters_its_words_name_and_says_so(
    client, directory
):
    response = client.get(f"/en{LISTING}", {"q": "traiteur Longueuil"})
    page = response.content.decode()

    assert names(response) == ["Cuisine du Vieux"]
    assert (
        "No results for “traiteur Longueuil”; showing “Catering and buffets” — Longueuil "
        "instead." in page
    )
    assert 'role="status"' in page
    undo = re.search(
        r'<a href="\?([^"]*as_typed=1[^"]*)">Search for “traiteur Longueuil” as typed', page
    )
    assert undo

    as_typed = client.get(f"/en{LISTING}?{undo.group(1).replace('&amp;', '&')}")
    assert names(as_typed) == []
    assert "No results for" not in as_typed.content.decode()


def test_in_french_the_note_and_the_link_are_in_french(client, directory):
    # French pages set non-breaking spaces inside « » and before ; and :.
    page = " ".join(client.get(LISTING, {"q": "traiteur Longueuil"}).content.decode().split())

    assert (
        "Aucun résultat pour « traiteur Longueuil » ; voici plutôt : « Traiteur et buffets » — "
        "Longueuil." in page
    )
    assert "Chercher « traiteur Longueuil » tel quel" in page


def test_when_the_category_and_place_together_find_nothing_the_category_alone_is_shown(
    client, directory
):
    response = client.get(f"/en{LISTING}", {"q": "caterers Gatineau"})

    assert set(names(response)) == {"Cuisine du Vieux", "Festins de Montréal"}
    assert "showing “Catering and buffets” instead" in response.content.decode()


def test_a_misspelled_search_that_finds_nothing_shows_the_corrected_one(client, directory):
    response = client.get(f"/en{LISTING}", {"q": "cuisinne"})

    assert names(response) == ["Cuisine du Vieux"]
    assert "No results for “cuisinne”; showing “cuisine” instead." in response.content.decode()


def test_words_naming_a_category_are_offered_as_a_filter_beside_the_text_results(
    client, directory
):
    response = client.get(f"/en{LISTING}", {"q": "traiteurs"})

    # The text finds the name too; the category keeps only its caterers.
    assert set(names(response)) == {
        "Cuisine du Vieux", "Festins de Montréal", "Les Traiteurs Associés"
    }
    links = hint_links(response.content.decode())
    assert links == [("?category=traiteur", "See “Catering and buffets” (2)")]

    clicked = client.get(f"/en{LISTING}{links[0][0]}")
    assert set(names(clicked)) == {"Cuisine du Vieux", "Festins de Montréal"}


def test_the_offer_is_in_french_on_the_french_page(client, directory):
    page = client.get(LISTING, {"q": "traiteurs"}).content.decode()
    assert hint_links(page) == [("?category=traiteur", "Voir « Traiteur et buffets » (2)")]


def test_a_place_word_beside_other_words_keeps_them_as_text(client, directory):
    response = client.get(f"/en{LISTING}", {"q": "atelier Longueuil"})

    assert names(response) == ["Atelier du Vieux-Longueuil"]  # its name holds both words
    assert hint_links(response.content.decode()) == []  # the same single result: no offer


def test_live_updates_carry_the_same_hints_as_a_full_load(client, directory):
    full = client.get(f"/en{LISTING}", {"q": "traiteurs"}).content.decode()
    fragment = client.get(
        f"/en{LISTING}", {"q": "traiteurs"}, headers={"HX-Request": "true"}
    ).content.decode()

    assert hint_links(fragment) == hint_links(full) != []


def test_hints_read_the_place_names_once_per_revision(client, directory):
    client.get(LISTING, {"q": "traiteur Longueuil"})

    with CaptureQueriesContext(connection) as queries:
        client.get(LISTING, {"q": "traiteur Longueuil"})
    assert not [
        query for query in queries
        if 'FROM "enterprises_municipality"' in query["sql"]
        or 'FROM "enterprises_synonymset"' in query["sql"]
    ]


def test_a_first_search_offering_a_category_counts_it_from_the_index_it_read(
    client, directory, settings, django_assert_num_queries
):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600
    client.get(LISTING, {"q": "traiteur Longueuil"})  # the index, synonyms and place names

    # The directory's revision; the text's matches with their ranks; the page of results;
    # their categories. The offer's count reads neither the revision nor the category again.
    with django_assert_num_queries(1 + 1 + 1 + 1):
        response = client.get(LISTING, {"q": "traiteurs"})

    assert hint_links(response.content.decode()) == [
        ("?category=traiteur", "Voir « Traiteur et buffets » (2)")
    ]


def test_a_live_update_sending_the_applied_filters_back_shows_the_same_page(client, directory):
    # After a hint is applied, the filters show as chosen: the next live update sends them
    # with the text as typed. The words then only repeat the filters.
    response = client.get(
        f"/en{LISTING}", {"q": "traiteur Longueuil", "category": "traiteur", "mrc": "longueuil"}
    )

    assert names(response) == ["Cuisine du Vieux"]
    assert "showing “Catering and buffets” — Longueuil instead" in response.content.decode()


def test_a_place_outside_the_chosen_region_gives_way_to_the_region(client, directory):
    response = client.get(f"/en{LISTING}", {"q": "traiteur Longueuil", "region": "06"})

    assert names(response) == ["Festins de Montréal"]
    assert "showing “Catering and buffets” instead" in response.content.decode()


def test_a_kept_offer_stays_in_the_language_of_each_page_until_the_directory_changes(
    client, directory, settings
):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600  # the index, and the offers, are kept
    client.get(LISTING, {"q": "traiteurs"})

    english = client.get(f"/en{LISTING}", {"q": "traiteurs"}).content.decode()
    assert hint_links(english) == [("?category=traiteur", "See “Catering and buffets” (2)")]

    EnterpriseFactory(name="Buffets du Nord", categories=[catering()])
    french = client.get(LISTING, {"q": "traiteurs"}).content.decode()
    assert hint_links(french) == [("?category=traiteur", "Voir « Traiteur et buffets » (3)")]
