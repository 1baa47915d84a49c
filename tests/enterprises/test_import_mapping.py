"""Header recognition as networks and the enterprise register write headers, with the reason
the columns step shows for each choice; multi-valued cells split on the profile's separators."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from enterprises.imports.mapping import (
    ALIASES,
    ColumnMapping,
    Vocabulary,
    header_key,
    looks_like_header,
    match_headers,
    recognize,
    suggest_column_map,
)
from enterprises.models import ImportProfile, ImportRun
from tests.factories import NetworkFactory, SectorFactory


@pytest.mark.parametrize("header", [
    "NomEntreprise", "Nom de l'entreprise", "nom_entreprise", "NOM_ENTREPRISE",
    "Nom de l'entreprise *", "nom-entreprise", "  Nom   de l’entreprise ",
])
def test_every_spelling_of_the_enterprise_name_header_feeds_the_name(header):
    assert suggest_column_map([header]) == {header: "name"}


def test_camel_case_headers_of_a_network_export_are_recognized():
    headers = ["NomEntreprise", "CodePostal", "SiteWeb", "FormeJuridique", "SecteurActivite",
               "Municipalite", "NoNEQ", "CourrielPrincipal", "NoTelephone", "AdresseCivique",
               "DescriptionEN", "IDEntreprise"]

    assert suggest_column_map(headers) == {
        "NomEntreprise": "name", "CodePostal": "postal_code", "SiteWeb": "website",
        "FormeJuridique": "legal_form", "SecteurActivite": "sectors", "Municipalite": "city",
        "NoNEQ": "neq", "CourrielPrincipal": "email", "NoTelephone": "phone",
        "AdresseCivique": "address", "DescriptionEN": "description_en",
        "IDEntreprise": "record_id",
    }


def test_enterprise_register_headers_are_recognized_and_its_status_does_not_take_the_form():
    headers = ["NEQ", "Nom", "Statut", "Forme juridique", "Adresse du domicile", "Municipalité",
               "Code postal", "Date d'immatriculation"]

    matches = {match.header: match for match in match_headers(headers)}

    assert suggest_column_map(headers) == {
        "NEQ": "neq", "Nom": "name", "Forme juridique": "legal_form",
        "Adresse du domicile": "address", "Municipalité": "city", "Code postal": "postal_code",
    }
    assert matches["Statut"].taken_by == "Forme juridique"
    assert matches["Date d'immatriculation"].wanted is None


def test_the_registers_own_wordings_are_recognized():
    headers = ["Numéro d'entreprise du Québec (NEQ)", "Nom de l'assujetti",
               "Nombre de salariés au Québec", "Date de constitution"]

    assert list(suggest_column_map(headers).values()) == [
        "neq", "name", "employee_band", "year_founded",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("cell", "band"), [
    ("De 1 à 5", "1-4"), ("De 6 à 10", "5-9"), ("De 11 à 25", "10-49"), ("12", "10-49"),
    ("250 et plus", "250+"), ("100-249", "100-249"), ("Aucun", None),
])
def test_a_headcount_or_a_range_of_the_register_gives_an_employee_band(cell, band):
    assert Vocabulary().resolve("employee_band", cell) == band


@pytest.mark.django_db
@pytest.mark.parametrize(("cell", "form"), [
    ("Personne morale sans but lucratif", "non_profit"),
    ("SOCIÉTÉ PAR ACTIONS OU COMPAGNIE", "other"),
    ("Coop de solidarité", "solidarity_cooperative"),
    ("Coopérative non financière", "cooperative"),
])
def test_the_registers_legal_forms_are_understood(cell, form):
    assert Vocabulary().resolve("legal_form", cell) == form


@pytest.mark.parametrize("header", [
    "MRC", "Territoire", "MRC / Territoire", "Municipalité régionale de comté",
    "MRC ou territoire équivalent",
])
def test_an_mrc_or_territory_column_feeds_the_mrc(header):
    assert suggest_column_map(["Nom", header]) == {"Nom": "name", header: "mrc"}


def test_abbreviations_and_word_order_do_not_hide_a_usual_name():
    assert suggest_column_map(["No tél.", "Courriel adresse", "Activité, secteur"]) == {
        "No tél.": "phone", "Courriel adresse": "email", "Activité, secteur": "sectors",
    }


def test_a_small_leftover_is_tolerated_and_named_in_the_reason():
    (match,) = match_headers(["Site web de l'organisme"])

    assert (match.field, match.via, match.alias) == ("website", "partial", "Site web")
    with translation.override("fr"):
        assert match.reason.replace("\xa0", " ") == (
            "Correspond à « Site web », sans tenir compte de « organisme »."
        )
    with translation.override("en"):
        assert match.reason == "Matches “Site web”, leaving aside “organisme”."


@pytest.mark.parametrize(("header", "field", "leftover"), [
    ("Téléphone (siège social)", "phone", "siège social"),
    ("Code postal (A1A 1A1)", "postal_code", "A1A 1A1"),
    ("Nom (obligatoire)", "name", "obligatoire"),
    ("Courriel de l'organisme", "email", "organisme"),
    ("Téléphone / Fax", "phone", "Fax"),
])
def test_words_in_brackets_or_one_extra_word_only_qualify_a_usual_name(header, field, leftover):
    (match,) = match_headers([header])

    assert (match.field, match.via, match.leftover) == (field, "partial", leftover)


def test_columns_about_a_contact_person_are_not_taken_for_the_enterprise():
    assert suggest_column_map(
        ["Nom du contact", "Courriel du responsable", "Prénom", "Nom du contact (si différent)"]
    ) == {}


def test_the_most_specific_header_feeds_a_field_and_the_other_says_which_column_won():
    matches = match_headers(["Nom", "Nom de l'entreprise", "Téléphone", "Téléphone (cellulaire)"])

    assert [match.field for match in matches] == [None, "name", "phone", None]
    with translation.override("fr"):
        assert matches[0].reason.replace("\xa0", " ") == (
            "Alimenterait « nom », déjà alimenté par la colonne « Nom de l'entreprise »."
        )
    with translation.override("en"):
        assert matches[3].reason == (
            "Would feed “phone”, already fed by the column “Téléphone”."
        )


def test_unknown_headers_are_ignored_with_a_reason():
    (match,) = match_headers(["Colonne inconnue"])

    assert match.field is None
    with translation.override("en"):
        assert match.reason == "No field has this usual name: ignored unless you choose one."


@pytest.mark.django_db
def test_the_profile_choice_beats_a_usual_name_and_is_explained():
    profile = ImportProfile(
        network=NetworkFactory(),
        column_map={"Organisme": "name", "Nom": "-"},
        record_id_column="Clé",
    )

    mapping = ColumnMapping(["Clé", "Nom", "Organisme", "Code postal"], profile)

    assert mapping.column_map == {"Clé": "record_id", "Organisme": "name",
                                  "Code postal": "postal_code"}
    with translation.override("fr"):
        assert mapping.explain("Organisme") == "Choisi dans le profil d'importation du réseau."
        assert mapping.explain("Nom") == "Ignorée dans le profil d'importation du réseau."
        assert mapping.explain("Code postal").replace("\xa0", " ") == (
            "Correspond au nom usuel « Code postal »."
        )


def test_header_key_folds_camel_case_accents_and_punctuation_alike():
    assert header_key("NomEntreprise") == header_key("NOM_ENTREPRISE") == "nom entreprise"
    assert header_key("SecteurActivité") == header_key("secteur-activite")
    assert header_key("Adresse1") == "adresse 1"


def test_a_data_row_is_not_taken_for_the_header():
    assert not looks_like_header(["Site web de la Coop", "Trois-Rivières", "819 555-0101"])
    assert looks_like_header(["NomEntreprise", "Municipalite", "Inconnue"])


@pytest.mark.django_db
def test_a_known_sector_name_holding_a_comma_stays_one_value():
    sector = SectorFactory(name="Arts, culture et communications")
    vocabulary = Vocabulary()

    assert vocabulary.split("sectors", "Arts, culture et communications") == [sector.name]
    assert vocabulary.split("sectors", "Arts, culture et communications, Tourisme") == [
        sector.name, "Tourisme",
    ]
    assert vocabulary.split("sectors", "Tourisme, Loisirs") == ["Tourisme", "Loisirs"]


@pytest.mark.django_db
def test_a_value_map_entry_holding_a_comma_stays_one_value():
    profile = ImportProfile(
        network=NetworkFactory(),
        value_maps={"sectors": {"Emballage, conditionnement": "fabrication"}},
    )
    vocabulary = Vocabulary(profile)

    assert vocabulary.split("sectors", "Emballage, conditionnement | Habitation") == [
        "Emballage, conditionnement", "Habitation",
    ]


@pytest.mark.django_db
def test_multi_valued_cells_split_on_the_profiles_own_separators():
    network = NetworkFactory()
    slashes = Vocabulary(ImportProfile(network=network, list_separators="/"))
    default = Vocabulary(ImportProfile(network=network))

    assert slashes.split("labels", "Équitable / Biologique") == ["Équitable", "Biologique"]
    assert slashes.split("labels", "Équitable; Biologique") == ["Équitable; Biologique"]
    assert default.split("labels", "Équitable\nBiologique;Local|Boréal") == [
        "Équitable", "Biologique", "Local", "Boréal",
    ]


@pytest.mark.django_db
def test_a_comma_listed_as_separator_still_keeps_known_names_whole():
    sector = SectorFactory(name="Arts, culture et communications")
    typed = Vocabulary(ImportProfile(network=NetworkFactory(), list_separators=",\\n"))

    assert typed.split("sectors", "Arts, culture et communications\nTourisme, Loisirs") == [
        sector.name, "Tourisme", "Loisirs",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "chosen", "ignored"), [
    ("fr", "Correspond au nom usuel « Nom de l'entreprise ».",
     "Alimenterait « code postal », déjà alimenté par la colonne « CodePostal »."),
    ("en", "Matches the usual name “Nom de l'entreprise”.",
     "Would feed “postal code”, already fed by the column “CodePostal”."),
])
def test_the_columns_step_shows_why_each_column_was_chosen_or_ignored(
    staff_client, language, chosen, ignored
):
    content = "NomEntreprise;CodePostal;CP;Remarques\nCPE LES SOLEILS;G0X 2W0;G0X 2W0;\n"
    with translation.override(language):
        staff_client.post(reverse("admin:enterprises_importrun_upload"), {
            "network": NetworkFactory().pk,
            "file": SimpleUploadedFile("membres.csv", content.encode()),
        })
        page = staff_client.get(
            reverse("admin:enterprises_importrun_columns", args=[ImportRun.objects.get().pk])
        )

    text = html.unescape(page.content.decode()).replace("\xa0", " ")
    assert chosen in text
    assert ignored in text


def camel_case(text):
    return "".join(word.capitalize() for word in re.split(r"[\W_]+", text))


@pytest.mark.parametrize(("field", "alias"), [
    (field, alias) for field, aliases in ALIASES.items() for alias in aliases
])
def test_every_usual_name_is_recognized_in_capitals_snake_case_or_camel_case(field, alias):
    spellings = {alias.upper(), alias.lower().replace(" ", "_"), camel_case(alias)}

    assert {spelling: recognize(spelling)[0] for spelling in spellings} == dict.fromkeys(
        spellings, field)
