import csv
import datetime
import io
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from enterprises.models import Category, Enterprise, Label, Mrc, Municipality, Region, Sector
from enterprises.resources import EnterpriseResource, inert
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

FORMULA_NAMES = ["=HYPERLINK(\"http://evil\")", "+SUM(A1)", "-2+3", "@cmd", "\tTab", "\rReturn"]


@pytest.fixture
def full_enterprise(db):
    """An enterprise with every field of the canonical format filled in."""
    enterprise = EnterpriseFactory(
        name="Café « Le Détour »",
        slug="cafe-le-detour",
        neq="1143012345",
        legal_form=Enterprise.LegalForm.SOLIDARITY_COOPERATIVE,
        description_fr="Café, traiteur; boîtes à lunch | livraison",
        description_en="Café and catering",
        region=Region.objects.get(code="03"),
        service_area=Region.objects.filter(code__in=["03", "12"]),
        sectors=Sector.objects.filter(slug="services-alimentaires"),
        categories=Category.objects.filter(slug__in=["traiteur", "boites-a-lunch"]),
        address="123, rue Saint-Jean, local 4",
        city="Québec",
        postal_code="G1R 1N4",
        phone="+1 418-555-0123",
        email="info@ledetour.coop",
        website="https://ledetour.coop",
        employee_band=Enterprise.EmployeeBand.B10_49,
        year_founded=1998,
        verification_status=Enterprise.Verification.VERIFIED,
        verified_on=datetime.date(2026, 3, 1),
    )
    enterprise.labels.set(Label.objects.order_by("pk")[:2])
    enterprise.mrcs_served.set(Mrc.objects.filter(name__in=["Québec", "Lévis"]))
    return enterprise


def export_url(**params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{reverse('enterprises:export')}?{query}"


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def read_xlsx(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header, *rows = workbook.active.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


# The canonical format


def test_canonical_row_has_one_column_per_field_and_pipes_between_values(full_enterprise):
    dataset = EnterpriseResource().export()

    row = dataset.dict[0]
    assert row["name"] == "Café « Le Détour »"
    assert row["region"] == "03"
    assert row["service_area"] == "03|12"
    assert row["mrcs_served"] == "|".join(sorted(
        Mrc.objects.filter(name__in=["Québec", "Lévis"]).values_list("code", flat=True)))
    assert row["categories"] == "boites-a-lunch|traiteur"
    assert row["sectors"] == "services-alimentaires"
    assert row["labels"].count("|") == 1
    assert row["year_founded"] == "1998"
    assert row["verified_on"] == "2026-03-01"
    assert row["legal_form"] == "solidarity_cooperative"


def test_export_queries_do_not_grow_with_the_number_of_enterprises(
    full_enterprise, django_assert_num_queries
):
    EnterpriseFactory.create_batch(40, categories=[Category.objects.get(slug="traiteur")])
    # Enterprises with their region 1; then service areas, MRCs served (one more prefetch
    # since enterprises give them), sectors, categories, labels 5.
    with django_assert_num_queries(6):
        dataset = EnterpriseResource().export()

    assert len(dataset) == 41


def test_the_documented_example_rows_import_as_documented(settings, tmp_path):
    document = (settings.BASE_DIR / "docs" / "import-format.md").read_text()
    example = tmp_path / "example.csv"
    example.write_text(document.split("```csv\n")[1].split("```")[0])

    with pytest.raises(SystemExit) as exit_info:
        call_command("import_directory", "--network", "cesim", str(example))

    assert exit_info.value.code == 0
    cafe = Enterprise.objects.get(name="Café « Le Détour »")
    assert sorted(cafe.categories.values_list("slug", flat=True)) == ["boites-a-lunch", "traiteur"]
    assert sorted(cafe.service_area.values_list("code", flat=True)) == ["03", "12"]
    assert sorted(cafe.mrcs_served.values_list("name", flat=True)) == ["Lévis", "Québec"]
    assert Enterprise.objects.get(slug="atelier-recuperation-informatique").year_founded is None


# Escaping


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1 418-555-0123", "'+1 418-555-0123"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Coop = solidarité", "Coop = solidarité"),
        ("", ""),
        (1998, 1998),
        (None, None),
    ],
)
def test_only_text_that_a_spreadsheet_would_run_is_prefixed(value, expected):
    assert inert(value) == expected


def test_csv_export_makes_formula_cells_inert(client):
    for number, name in enumerate(FORMULA_NAMES):
        EnterpriseFactory(name=name, slug=f"formule-{number}")

    response = client.get(export_url(format="csv"))

    assert response.status_code == 200
    assert response.streaming
    assert sorted(row["Nom"] for row in read_csv(response)) == sorted(
        "'" + name for name in FORMULA_NAMES
    )


