"""Search words that name a category or a place, in a real browser with live updates, in both
languages: the note when they were applied, the link back to the text as typed, and the
one-click filter they offer; no console error."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from enterprises.models import Category
from tests.factories import EnterpriseFactory, municipality, region

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = {"fr": "", "en": "/en"}
TEXTS = {
    "fr": {
        "note": r"Aucun résultat pour «\s*traiteur Longueuil\s*»\s*;\s*voici plutôt\s*:"
                r"\s*«\s*Traiteur et buffets\s*»\s*—\s*Longueuil",
        "as_typed": r"Chercher «\s*traiteur Longueuil\s*» tel quel",
        "offer": r"Voir «\s*Traiteur et buffets\s*» \(2\)",
    },
    "en": {
        "note": r"No results for “traiteur Longueuil”; showing “Catering and buffets” — "
                r"Longueuil instead",
        "as_typed": r"Search for “traiteur Longueuil” as typed",
        "offer": r"See “Catering and buffets” \(2\)",
    },
}


@pytest.fixture
def directory():
    cache.clear()
    catering = Category.objects.get(slug="traiteur")
    EnterpriseFactory(
        name="Cuisine du Vieux", categories=[catering], municipality=municipality("Longueuil")
    )
    EnterpriseFactory(name="Festins de Montréal", categories=[catering], region=region("06"))
    EnterpriseFactory(name="Les Traiteurs Associés", description_fr="Services en coopérative.")


@pytest.fixture
def console_errors(page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.mark.parametrize("language", LANGUAGES)
def test_place_and_category_words_are_applied_undone_and_offered_live(
    page, live_server, directory, language, console_errors
):
    texts = TEXTS[language]
    listing = f"{live_server.url}{LANGUAGES[language]}{reverse('enterprises:list')}"
    page.goto(listing)

    page.fill("#id_q", "traiteur Longueuil")
    page.press("#id_q", "Enter")
    note = page.locator(".search-hint[role=status]")
    expect(note).to_contain_text(re.compile(texts["note"]))
    expect(page.locator(".result-list h3")).to_have_text(["Cuisine du Vieux"])
    # The address (the filters applied join it once the live update shows them) reloads to
    # the same page.
    expect(page).to_have_url(re.compile(r"\?q=traiteur(\+|%20)Longueuil"))
    page.reload()
    expect(note).to_contain_text(re.compile(texts["note"]))
    expect(page.locator(".result-list h3")).to_have_text(["Cuisine du Vieux"])

    page.click(".search-hint a")
    expect(page).to_have_url(re.compile(r"as_typed=1"))
    expect(note).to_have_count(0)
    expect(page.locator(".result-list")).to_have_count(0)

    page.goto(listing)
    page.fill("#id_q", "traiteurs")
    page.press("#id_q", "Enter")
    offer = page.locator(".search-hints a")
    expect(offer).to_have_text(re.compile(texts["offer"]))
    expect(page.locator(".result-list > li")).to_have_count(3)

    offer.click()
    expect(page).to_have_url(re.compile(r"category=traiteur"))
    expect(page.locator(".result-list > li")).to_have_count(2)
    assert console_errors == []
