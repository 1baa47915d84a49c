"""``import_directory`` and ``export_directory`` from the command line."""

import json
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import translation
from django.utils.text import slugify

from enterprises.models import (
    Enterprise,
    EnterpriseSource,
    ImportProfile,
    ImportRun,
    Mrc,
    Municipality,
)
from tests.factories import EnterpriseFactory

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"


def import_directory(*args):
    """Run the command (in English, to read its messages); return its exit status."""
    with pytest.raises(SystemExit) as exit_info, translation.override("en"):
        call_command("import_directory", *args)
    return exit_info.value.code


@pytest.mark.django_db
def test_clean_file_exits_0_and_prints_the_counts(capsys):
    status = import_directory("--network", "cesim", str(SAMPLES / "cesim.csv"))

    assert status == 0
    assert "created: 3" in capsys.readouterr().out
    assert Enterprise.objects.count() == 3


@pytest.mark.django_db
def test_dry_run_prints_the_counts_and_writes_nothing(capsys):
    status = import_directory("--network", "cesim", "--dry-run", str(SAMPLES / "cesim.csv"))

    assert status == 0
    assert "Dry run" in capsys.readouterr().out
    assert not Enterprise.objects.exists()
    assert ImportRun.objects.get().dry_run


@pytest.mark.django_db
def test_some_rows_rejected_exits_1_with_the_reasons(tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_text("Nom,Région,Forme juridique\nCoop A,03,Coopérative\n,03,Coopérative\n")

    status = import_directory("--network", "cesim", str(path))

    assert status == 1
    assert "3,Nom,,error" in capsys.readouterr().out
    assert Enterprise.objects.get().name == "Coop A"


@pytest.mark.django_db
def test_all_rows_refused_exits_2(tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_text("Nom,Région\nNA,03\n,04\n")

    status = import_directory("--network", "cesim", str(path))

    assert status == 2
    assert "rejected: 2" in capsys.readouterr().out
    assert not Enterprise.objects.exists()


@pytest.mark.django_db
def test_command_output_is_in_the_active_language_only(capsys):
    with pytest.raises(SystemExit), translation.override("fr"):
        call_command("import_directory", "--network", "cesim", "--dry-run",
                     str(SAMPLES / "cesim.csv"))

    output = capsys.readouterr().out.replace("\xa0", " ")
    assert output.startswith("Simulation — rien n'a été enregistré. 3 lignes. créées : 3,")
    assert "rows" not in output and "created" not in output


@pytest.mark.django_db
def test_a_failed_dry_run_saves_no_profile(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Ville,Code postal\nQuébec,G1R 1P4\n")

    status = import_directory("--network", "cesim", "--dry-run", str(path))

    assert status == 2
    assert not ImportProfile.objects.exists()


@pytest.mark.django_db
def test_an_exported_slug_of_over_a_hundred_characters_is_accepted_back(tmp_path, capsys):
    long_name = "Coopérative de solidarité " + "des travailleuses et travailleurs " * 4
    enterprise = EnterpriseFactory(name=long_name.strip(), slug=slugify(long_name))
    assert len(enterprise.slug) > 102
    path = tmp_path / "directory.csv"
    call_command("export_directory", "--format", "csv", str(path))

    status = import_directory("--network", "cesim", str(path))

    assert status == 0, capsys.readouterr().out
    assert EnterpriseSource.objects.get().external_id == enterprise.slug


@pytest.mark.django_db
def test_unreadable_file_exits_2_and_applies_nothing(tmp_path, capsys):
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")

    status = import_directory("--network", "cesim", str(path))

    assert status == 2
    assert "not a valid Excel" in capsys.readouterr().err
    assert not Enterprise.objects.exists()


@pytest.mark.django_db
def test_unknown_network_is_a_clear_error():
    with pytest.raises(CommandError, match="akcelos"):
        call_command("import_directory", "--network", "nope", str(SAMPLES / "cesim.csv"))


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", ["csv", "xlsx", "json"])
def test_export_then_import_changes_nothing(tmp_path, export_format, capsys):
    import_directory("--network", "cesim", str(SAMPLES / "cesim.csv"))
    import_directory("--network", "akcelos", str(SAMPLES / "akcelos.csv"))
    EnterpriseFactory(name="=HYPERLINK(\"http://evil.example\")", phone="+1 514-555-0100")
    before = list(Enterprise.objects.order_by("pk").values())
    path = tmp_path / f"directory.{export_format}"

    call_command("export_directory", "--format", export_format, str(path))
    status = import_directory("--network", "cesim", str(path))

    assert status == 0, capsys.readouterr().out
    assert list(Enterprise.objects.order_by("pk").values()) == before
    assert ImportRun.objects.latest("pk").unchanged_count == len(before)


@pytest.mark.django_db
def test_exported_formulas_are_inert(tmp_path):
    EnterpriseFactory(name="=HYPERLINK(\"http://evil.example\")")

    call_command("export_directory", "--format", "xlsx", str(tmp_path / "out.xlsx"))
    call_command("export_directory", "--format", "json", str(tmp_path / "out.json"))

    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert sheet["A2"].value == "'=HYPERLINK(\"http://evil.example\")"
    assert sheet["A2"].data_type == "s"
    assert json.loads((tmp_path / "out.json").read_text())[0]["name"].startswith("=HYPERLINK")


def places():
    return sorted(Enterprise.objects.values_list(
        "slug", "city", "municipality__code", "mrc__code", "region__code"))


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", ["csv", "xlsx", "json"])
def test_an_export_imported_into_an_empty_directory_finds_the_same_places(
    tmp_path, export_format, capsys
):
    quebec = Municipality.objects.get(code="23027")
    # A name several municipalities share: the city text alone would pick the most populous.
    shared = (Municipality.objects.values("name").annotate(count=Count("pk"))
              .filter(count__gt=1).order_by("name").first()["name"])
    least_populous = Municipality.objects.filter(name=shared).order_by("population", "code")[0]
    mrc_only = Mrc.objects.exclude(region=quebec.region).order_by("code")[0]
    EnterpriseFactory(slug="ancien-nom", city="Cap-Rouge", municipality=quebec)
    EnterpriseFactory(slug="homonyme", city=shared, municipality=least_populous)
    EnterpriseFactory(slug="mrc-seulement", city="", mrc=mrc_only)
    before = places()
    assert ("homonyme", shared, least_populous.code) in [row[:3] for row in before]
    path = tmp_path / f"directory.{export_format}"
    call_command("export_directory", "--format", export_format, str(path))
    Enterprise.objects.all().delete()

    status = import_directory("--network", "cesim", str(path))

    assert status in (0, 1), capsys.readouterr().out
    assert places() == before
