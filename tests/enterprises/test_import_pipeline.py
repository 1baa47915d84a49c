"""The whole import, as staff would notice it: what lands, what is reported, what waits."""

import io
from pathlib import Path

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from enterprises.directory_index import current_index
from enterprises.imports import pipeline
from enterprises.imports.apply import Writer
from enterprises.models import (
    DirectoryRevision,
    Enterprise,
    EnterpriseSource,
    ImportProfile,
    ImportReviewItem,
    ImportRun,
    Network,
)
from enterprises.search import search
from enterprises.search.postgresql import BackgroundIndexer
from tests.factories import EnterpriseFactory, region

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
HEADER = "No membre,Nom,Forme juridique,Ville,Code postal,Région,Secteurs,Courriel\n"


def run(network_slug, content, name="export.csv", dry_run=False):
    data = content if isinstance(content, bytes) else content.encode()
    import_run = ImportRun(network=Network.objects.get(slug=network_slug), file_name=name,
                           dry_run=dry_run)
    return pipeline.run_import(import_run, io.BytesIO(data))


def new_cooperatives(count):
    """A CESIM file of ``count`` cooperatives the directory does not hold yet."""
    return HEADER + "".join(
        f"N-{n},Nouvelle coop {n},Coopérative,Québec,G1R 1P{n},03,,\n" for n in range(count)
    )


def run_sample(network_slug, file_name, **options):
    return run(network_slug, (SAMPLES / file_name).read_bytes(), file_name, **options)


def directory_snapshot():
    return [
        (e.pk, e.name, e.neq, e.phone, e.website, e.updated_at,
         sorted(e.sectors.values_list("pk", flat=True)))
        for e in Enterprise.objects.order_by("pk")
    ] + list(EnterpriseSource.objects.order_by("pk").values_list("pk", "raw_record"))


SAMPLE_FILES = [
    ("akcelos", "akcelos.csv", 3),
    ("collectif-entreprises-insertion", "collectif-entreprises-insertion.csv", 3),
    ("pole-capitale-nationale", "pole-capitale-nationale.xlsx", 3),
    ("cqea", "cqea.json", 2),
    ("economie-sociale-longueuil", "economie-sociale-longueuil.tsv", 2),
    ("cesim", "cesim.csv", 3),
    ("cesim", "canonical.csv", 2),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("network", "file_name", "rows"), SAMPLE_FILES)
def test_every_sample_file_lands_and_a_reimport_changes_nothing(network, file_name, rows):
    first = run_sample(network, file_name)

    assert first.state == ImportRun.State.DONE, first.failure
    assert (first.created_count, first.error_count) == (rows, 0), first.error_report
    assert EnterpriseSource.objects.filter(network__slug=network).count() == rows
    before = directory_snapshot()

    second = run_sample(network, file_name)

    assert (second.unchanged_count, second.created_count, second.updated_count) == (rows, 0, 0)
    assert directory_snapshot() == before


@pytest.mark.django_db
def test_messy_values_are_tidied_on_the_way_in():
    run_sample("akcelos", "akcelos.csv")

    cle = Enterprise.objects.get(neq="1142345678")
    assert cle.name == "Coopérative de Solidarité la Clé des Champs"
    assert (cle.postal_code, cle.phone) == ("G1R 1P4", "+1 418-555-0101")
    assert (cle.website, cle.email) == ("https://www.cledeschamps.coop", "info@cledeschamps.coop")
    assert cle.legal_form == Enterprise.LegalForm.SOLIDARITY_COOPERATIVE
    assert sorted(cle.sectors.values_list("slug", flat=True)) == ["agroalimentaire",
                                                                  "arts-culture"]
    assert cle.status == Enterprise.Status.DRAFT
    assert EnterpriseSource.objects.get(external_id="AK-001").raw_record["Ville"] == "QUÉBEC"


@pytest.mark.django_db
def test_dry_run_reports_the_change_and_writes_nothing():
    dry = run_sample("cesim", "cesim.csv", dry_run=True)

    assert dry.created_count == 3
    assert list(dry.change_rows.values_list("kind", flat=True)) == ["created"] * 3
    assert not Enterprise.objects.exists()
    assert not EnterpriseSource.objects.exists()


