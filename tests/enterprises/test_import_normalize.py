"""Text normalization that never damages: register-style capitals are fixed, a source's own
case is kept, words holding a digit are untouched, and post-office boxes leave the city."""

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enterprises.imports import pipeline
from enterprises.imports.normalize import (
    EXTENSION,
    fix_address,
    fix_capitals,
    missing_tokens,
    names_in_capitals,
    normalize_phone_number,
    normalize_record,
    normalize_website,
    try_normalize,
)
from enterprises.models import Enterprise, ImportRun
from enterprises.validators import normalize_phone
from tests.factories import NetworkFactory

MISSING = missing_tokens(["NA", "N/D", "-"])


def normalized(**cells):
    return normalize_record(cells, MISSING)


@pytest.mark.parametrize(("register", "expected"), [
    ("L'ORCHESTRE SYMPHONIQUE DE TROIS-RIVIÈRES INC.",
     "L'Orchestre Symphonique de Trois-Rivières inc."),
    ("GROUPE RCM INC.", "Groupe RCM inc."),
    ("CPE LES SOLEILS DE MÉKINAC", "CPE les Soleils de Mékinac"),
    ("C.P.E. LES SOLEILS DE MÉKINAC", "C.P.E. les Soleils de Mékinac"),
    ("À LA FÛT, COOP DE TRAVAIL BRASSICOLE", "À la Fût, Coop de Travail Brassicole"),
    ("CDC DU ROC - LA CORPORATION DE DÉVELOPPEMENT",
     "CDC du Roc - La Corporation de Développement"),
    ("ÉPICERIE SOLIDAIRE DU CAP LTÉE", "Épicerie Solidaire du Cap ltée"),
    ("CENTRE D'ACTION BÉNÉVOLE (CAB) DE MÉKINAC", "Centre d'Action Bénévole (CAB) de Mékinac"),
    ("LES ATELIERS DU CHANTIER II ENR.", "Les Ateliers du Chantier II enr."),
    ("CIUSSS MCQ - CHSLD ST-JOSEPH", "CIUSSS MCQ - CHSLD St-Joseph"),
    ("1022PV-3351", "1022PV-3351"),
    ("LES JARDINS D'AUJOURD'HUI", "Les Jardins d'Aujourd'hui"),
    ("CAFÉ À LA CARTE - PLAN B", "Café à la Carte - Plan B"),
])
def test_register_names_in_capitals_get_french_title_case(register, expected):
    assert normalized(name=register)["name"] == expected


@pytest.mark.parametrize("name", [
    "Groupe RCM inc.", "L'orchestre symphonique de Trois-Rivières inc.", "CLUB Loa",
    "CPE Les soleils de Mékinac", "Café Chez McIntyre", "À la Fût, coop de travail brassicole",
])
def test_names_with_any_lower_case_letter_keep_their_sources_case(name):
    assert normalized(name=name)["name"] == name


def test_a_name_in_capitals_among_mixed_case_names_is_its_sources_choice():
    network = [{"name": "Groupe RCM inc."}, {"name": "CLUB LOA"}, {"name": "Camp du Lac Vert"}]
    register = [{"name": "GROUPE RCM INC."}, {"name": "CLUB LOA"}, {"name": "Camp du Lac Vert"}]

    assert not names_in_capitals(network)
    assert names_in_capitals(register)
    assert normalize_record({"name": "CLUB LOA", "address": "120, 11E AVENUE NORD"}, MISSING,
                            title_case_names=False) == {
        "name": "CLUB LOA", "address": "120, 11E Avenue Nord",
    }


@pytest.mark.parametrize(("address", "expected"), [
    ("120, 11E AVENUE NORD", "120, 11E Avenue Nord"),
    ("120, RUE PRINCIPALE, BUREAU 200", "120, rue Principale, bureau 200"),
    ("1550, BOUL. DES FORGES", "1550, boul. des Forges"),
    ("CHEMIN DU LAC-À-LA-TORTUE", "Chemin du Lac-à-la-Tortue"),
    ("CP 490", "CP 490"),
    ("CP 1281, SUCC. BUREAU-CHEF", "CP 1281, Succ. Bureau-Chef"),
    ("C.P. 490", "C.P. 490"),
    ("CASE POSTALE 12", "Case postale 12"),
    ("120, 11e avenue Nord", "120, 11e avenue Nord"),
])
def test_addresses_in_capitals_are_fixed_without_touching_numbers_or_boxes(address, expected):
    assert normalized(address=address)["address"] == expected


