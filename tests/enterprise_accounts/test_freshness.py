"""Buyers see on each result card when the enterprise last confirmed its profile."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from enterprise_accounts import profiles
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def card_of(response, enterprise):
    """The text of ``enterprise``'s result card, no-break spaces read as spaces."""
    page = response.content.decode().replace("\xa0", " ")
    return re.search(rf'<article[^>]*"enterprise-{enterprise.pk}".*?</article>', page,
                     re.S).group(0)


def listing(language):
    with translation.override(language):
        return reverse("enterprises:list")


def test_result_cards_say_when_the_enterprise_confirmed_its_profile(
    client, django_assert_max_num_queries
):
    confirmed = EnterpriseFactory(name="Coop Confirmée", confirmed_on=date(2026, 5, 2))
    silent = EnterpriseFactory(name="Coop Muette")
    for _extra in range(10):
        EnterpriseFactory(confirmed_on=date(2026, 5, 3))

    # The date comes from the row each card already reads, not a query per card. 12 queries,
    # as many as without any confirmed card: the directory's revision; the index build
    # (enterprises, then their regions, categories, sectors and labels; the category, region,
    # sector and label lists); the page's rows; their categories.
    with django_assert_max_num_queries(12):
        french = client.get(listing("fr"))
    english = client.get(listing("en"))

    assert "Confirmée par l'entreprise le 2 mai 2026" in card_of(french, confirmed)
    assert "Confirmed by the enterprise on May 2, 2026" in card_of(english, confirmed)
    assert "Confirmée" not in card_of(french, silent)
    assert "Confirmed" not in card_of(english, silent)


def test_a_new_confirmation_shows_on_the_card_at_once(client):
    enterprise = EnterpriseFactory(confirmed_on=date(2025, 1, 15))
    assert "15 janvier 2025" in card_of(client.get(listing("fr")), enterprise)

    profiles.confirm(enterprise)

    card = card_of(client.get(listing("fr")), enterprise)
    with translation.override("fr"):
        today = date_format(timezone.localdate(), "DATE_FORMAT")
    assert f"Confirmée par l'entreprise le {today}" in card.replace("\xa0", " ")
    assert "2025" not in card