@pytest.mark.django_db
def test_bad_postal_code_lands_the_enterprise_as_a_draft_with_a_review_item():
    content = HEADER + (
        "1,Coop A,Coopérative,Québec,G1R 1P4,03,Habitation,a@example.org\n"
        "2,Coop B,Coopérative,Québec,G8Y5GY,03,Habitation,pas-un-courriel\n"
        "3,Coop C,Coopérative,Québec,G1R 1P5,03,Habitation,c@example.org\n"
    )

    result = run("cesim", content)

    assert (result.created_count, result.error_count) == (3, 0)
    coop_b = Enterprise.objects.get(name="Coop B")
    assert (coop_b.status, coop_b.postal_code, coop_b.email) == ("draft", "", "")
    assert "3,Code postal,G8Y5GY,warning" in result.error_report
    assert "3,Courriel,pas-un-courriel,warning" in result.error_report
    items = ImportReviewItem.objects.filter(kind=ImportReviewItem.Kind.INVALID_VALUE)
    assert sorted(items.values_list("enterprise__name", "field", "incoming_value")) == [
        ("Coop B", "email", "pas-un-courriel"), ("Coop B", "postal_code", "G8Y5GY"),
    ]
    assert result.warning_counts == {"invalid_value": 1}


@pytest.mark.django_db
def test_a_bad_value_is_queued_once_not_again_on_each_reimport():
    content = HEADER + "1,Coop B,Coopérative,Québec,G8Y5GY,03,,\n"
    run("cesim", content)
    Enterprise.objects.update(name="Coop B renommée")  # forces the full path next time

    run("cesim", content)

    assert ImportReviewItem.objects.filter(kind=ImportReviewItem.Kind.INVALID_VALUE).count() == 1


@pytest.mark.django_db
def test_row_without_legal_form_region_or_neq_lands_as_a_draft_with_legal_form_other():
    content = ("NomEntreprise,NEQ,Forme juridique,Région\n"
               "CLUB LOA,1234567,N/D,Nulle part\n"
               ",,Coopérative,03\n")

    result = run("cesim", content)

    assert (result.created_count, result.error_count) == (1, 1)
    club = Enterprise.objects.get()
    assert (club.legal_form, club.region, club.neq, club.status) == ("other", None, "", "draft")
    assert "3,NomEntreprise,,error" in result.error_report


@pytest.mark.django_db
def test_duplicate_rows_in_one_file_are_reported_not_last_one_wins():
    content = HEADER + (
        "1,Coop A,Coopérative,Québec,G1R 1P4,03,,\n"
        "1,Coop A bis,Coopérative,Québec,G1R 1P4,03,,\n"
    )

    result = run("cesim", content)

    assert (result.created_count, result.error_count) == (1, 1)
    assert Enterprise.objects.get().name == "Coop A"
    assert "repeats line 2" in result.error_report


@pytest.mark.django_db
def test_html_and_formula_payloads_are_stored_as_plain_text():
    content = HEADER + (
        '1,"<script>alert(1)</script>",Coopérative,Québec,G1R 1P4,03,,\n'
        '2,"=HYPERLINK(""http://evil.example"",""x"")",Coopérative,Québec,G1R 1P5,03,,\n'
    )

    run("cesim", content)

    assert set(Enterprise.objects.values_list("name", flat=True)) == {
        "<script>alert(1)</script>", '=HYPERLINK("http://evil.example","x")'
    }


@pytest.mark.django_db
def test_too_long_value_is_rejected_instead_of_truncated():
    result = run("cesim", HEADER + f"1,{'X' * 300},Coopérative,Québec,G1R 1P4,03,,\n")

    assert result.error_count == 1
    assert "300 characters" in result.error_report
    assert not Enterprise.objects.exists()


@pytest.mark.django_db
def test_database_error_mid_import_leaves_the_directory_exactly_as_before(monkeypatch):
    run_sample("cesim", "cesim.csv")
    before = directory_snapshot()
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    original_flush, calls = Writer.flush, []

    def failing_flush(writer):
        calls.append(1)
        if len(calls) == 2:
            raise DatabaseError("disk full")
        original_flush(writer)

    monkeypatch.setattr(Writer, "flush", failing_flush)
    content = new_cooperatives(5)

    result = run("cesim", content)

    assert result.state == ImportRun.State.FAILED
    assert "disk full" in result.failure
    assert directory_snapshot() == before


@pytest.mark.django_db
def test_file_without_a_name_column_applies_nothing():
    with translation.override("en"):
        result = run("cesim", "Ville,Code postal\nQuébec,G1R 1P4\n")

    assert result.state == ImportRun.State.FAILED
    assert "name" in result.failure
    assert not Enterprise.objects.exists()


