"""Search in both languages: English stems beside French ones, and the synonym sets staff edit."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises.models import Category, Enterprise
from enterprises.search import SynonymSet, search, suggest
from enterprises.search.synonyms import SynonymTable
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

LISTING = "/repertoire/"


def found(q):
    return {enterprise.name for enterprise in search(Enterprise.objects.published(), q)}


def listed(client, q, language=""):
    response = client.get(f"{language}{LISTING}", {"q": q})
    assert response.status_code == 200
    return [enterprise.name for enterprise in response.context["enterprises"]]


@pytest.fixture
def directory():
    """One enterprise per kind of purchase the issue names, and unrelated ones."""
    def category(slug):
        return [Category.objects.get(slug=slug)]

    EnterpriseFactory(name="Cuisine collective", categories=category("traiteur"))
    EnterpriseFactory(name="Imprimerie solidaire", categories=category("imprimerie"))
    EnterpriseFactory(name="Coop Propreté", categories=category("entretien-menager"))
    EnterpriseFactory(
        name="Atelier vert",
        description_fr="Aménagement paysager.",
        description_en="We print nothing; we landscape.",
    )
    for name in ("Friperie du coin", "Vélo Québec", "Coopérative funéraire"):
        EnterpriseFactory(name=name)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("caterers", "Cuisine collective"),
        ("printers", "Imprimerie solidaire"),
        ("cleaners", "Coop Propreté"),
        ("office cleaning", "Coop Propreté"),
    ],
)
@pytest.mark.parametrize("language", ["", "/en"])
def test_english_plurals_and_phrases_find_results_in_both_languages(
    client, directory, q, expected, language
):
    assert expected in listed(client, q, language)


def test_english_text_is_stemmed_in_english(directory):
    # The English description says « landscape »; the French stemmer alone leaves
    # ``landscaping`` and ``landscape`` apart.
    assert "Atelier vert" in found("landscaping")


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("buffet", "Cuisine collective"),
        ("caterer", "Cuisine collective"),
        ("nettoyage", "Coop Propreté"),
        ("conciergerie", "Coop Propreté"),
        ("janitor", "Coop Propreté"),
        ("impression", "Imprimerie solidaire"),
        ("printing", "Imprimerie solidaire"),
    ],
)
def test_seeded_synonyms_find_the_same_enterprises_in_either_language(directory, q, expected):
    assert expected in found(q)


def test_a_multi_word_synonym_is_matched_as_a_phrase_of_words(directory):
    # « ménage de bureaux » is not a term, but « entretien ménager » is, with « nettoyage ».
    SynonymSet.objects.create(terms="nettoyage de vitres\nlavage de fenêtres")
    EnterpriseFactory(name="Hauteurs propres", description_fr="Lavage de fenêtres en hauteur.")

    assert found("nettoyage de vitres") == {"Hauteurs propres"}
    assert found("entretien ménager") >= {"Coop Propreté"}
    # Each word alone is not the phrase: « vitres » finds nothing.
    assert found("vitres") == set()


def test_a_synonym_set_added_in_the_admin_takes_effect_on_the_next_search(
    admin_client, client, directory
):
    assert listed(client, "gizmo") == []  # the listing keeps this text's matches

    response = admin_client.post(
        reverse("admin:enterprises_synonymset_add"),
        {"terms": "gizmo, imprimerie", "category": ""},
    )
    assert response.status_code == 302
    assert listed(client, "gizmo") == ["Imprimerie solidaire"]

    synonym_set = SynonymSet.objects.get(terms="gizmo, imprimerie")
    admin_client.post(
        reverse("admin:enterprises_synonymset_change", args=[synonym_set.pk]),
        {"terms": "gizmo\ntraiteur", "category": ""},
    )
    assert listed(client, "gizmo") == ["Cuisine collective"]

    admin_client.post(reverse("admin:enterprises_synonymset_delete", args=[synonym_set.pk]),
                      {"post": "yes"})
    assert listed(client, "gizmo") == []


def test_a_synonym_set_needs_two_different_terms():
    with pytest.raises(ValidationError) as raised:
        SynonymSet(terms="Traiteur\ntraiteur ,  ").full_clean()
    assert "terms" in raised.value.message_dict


def test_terms_may_be_separated_by_lines_commas_or_semicolons():
    synonym_set = SynonymSet(terms="traiteur, buffet;\n caterer \n\ntraiteur")
    assert synonym_set.term_list() == ["traiteur", "buffet", "caterer"]
    assert str(synonym_set) == "traiteur ↔ buffet ↔ caterer"


def test_every_category_of_the_reference_tree_has_a_seeded_synonym_set():
    named = set(SynonymSet.objects.exclude(category=None).values_list("category__slug", flat=True))
    assert set(Category.objects.values_list("slug", flat=True)) <= named


def test_the_longest_term_wins_and_plural_forms_match():
    table = SynonymTable.of([
        (None, ["nettoyage", "cleaning"]),
        (None, ["nettoyage de textiles", "laundry"]),
    ])

    assert table.spans(["nettoyages", "textiles"]) == {0: (2, (("laundry",),))}
    assert table.spans(["nettoyage", "bureaux"]) == {0: (1, (("cleaning",),))}
    assert table.spans(["cleaners"]) == {}  # a different word, not a plural of « cleaning »


def test_terms_that_repeat_the_typed_words_add_nothing():
    table = SynonymTable.of([(None, ["traiteur", "service de traiteur", "buffet"])])
    assert table.spans(["traiteur"]) == {0: (1, (("buffet",),))}


def test_the_synonym_sets_are_read_once_per_revision_of_the_directory(client, directory):
    listed(client, "buffet")

    with CaptureQueriesContext(connection) as queries:
        listed(client, "caterer")
    assert not [query for query in queries if "enterprises_synonymset" in query["sql"]]


def test_did_you_mean_also_knows_the_synonym_sets_words(directory):
    # No enterprise's own text says « conciergerie »: its set's words are known all the same.
    assert suggest("conciergrie") == "conciergerie"
    assert "Coop Propreté" in found(suggest("conciergrie"))
