"""The sheet index lists its families in the order of the page's language, accents aside."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from enterprises.models import Category
from tests.factories import ProcurementSheetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheets():
    for slug in ("services-entreprises", "evenements-culture", "alimentation"):
        ProcurementSheetFactory(category=Category.objects.get(slug=slug))


def family_headings(client, language):
    with translation.override(language):
        page = client.get(reverse("programs:sheet_index")).content.decode()
    return re.findall(r"<h2>(.*?)</h2>", page)


def test_french_index_puts_accented_names_in_their_alphabetical_place(client, sheets):
    assert family_headings(client, "fr") == [
        "Alimentation et restauration",
        "Événements, culture et loisirs",
        "Services aux entreprises",
    ]


def test_english_index_is_sorted_by_the_english_names(client, sheets):
    assert family_headings(client, "en") == [
        "Business services", "Events, culture and recreation", "Food and catering",
    ]