@pytest.mark.django_db
def test_curators_hand_edit_survives_a_reimport_and_the_incoming_value_waits_beside_it():
    run_sample("cesim", "cesim.csv")
    enterprise = Enterprise.objects.get(name="Santropol Roulant")
    enterprise.phone = "+1 514-555-9999"
    enterprise.record_curator_edit(["phone"])
    enterprise.save()

    run_sample("cesim", "cesim.csv")
    again = run_sample("cesim", "cesim.csv")

    enterprise.refresh_from_db()
    assert enterprise.phone == "+1 514-555-9999"
    item = ImportReviewItem.objects.get(kind=ImportReviewItem.Kind.CURATED_FIELD)
    assert (item.enterprise, item.field) == (enterprise, "phone")
    assert (item.current_value, item.incoming_value) == ("+1 514-555-9999", "+1 514-555-0172")
    assert again.unchanged_count == 3


@pytest.mark.django_db
def test_ambiguous_match_waits_in_the_review_queue_and_nothing_is_merged():
    twins = [
        EnterpriseFactory(name="Coop du Quartier", postal_code="G1R 1P4", city="Québec",
                          region=region("03")),
        EnterpriseFactory(name="COOP DU QUARTIER", postal_code="G1R 1P4", city="Lévis",
                          region=region("03")),
    ]
    before = directory_snapshot()

    result = run("cesim", HEADER + "9,Coop du quartier,Coopérative,Québec,G1R 1P4,03,,\n")

    assert result.skipped_count == 1
    item = ImportReviewItem.objects.get(kind=ImportReviewItem.Kind.AMBIGUOUS_MATCH)
    assert set(item.candidates.all()) == set(twins)
    assert directory_snapshot() == before


@pytest.mark.django_db
def test_match_by_neq_then_by_name_and_postal_code_updates_the_existing_entry():
    by_neq = EnterpriseFactory(name="Coop Ancien nom", neq="1142345678")
    by_name = EnterpriseFactory(name="Coop Éco", postal_code="G1R 1P5", phone="")
    content = ("NEQ,Nom,Forme juridique,Code postal,Téléphone,Région\n"
               "1142345678,Coop Ancien nom inc.,Coopérative,G1R 1P4,,03\n"
               ",coop eco,Coopérative,G1R 1P5,418 555-0000,03\n")

    result = run("cesim", content)

    assert (result.updated_count, result.created_count) == (2, 0)
    by_neq.refresh_from_db()
    by_name.refresh_from_db()
    assert by_neq.name == "Coop Ancien nom inc."
    assert by_name.phone == "+1 418-555-0000"
    first = result.change_rows.get(line=2)
    assert first.details["fields"]["name"] == ["Coop Ancien nom", "Coop Ancien nom inc."]


@pytest.mark.django_db
def test_enterprise_missing_from_a_complete_export_is_flagged_never_deleted():
    run_sample("cesim", "cesim.csv")
    shorter = (SAMPLES / "cesim.csv").read_bytes().splitlines(keepends=True)[:-1]

    result = run("cesim", b"".join(shorter))

    assert result.missing_count == 1
    assert Enterprise.objects.count() == 3
    item = ImportReviewItem.objects.get(kind=ImportReviewItem.Kind.MISSING)
    assert item.external_id == "M-2003"


@pytest.mark.django_db
def test_unknown_values_are_remembered_and_applied_once_mapped():
    first = run_sample("cqea", "cqea.json")

    profile = ImportProfile.objects.get(network__slug="cqea")
    assert profile.unknown_values == {"sectors": ["Emballage à façon"]}
    assert "Emballage à façon" in first.error_report
    profile.value_maps = {"sectors": {"Emballage à façon": "services-aux-entreprises"}}
    profile.save()

    second = run_sample("cqea", "cqea.json")

    assert second.updated_count == 1
    assert Enterprise.objects.filter(sectors__slug="services-aux-entreprises").count() == 1