def test_xlsx_export_makes_formula_cells_inert(client):
    for number, name in enumerate(FORMULA_NAMES):
        EnterpriseFactory(name=name, slug=f"formule-{number}", year_founded=1990)

    response = client.get(export_url(format="xlsx"))

    assert response.status_code == 200
    rows = read_xlsx(response)
    # XML reads a carriage return back as a line feed.
    expected = ("'" + name.replace("\r", "\n") for name in FORMULA_NAMES)
    assert sorted(row["Nom"] for row in rows) == sorted(expected)
    assert {row["Année de fondation"] for row in rows} == {1990}


# What the export holds


def test_export_holds_only_published_enterprises(client):
    EnterpriseFactory(name="Publiée", slug="publiee")
    EnterpriseFactory(name="Brouillon", slug="brouillon", status=Enterprise.Status.DRAFT)
    EnterpriseFactory(name="Archivée", slug="archivee", status=Enterprise.Status.ARCHIVED)

    for export_format, read in (("csv", read_csv), ("xlsx", read_xlsx)):
        response = client.get(export_url(format=export_format))
        assert [row["Nom"] for row in read(response)] == ["Publiée"]


def test_export_honours_the_listing_filters(client):
    EnterpriseFactory(name="Traiteur de Québec", slug="traiteur-quebec",
                      region=Region.objects.get(code="03"),
                      categories=[Category.objects.get(slug="traiteur")])
    EnterpriseFactory(name="Traiteur de Montréal", slug="traiteur-montreal",
                      categories=[Category.objects.get(slug="traiteur")])
    EnterpriseFactory(name="Imprimerie de Québec", slug="imprimerie",
                      region=Region.objects.get(code="03"))

    response = client.get(export_url(format="csv", category="alimentation", region="03"))

    assert [row["Nom"] for row in read_csv(response)] == ["Traiteur de Québec"]


@pytest.mark.parametrize(("prefix", "name"), [("", "repertoire-entreprises-"),
                                               ("/en", "enterprise-directory-")])
def test_export_file_is_named_in_the_pages_language_with_the_date(client, prefix, name):
    response = client.get(prefix + export_url(format="xlsx"))

    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"{name}{datetime.date.today():%Y-%m-%d}.xlsx" in disposition


def test_export_stops_at_the_row_limit_and_says_so(client, settings):
    settings.EXPORT_MAX_ROWS = 3
    EnterpriseFactory.create_batch(4)

    response = client.get(export_url(format="csv"))

    assert len(read_csv(response)) == 3
    assert response["X-Export-Truncated"] == "true"
    assert response["X-Export-Row-Limit"] == "3"


def test_export_within_the_limit_is_not_marked_truncated(client):
    EnterpriseFactory.create_batch(2)

    response = client.get(export_url(format="csv"))

    assert len(read_csv(response)) == 2
    assert response["X-Export-Truncated"] == "false"


def test_unknown_export_format_is_refused_with_a_message(client):
    response = client.get(export_url(format="pdf"))

    assert response.status_code == 400
    assert "csv" in response.content.decode()


def test_export_queries_do_not_grow_with_the_result_set(client, django_assert_max_num_queries):
    EnterpriseFactory.create_batch(30, categories=[Category.objects.get(slug="traiteur")])
    # The category filter's validation 1 and its descendants 1; COUNT 1; the enterprises with
    # their region, municipality and MRC 1; categories, sectors, service areas, labels 4; the
    # MRCs served 1 (one more prefetch since enterprises give them).
    with django_assert_max_num_queries(9):
        response = client.get(export_url(format="csv", category="alimentation"))
        rows = read_csv(response)

    assert len(rows) == 30


@hypothesis_settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    params=st.lists(
        st.tuples(
            st.sampled_from(["format", "q", "category", "region", "legal_form", "sort", "x"]),
            st.one_of(st.text(max_size=300), st.sampled_from(["csv", "xlsx", "06", "%00"])),
        ),
        max_size=5,
    )
)
def test_any_export_query_string_gets_a_file_or_a_message_never_a_server_error(client, params):
    query = "&".join(f"{quote(key)}={quote(value)}" for key, value in params)

    response = client.get(f"{reverse('enterprises:export')}?{query}")

    assert response.status_code in (200, 400)
    if response.streaming:
        b"".join(response.streaming_content)


# The public export, readable in the page's language


def placed(enterprise):
    """The enterprise in Québec city, so that its municipality and MRC show."""
    quebec = Municipality.objects.get(code="23027")
    enterprise.municipality = quebec
    enterprise.save()
    return quebec


