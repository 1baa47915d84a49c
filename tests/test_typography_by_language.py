"""Quotes and colons by the page's language: « » with no-break spaces and a no-break space before
a colon in French; “ ” and no space before a colon in English (the issue's list: the directory's
« Exporter CSV / XLSX: », guillemets on English pages)."""

import html
import json

import pytest
from django.urls import reverse
from django.utils import translation

from enterprises.models import ImportProfile, ImportRun, Network
from tests.enterprises.test_import_admin import confirm_columns, profile_form_data, upload
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def text_of(response):
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(("language", "export", "error"), [
    ("fr", f"Exporter CSV / XLSX{NBSP}:", f"Résultats par page{NBSP}: Sélectionnez"),
    ("en", "Export CSV / XLSX:", "Results per page: Select"),
])
def test_the_directorys_export_label_and_errors_have_the_languages_colon(
    client, language, export, error
):
    EnterpriseFactory()
    with translation.override(language):
        page = text_of(client.get(reverse("enterprises:list"), {"per_page": "7"}))

    assert export in page
    assert error in page


@pytest.mark.parametrize(("language", "status"), [
    ("fr", f"0 signataire correspond à «{NBSP}zzz{NBSP}»."),
    ("en", "0 signatories match “zzz”."),
])
def test_the_declarations_search_quotes_the_words_as_the_language_does(client, language, status):
    with translation.override(language):
        page = text_of(client.get(reverse("purchases:declaration"), {"q": "zzz"}))

    assert status in page
    if language == "en":
        assert "«" not in page


@pytest.mark.parametrize(("language", "heading", "reason"), [
    ("fr", f"Colonnes de «{NBSP}cesim.csv{NBSP}»", f"Correspond au nom usuel «{NBSP}"),
    ("en", "Columns of “cesim.csv”", "Matches the usual name “"),
])
def test_the_columns_step_quotes_the_file_and_the_usual_names_by_language(
    staff_client, language, heading, reason
):
    with translation.override(language):
        upload(staff_client, "cesim.csv")
        page = text_of(staff_client.get(reverse(
            "admin:enterprises_importrun_columns", args=[ImportRun.objects.get().pk]
        )))

    assert heading in page
    assert reason in page
    if language == "en":
        assert "«" not in page


@pytest.mark.parametrize(("language", "label"), [
    ("fr", f"Secteurs d'activité «{NBSP}Emballage à façon{NBSP}»{NBSP}:</label>"),
    ("en", "Sectors “Emballage à façon”:</label>"),
])
def test_the_run_page_names_each_unknown_value_by_language(staff_client, language, label):
    with translation.override(language):
        upload(staff_client, "cqea.json", network="cqea")
        confirm_columns(staff_client, ImportRun.objects.get())
        page = text_of(staff_client.get(reverse(
            "admin:enterprises_importrun_change", args=[ImportRun.objects.get().pk]
        )))

    assert label in page


@pytest.mark.parametrize(("language", "messages"), [
    ("fr", [f"«{NBSP}Téléphone{NBSP}»{NBSP}: «{NBSP}telephone{NBSP}» ne fait pas partie",
            f"«{NBSP}city{NBSP}» n'a pas de liste de valeurs{NBSP};"]),
    ("en", ["“Téléphone”: “telephone” is not one of the fields",
            "“city” has no list of values; use one of:"]),
])
def test_the_import_profiles_errors_quote_by_language(staff_client, language, messages):
    profile, _created = ImportProfile.objects.get_or_create(
        network=Network.objects.get(slug="cesim")
    )
    with translation.override(language):
        page = text_of(staff_client.post(
            reverse("admin:enterprises_importprofile_change", args=[profile.pk]),
            profile_form_data(
                profile, column_map=json.dumps({"Téléphone": "telephone"}),
                value_maps=json.dumps({"city": {"Mtl": "Montréal"}}),
            ),
        ))

    for message in messages:
        assert message in page