@pytest.mark.django_db
def test_reimport_of_an_unchanged_file_costs_a_constant_number_of_queries(
    django_assert_max_num_queries,
):
    content = HEADER + "".join(
        f"{n},Coop {n},Coopérative,Québec,G1R 1P4,03,Habitation,c{n}@example.org\n"
        for n in range(60)
    )
    run("cesim", content)
    # 2 profile, 1 run insert, ~8 lookups (regions ×2, sectors, categories, labels, UNSPSC,
    # sources, enterprises), 1 open reviews, then per chunk: progress, enterprises,
    # 4 relations, sources; then 1 run save. No write to the directory.
    with django_assert_max_num_queries(25):
        result = run("cesim", content)

    assert result.unchanged_count == 60


def directory_writes(queries):
    return [
        query["sql"] for query in queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "importrun" not in query["sql"].lower()
    ]


@pytest.mark.django_db
def test_reimport_of_an_unchanged_file_writes_nothing_to_the_directory():
    run_sample("cesim", "cesim.csv")
    run_sample("cesim", "cesim.csv")

    with CaptureQueriesContext(connection) as queries:
        result = run_sample("cesim", "cesim.csv")

    assert result.unchanged_count == 3
    assert directory_writes(queries.captured_queries) == []


@pytest.mark.django_db
def test_one_changed_row_in_a_known_file_is_still_updated():
    run_sample("cesim", "cesim.csv")
    content = (SAMPLES / "cesim.csv").read_bytes().replace(b"514 555-0188", b"514 555-0000")

    result = run("cesim", content)

    assert (result.updated_count, result.unchanged_count) == (1, 2)
    assert Enterprise.objects.filter(phone="+1 514-555-0000").count() == 1


@pytest.mark.django_db
def test_bulk_import_indexes_what_it_wrote_in_bulk(monkeypatch):
    """In set-based statements, not row by row: on PostgreSQL chunk by chunk (in the
    background), on SQLite once at the end."""
    monkeypatch.setattr(pipeline, "BULK_INDEX_ROWS", 1)
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    renamed = EnterpriseFactory(name="Atelier Ancien nom", neq="1140000004")
    indexed_during_import, original = [], pipeline.Importer.flag_missing

    def flag_missing(importer):
        indexed_during_import.append(set(matching("boulangerie", "renomme")))
        return original(importer)

    monkeypatch.setattr(pipeline.Importer, "flag_missing", flag_missing)
    content = "No membre,Nom,NEQ,Forme juridique,Ville,Code postal,Région,Secteurs\n" + "".join(
        f"N-{n},Boulangerie {n},,Coopérative,Québec,G1R 1P{n},03,\n" for n in range(3)
    ) + "N-9,Atelier Ancien nom renommé,1140000004,,,,,Habitation\n"

    result = run("cesim", content)

    assert (result.created_count, result.updated_count) == (3, 1)
    if connection.vendor == "postgresql":
        assert indexed_during_import == [{
            "Boulangerie 0", "Boulangerie 1", "Boulangerie 2", "Atelier Ancien nom renommé"
        }]
    else:
        assert indexed_during_import == [set()]
    assert matching("boulangerie", "renomme") == {
        "Boulangerie 0", "Boulangerie 1", "Boulangerie 2", "Atelier Ancien nom renommé"
    }
    assert renamed.pk in set(search(Enterprise.objects.all(), "habitation").values_list(
        "pk", flat=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes in the background")
@pytest.mark.django_db
def test_a_failed_background_index_refresh_applies_nothing(monkeypatch):
    run_sample("cesim", "cesim.csv")
    before = directory_snapshot()
    monkeypatch.setattr(pipeline, "BULK_INDEX_ROWS", 1)
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    failing = b"SELECT 1 / (0 * cardinality($1::bigint[]))"
    monkeypatch.setattr(BackgroundIndexer, "STATEMENT", failing)
    content = new_cooperatives(5)

    result = run("cesim", content)

    assert result.state == ImportRun.State.FAILED
    assert "division by zero" in result.failure
    assert directory_snapshot() == before


def matching(*words):
    return {
        name for word in words
        for name in search(Enterprise.objects.all(), word).values_list("name", flat=True)
    }


@pytest.mark.django_db
def test_an_applied_import_tells_the_directory_listings_to_recount():
    revision = DirectoryRevision.current()

    run_sample("cesim", "cesim.csv")

    assert DirectoryRevision.current() != revision


@pytest.mark.django_db
def test_a_dry_run_leaves_the_directory_counts_as_they_were(settings):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 3600
    EnterpriseFactory()
    index = current_index()

    run_sample("cesim", "cesim.csv", dry_run=True)

    assert current_index() is index
