"""The first stages alone: reading files, recognizing columns and vocabulary, tidying values."""

import io
import json

import openpyxl
import pytest

from enterprises.imports.mapping import ColumnMapping, Vocabulary, suggest_column_map
from enterprises.imports.normalize import fix_capitals, missing_tokens, normalize_record
from enterprises.imports.read import UnreadableFile, open_table
from enterprises.models import Category, ImportProfile, Network, Sector

HEADER = "Nom de l'entreprise{d}Ville{d}Code postal\r\n"
ROW = "Boulot’Vert Économie{d}Montréal{d}h1w3k8\r\n"


def read_all(data, name="file.csv", **options):
    table = open_table(io.BytesIO(data), name, **options)
    return table.headers, list(table.rows)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encoding_and_delimiter_are_detected(encoding, delimiter):
    data = (HEADER + ROW).format(d=delimiter).encode(encoding)

    headers, rows = read_all(data)

    assert headers == ["Nom de l'entreprise", "Ville", "Code postal"]
    assert rows == [(2, ["Boulot’Vert Économie", "Montréal", "h1w3k8"])]


def test_latin1_file_with_bytes_windows_1252_lacks_is_read_as_latin1_without_its_controls():
    data = "Nom,Ville\r\nCafé\x81,Québec\r\n".encode("latin-1")

    _headers, rows = read_all(data)

    assert rows[0][1] == ["Café", "Québec"]


def test_xlsx_title_row_above_the_header_is_skipped_and_named_sheet_read():
    workbook = openpyxl.Workbook()
    workbook.active.append(["Ignored first sheet"])
    sheet = workbook.create_sheet("Répertoire")
    sheet.append(["Répertoire des entreprises (mise à jour 2026)"])
    sheet.append([])
    sheet.append(["Nom", "Ville", "Année de fondation"])
    sheet.append(["Coop du Quartier", "Québec", 1999])
    buffer = io.BytesIO()
    workbook.save(buffer)

    headers, rows = read_all(buffer.getvalue(), "export.xlsx", sheet_name="Répertoire")

    assert headers == ["Nom", "Ville", "Année de fondation"]
    assert rows == [(4, ["Coop du Quartier", "Québec", "1999"])]


def test_xlsx_missing_sheet_is_named_in_the_error():
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)

    with pytest.raises(UnreadableFile, match="Feuille"):
        read_all(buffer.getvalue(), "export.xlsx", sheet_name="Feuille")


def test_xlsx_whose_directory_asks_for_a_newer_zip_version_is_refused_with_a_message():
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    data = bytearray(buffer.getvalue())
    entry = data.index(b"PK\x01\x02")  # the central directory's first entry
    data[entry + 6] = 64  # "version needed to extract": 6.4, which zipfile cannot read

    with pytest.raises(UnreadableFile, match="endommagé"):
        read_all(bytes(data), "export.xlsx")


def test_xlsx_with_a_part_without_a_name_is_refused_with_a_message():
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    data = bytearray(buffer.getvalue())
    name = data.rindex(b"xl/workbook.xml")  # its name in the central directory, the last one
    data[name] = 0  # zipfile reads the name up to the first zero byte: an empty name

    with pytest.raises(UnreadableFile, match="endommagé"):
        read_all(bytes(data), "export.xlsx")