@pytest.mark.parametrize(("city", "expected"), [
    ("Trois-Rivières (Québec)", "Trois-Rivières"),
    ("TROIS-RIVIÈRES (QUÉBEC)", "Trois-Rivières"),
    ("ST-ROCH-DE-MÉKINAC (QC)", "St-Roch-de-Mékinac"),
    ("Shawinigan, QC", "Shawinigan"),
    ("Louiseville Québec", "Louiseville"),
    ("Québec (Québec)", "Québec"),
    ("Québec", "Québec"),
    ("Ville de Québec", "Ville de Québec"),
])
def test_a_trailing_province_leaves_the_municipality(city, expected):
    assert normalized(city=city)["city"] == expected


@pytest.mark.parametrize(("city", "address", "expected_address", "expected_city"), [
    ("CP 1281", "120, RUE PRINCIPALE", "120, rue Principale, CP 1281", ""),
    ("C.P. 490", "", "C.P. 490", ""),
    ("Case postale 12", "NA", "Case postale 12", ""),
    ("PO Box 5", "12 Main Street", "12 Main Street, PO Box 5", ""),
    ("Bureau 200", "1500, boul. Royal", "1500, boul. Royal, Bureau 200", ""),
    ("Local 3", "45, rue des Forges", "45, rue des Forges, Local 3", ""),
    ("Suite 100", "10 King Street", "10 King Street, Suite 100", ""),
    ("App. 4", "8, rue Notre-Dame", "8, rue Notre-Dame, App. 4", ""),
    ("C.P. 490, SAINT-TITE", "", "C.P. 490", "Saint-Tite"),
    ("CP 1281", "120, rue Principale, CP 1281", "120, rue Principale, CP 1281", ""),
])
def test_a_post_office_box_or_unit_in_the_city_cell_moves_to_the_address(
    city, address, expected_address, expected_city
):
    record = normalized(city=city, address=address)

    assert (record["address"], record["city"]) == (expected_address, expected_city)


def test_a_box_moves_to_the_address_even_without_an_address_column():
    assert normalized(name="CAMP DU LAC VERT", city="CP 1281") == {
        "name": "Camp du Lac Vert", "city": "", "address": "CP 1281",
    }


@pytest.mark.parametrize(("website", "expected"), [
    ("HTTPS://WWW.Example.COM/Path", "https://www.example.com/Path"),
    ("www.CLE.coop", "https://www.cle.coop"),
    ("Facebook.com/MonOrganisme?Ref=Annuaire", "https://facebook.com/MonOrganisme?Ref=Annuaire"),
    ("Camp du Lac Vert", "Camp du Lac Vert"),
    ("aucun", "aucun"),
    ("Info@CampDuLacVert.ca", "Info@CampDuLacVert.ca"),
])
def test_website_hosts_are_lower_cased_and_non_addresses_left_for_validation(website, expected):
    assert normalize_website(website) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("COOPÉRATIVE DE SOLIDARITÉ LES JARDINS DU RIVAGE", "Coopérative de solidarité"),
    ("À LA FÛT, COOP DE TRAVAIL BRASSICOLE", "Coopérative de travail"),
    ("COOPÉRATIVE FUNÉRAIRE DE LA MAURICIE", "Coopérative non financière"),
])
def test_the_registers_generic_cooperative_form_takes_the_kind_its_name_states(name, expected):
    record = normalized(name=name, legal_form="Coopérative non financière")

    assert record["legal_form"] == expected


def test_a_canonical_files_plain_cooperative_is_kept_whatever_its_name():
    record = normalized(name="Coop de solidarité du Rivage", legal_form="cooperative")

    assert record["legal_form"] == "cooperative"


@pytest.mark.parametrize(("postal_code", "expected"), [
    ("g8y5g7", "G8Y 5G7"), ("G8Y-5G7", "G8Y 5G7"), ("G8Y 5G7", "G8Y 5G7"),
    ("G8Y5GY", "G8Y5GY"), ("D8Y 5G7", "D8Y 5G7"), ("N/A", "N/A"),
])
def test_postal_codes_are_written_canonically_and_bad_ones_kept_for_validation(
    postal_code, expected
):
    assert normalize_record({"postal_code": postal_code}, MISSING)["postal_code"] == expected