def test_french_export_has_french_headers_and_names_instead_of_codes(client, full_enterprise):
    quebec = placed(full_enterprise)

    row = read_csv(client.get(export_url(format="csv")))[0]

    assert row["Nom"] == "Café « Le Détour »"
    assert row["Forme juridique"] == "Coopérative de solidarité"
    assert row["Région"] == "Capitale-Nationale"
    assert row["Régions desservies"] == "Capitale-Nationale; Chaudière-Appalaches"
    assert row["MRC desservies"] == "Lévis; Québec"
    assert row["Catégories"] == "Boîtes à lunch; Traiteur et buffets"
    assert row["Secteurs"] == Sector.objects.get(slug="services-alimentaires").name
    assert row["Municipalité"] == "Québec"
    assert row["MRC"] == quebec.mrc.name
    assert row["Nombre d'employés"] == "10 à 49 employés"
    assert row["Téléphone"] == "418-555-0123"
    assert row["Vérifiée le"] == "2026-03-01"
    assert row["Fiche"] == "http://testserver/entreprises/cafe-le-detour/"
    assert "legal_form" not in row and "solidarity_cooperative" not in row.values()


def test_english_export_has_english_headers_names_and_profile_address(client, full_enterprise):
    Category.objects.filter(slug="traiteur").update(name_en="Caterer")

    row = read_csv(client.get("/en" + export_url(format="csv")))[0]

    assert row["Name"] == "Café « Le Détour »"
    assert row["Legal form"] == "Solidarity cooperative"
    assert row["Region"] == Region.objects.get(code="03").name_en
    assert "Caterer" in row["Categories"].split("; ")
    assert row["Number of employees"] == "10 to 49 employees"
    assert row["Profile"] == "http://testserver/en/entreprises/cafe-le-detour/"
    assert row["Description"] == "Café and catering"
    assert row["MRCs served"] == "Lévis; Québec"


def test_a_category_name_holding_a_comma_stays_one_value(client, full_enterprise):
    Category.objects.filter(slug="traiteur").update(name="Arts, culture et communications")

    row = read_csv(client.get(export_url(format="csv")))[0]

    assert row["Catégories"].split("; ") == ["Arts, culture et communications", "Boîtes à lunch"]


def test_an_unverified_enterprise_shows_no_verification_date_nor_internal_state(client):
    EnterpriseFactory(verification_status=Enterprise.Verification.NEEDS_REVIEW,
                      verified_on=datetime.date(2025, 1, 1))

    row = read_csv(client.get(export_url(format="csv")))[0]

    assert row["Vérifiée le"] == ""
    assert not {"status", "verification_status", "Statut"} & set(row)


def test_xlsx_export_is_a_table_with_sized_columns_a_frozen_header_and_filters(
    client, full_enterprise
):
    EnterpriseFactory()

    response = client.get(export_url(format="xlsx"))

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(sheet.max_column)}3"
    assert sheet["A1"].value == "Nom" and sheet["A1"].font.b
    assert sheet.column_dimensions["A"].width >= 30
    header = [cell.value for cell in sheet[1]]
    verified = sheet.cell(row=2, column=header.index("Vérifiée le") + 1).value
    assert verified.date() == datetime.date(2026, 3, 1)  # a date Excel sorts, not text


def test_english_xlsx_has_english_headers(client, full_enterprise):
    response = client.get("/en" + export_url(format="xlsx"))

    rows = read_xlsx(response)
    assert rows[0]["Legal form"] == "Solidarity cooperative"
    assert rows[0]["Year founded"] == 1998
    assert rows[0]["MRCs served"] == "Lévis; Québec"


# The canonical download for staff


def test_staff_download_the_whole_directory_in_the_canonical_format(admin_client):
    EnterpriseFactory(name="Brouillon", slug="brouillon", status=Enterprise.Status.DRAFT,
                      legal_form=Enterprise.LegalForm.NON_PROFIT)

    response = admin_client.get(reverse("admin:enterprises_importrun_export", args=["csv"]))

    row = read_csv(response)[0]
    assert (row["slug"], row["legal_form"], row["status"]) == ("brouillon", "non_profit", "draft")
    assert "directory-canonical-" in response["Content-Disposition"]


@pytest.mark.parametrize("export_format", ["csv", "xlsx", "json"])
def test_the_mrcs_served_survive_an_export_imported_into_an_empty_directory(
    tmp_path, full_enterprise, export_format
):
    path = tmp_path / f"directory.{export_format}"
    call_command("export_directory", "--format", export_format, str(path), stdout=io.StringIO())
    Enterprise.objects.all().delete()

    with pytest.raises(SystemExit) as exit_info:
        call_command("import_directory", "--network", "cesim", str(path), stdout=io.StringIO())

    assert exit_info.value.code == 0
    cafe = Enterprise.objects.get(slug="cafe-le-detour")
    assert sorted(cafe.mrcs_served.values_list("name", flat=True)) == ["Lévis", "Québec"]


def test_the_canonical_download_is_for_staff_only(client):
    response = client.get(reverse("admin:enterprises_importrun_export", args=["csv"]))

    assert response.status_code == 302  # to the admin's sign-in page