def test_xlsx_too_large_once_unpacked_is_refused_before_parsing(settings):
    settings.MAX_XLSX_UNPACKED_BYTES = 1000
    workbook = openpyxl.Workbook()
    for number in range(200):
        workbook.active.append([f"Entreprise {number}", "Montréal"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(UnreadableFile, match="trop volumineuse"):
        read_all(buffer.getvalue(), "bomb.xlsx")


@pytest.mark.parametrize(
    "document",
    [
        [{"nom": "Coop A", "secteurs": ["Habitation", "Petite enfance"]}],
        {"exporte_le": "2026-10-01", "entreprises": [
            {"nom": "Coop A", "secteurs": ["Habitation", "Petite enfance"]}
        ]},
    ],
)
def test_json_array_or_object_holding_one(document):
    headers, rows = read_all(json.dumps(document).encode(), "export.json")

    assert headers == ["nom", "secteurs"]
    assert rows == [(1, ["Coop A", "Habitation | Petite enfance"])]


def test_json_without_records_is_unreadable():
    with pytest.raises(UnreadableFile):
        read_all(b'{"total": 3}', "export.json")


def test_french_and_english_headers_in_any_spelling_are_recognized():
    headers = ["RAISON SOCIALE", "Municipalité", "code_postal", "Tél.", "Site Web",
               "Courriel", "Région administrative", "Secteur d'activité",
               "Produits et services", "Forme juridique", "NEQ", "Colonne inconnue"]

    assert suggest_column_map(headers) == {
        "RAISON SOCIALE": "name", "Municipalité": "city", "code_postal": "postal_code",
        "Tél.": "phone", "Site Web": "website", "Courriel": "email",
        "Région administrative": "region", "Secteur d'activité": "sectors",
        "Produits et services": "categories", "Forme juridique": "legal_form", "NEQ": "neq",
    }


@pytest.mark.django_db
def test_profile_column_map_overrides_the_aliases():
    profile = ImportProfile(
        network=Network.objects.get(slug="cesim"),
        column_map={"Organisme": "name", "Dénomination": "address"},
        record_id_column="Clé",
    )

    mapping = ColumnMapping(["Clé", "Organisme", "Dénomination"], profile)

    assert mapping.column_map == {"Clé": "record_id", "Organisme": "name",
                                  "Dénomination": "address"}


@pytest.mark.django_db
def test_sector_names_containing_commas_survive_splitting():
    vocabulary = Vocabulary()

    values = vocabulary.split(
        "sectors", "Arts, culture et patrimoine, Habitation; Environnement, récupération et "
        "recyclage | Transport, livraison et logistique"
    )

    assert values == ["Arts, culture et patrimoine", "Habitation",
                      "Environnement, récupération et recyclage",
                      "Transport, livraison et logistique"]


@pytest.mark.django_db
def test_unspsc_code_we_do_not_list_falls_back_to_its_class():
    vocabulary = Vocabulary()

    assert vocabulary.resolve("categories", "73151501") == Category.objects.get(
        unspsc_code="73151500").pk
    assert vocabulary.resolve("categories", "81111500") == Category.objects.get(
        slug="developpement-web").pk


@pytest.mark.django_db
def test_profile_value_map_resolves_a_networks_own_words_and_unknowns_are_collected():
    profile = ImportProfile(network=Network.objects.get(slug="cqea"),
                            value_maps={"sectors": {"Emballage à façon": "fabrication"}})
    vocabulary = Vocabulary(profile)

    assert vocabulary.resolve("sectors", "EMBALLAGE A FACON") == Sector.objects.get(
        slug="fabrication").pk
    assert vocabulary.resolve("sectors", "Aérospatiale") is None
    assert vocabulary.unknown == {"sectors": {"Aérospatiale"}}


def test_names_typed_in_capitals_are_fixed_and_mixed_case_left_alone():
    assert fix_capitals("COOPÉRATIVE DE L'ÎLE-D'ORLÉANS") == "Coopérative de l'Île-d'Orléans"
    assert fix_capitals("Café Chez McIntyre") == "Café Chez McIntyre"


def test_identifiers_are_normalized_and_missing_markers_blanked():
    record = normalize_record(
        {"name": "  LA  CLÉ ", "postal_code": "g1r1p4", "phone": "418.555.0101 poste 3",
         "website": "www.cle.coop", "email": " Info@Cle.COOP ", "neq": "1142 345 678",
         "city": "N/D", "address": "-"},
        missing_tokens(["N/D", "-"]),
    )

    assert record == {
        "name": "La Clé", "postal_code": "G1R 1P4", "phone": "+1 418-555-0101 ext. 3",
        "website": "https://www.cle.coop", "email": "info@cle.coop", "neq": "1142345678",
        "city": "", "address": "",
    }