@pytest.mark.parametrize(("year", "expected"), [
    ("1995.0", "1995"), ("1995-03-12", "1995"), ("12/03/1995", "1995"), ("vers 1990", "vers 1990"),
])
def test_a_founding_date_gives_its_year(year, expected):
    assert normalized(year_founded=year)["year_founded"] == expected


def test_new_lines_in_a_multi_valued_cell_are_kept_for_splitting():
    record = normalized(sectors="Habitation\n  Tourisme   social \n", name="Coop\nHabitat")

    assert record == {"sectors": "Habitation\nTourisme social", "name": "Coop Habitat"}


upper_words = st.lists(
    st.text(alphabet="ABCDEÉÈFGHIJKLMNOPQRSTUVWXYZÀÎÔ'-.0123456789(),", min_size=1,
            max_size=12),
    min_size=1, max_size=8,
).map(" ".join)
any_words = st.lists(
    st.text(alphabet=st.characters(categories=["L", "N", "P"]), min_size=1, max_size=12),
    min_size=1, max_size=8,
).map(" ".join)


@given(st.one_of(upper_words, any_words))
def test_normalizing_twice_changes_nothing(text):
    once = normalized(name=text, address=text, city=text, website=text)

    assert normalized(**once) == once


@given(st.one_of(upper_words, any_words))
def test_a_word_holding_a_digit_is_never_changed(text):
    kept = {word for word in text.split() if any(c.isdigit() for c in word)}

    assert kept <= set(fix_capitals(text).split())
    assert kept <= set(fix_address(text).split())


phone_numbers = st.builds(
    lambda layout, area, exchange, line, extension: layout.format(
        a=area, b=exchange, c=f"{line:04d}") + extension,
    st.sampled_from(["({a}) {b}-{c}", "{a}.{b}.{c}", "{a}-{b}-{c}", "{a}{b}{c}", "1 {a} {b} {c}",
                     "+1 ({a}) {b}-{c}", "1-{a}-{b}-{c}", "{a} {b} {c}"]),
    st.integers(100, 999), st.integers(100, 999), st.integers(0, 9999),
    st.sampled_from(["", " poste 22", " p. 3", " ext. 12", " x 5", " #123456"]),
)


@given(phone_numbers)
def test_the_quick_path_for_plain_phone_numbers_writes_what_the_phone_library_writes(phone):
    assert normalize_phone_number(phone) == try_normalize(
        normalize_phone, EXTENSION.sub(r" ext. \1", phone)
    )


@pytest.mark.django_db
def test_a_register_style_file_lands_with_tidy_names_addresses_and_cities():
    content = (
        "NEQ;Nom;FormeJuridique;Adresse du domicile;Municipalite;CodePostal;RegionAdministrative;"
        "SiteWeb\n"
        "1140000004;L'ORCHESTRE SYMPHONIQUE DE TROIS-RIVIÈRES INC.;OBNL;"
        "120, 11E AVENUE NORD;CP 1281;G8Y5G7;04;HTTPS://WWW.OSTR.CA/Concerts\n"
        "1140000012;Groupe RCM inc.;Coopérative;1022PV-3351, RUE DES FORGES;"
        "TROIS-RIVIÈRES (QUÉBEC);g9a 2h1;04;www.GroupeRCM.com\n"
    )
    run = ImportRun(network=NetworkFactory(), file_name="registre.csv", dry_run=False)

    pipeline.run_import(run, io.BytesIO(content.encode()))

    assert sorted(Enterprise.objects.values_list(
        "name", "address", "city", "postal_code", "website"
    )) == [
        ("Groupe RCM inc.", "1022PV-3351, rue des Forges", "Trois-Rivières", "G9A 2H1",
         "https://www.groupercm.com"),
        ("L'Orchestre Symphonique de Trois-Rivières inc.", "120, 11E Avenue Nord, CP 1281", "",
         "G8Y 5G7", "https://www.ostr.ca/Concerts"),
    ]


def test_a_long_name_in_capitals_is_title_cased_even_in_a_mixed_case_file():
    missing = missing_tokens([])
    shouted = normalize_record(
        {"name": "COOPÉRATIVE DE SOLIDARITÉ LA CLÉ DES CHAMPS"}, missing, title_case_names=False
    )
    short = normalize_record({"name": "CLUB LOA"}, missing, title_case_names=False)

    assert shouted["name"] == "Coopérative de Solidarité la Clé des Champs"
    assert short["name"] == "CLUB LOA"
