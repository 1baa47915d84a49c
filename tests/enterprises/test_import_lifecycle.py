"""Import runs that end: a killed one is failed and can start again, an abandoned one is
closed with its file deleted, and the problem report keeps formulas inert."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from enterprises.imports import pipeline, progress
from enterprises.imports.tasks import run_import_job
from enterprises.models import Enterprise, ImportRun, Network
from purchases.uploads import STORAGE_FOLDER
from tests.factories import ImportRunFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"


@pytest.fixture(autouse=True)
def no_heartbeat_from_an_earlier_test():
    """Heartbeats live in the cache by run id, and ids come back from one test to the next."""
    cache.clear()


def kept_file(name="cesim.csv"):
    return ContentFile((SAMPLES / name).read_bytes(), name=name)


def run_killed_long_ago(**fields):
    """A run whose process was killed half an hour ago: running, silent since."""
    return ImportRunFactory(
        state=ImportRun.State.RUNNING, created_at=timezone.now() - timedelta(hours=1),
        heartbeat_at=timezone.now() - timedelta(minutes=30), dry_run=True, **fields,
    )


def test_run_silent_for_too_long_is_failed_when_its_page_is_viewed(staff_client):
    run = run_killed_long_ago(upload=kept_file())

    page = staff_client.get(reverse("admin:enterprises_importrun_change", args=[run.pk]))

    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED
    assert "Rien n'a été appliqué" in run.failure
    content = page.content.decode()
    assert "hx-trigger" not in content
    assert reverse("admin:enterprises_importrun_restart", args=[run.pk]) in content


def test_polling_a_run_whose_process_died_stops(staff_client):
    run = run_killed_long_ago()

    response = staff_client.get(reverse("admin:enterprises_importrun_progress", args=[run.pk]))

    assert response.headers["HX-Refresh"] == "true"
    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED


def test_run_with_a_recent_sign_of_life_keeps_running(staff_client, settings):
    settings.IMPORT_STOPPED_AFTER_SECONDS = 600
    run = run_killed_long_ago()
    progress.beat(run)

    staff_client.get(reverse("admin:enterprises_importrun_progress", args=[run.pk]))

    run.refresh_from_db()
    assert run.state == ImportRun.State.RUNNING


def test_heartbeat_in_the_cache_counts_as_a_sign_of_life():
    run = run_killed_long_ago()
    report = progress.Progress(run)
    report.beaten -= progress.HEARTBEAT_SECONDS

    report(10)

    assert timezone.now() - progress.last_sign_of_life(run) < timedelta(minutes=1)


def test_failed_run_starts_again_from_its_kept_file(staff_client):
    run = run_killed_long_ago(upload=kept_file())
    staff_client.get(reverse("admin:enterprises_importrun_change", args=[run.pk]))

    response = staff_client.post(reverse("admin:enterprises_importrun_restart", args=[run.pk]))

    again = ImportRun.objects.latest("pk")
    assert response.url == reverse("admin:enterprises_importrun_change", args=[again.pk])
    assert (again.state, again.dry_run, again.created_count) == (ImportRun.State.DONE, True, 3)
    assert not Enterprise.objects.exists()


def test_a_run_closed_while_it_waited_for_a_worker_is_not_started():
    run = ImportRunFactory(state=ImportRun.State.FAILED, upload=kept_file(), dry_run=False)

    run_import_job.call(run.pk)

    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED
    assert not Enterprise.objects.exists()


def test_cleanup_closes_runs_left_at_the_columns_step_and_deletes_their_files():
    abandoned = ImportRunFactory(state=ImportRun.State.PENDING, upload=kept_file(),
                                 created_at=timezone.now() - timedelta(days=2))
    recent = ImportRunFactory(state=ImportRun.State.PENDING, upload=kept_file("akcelos.csv"))
    stopped = run_killed_long_ago()
    output = io.StringIO()

    call_command("cleanup_imports", stdout=output)

    abandoned_file = abandoned.upload.name
    abandoned.refresh_from_db()
    assert abandoned.state == ImportRun.State.FAILED and not abandoned.upload
    assert "Téléversez-le de nouveau" in abandoned.failure
    assert not default_storage.exists(abandoned_file)
    assert default_storage.exists(recent.upload.name)
    recent.refresh_from_db()
    stopped.refresh_from_db()
    assert (recent.state, stopped.state) == (ImportRun.State.PENDING, ImportRun.State.FAILED)
    assert output.getvalue() == "1 stopped runs failed, 1 abandoned runs closed.\n"


def test_cleanup_keeps_a_file_another_run_still_reads():
    preview = ImportRunFactory(upload=kept_file(), dry_run=True)
    ImportRunFactory(state=ImportRun.State.PENDING, upload=preview.upload.name,
                     created_at=timezone.now() - timedelta(days=2))

    call_command("cleanup_imports", stdout=io.StringIO())

    assert default_storage.exists(preview.upload.name)


def test_cleanup_deletes_member_uploads_whose_job_never_ran(monkeypatch):
    forgotten = default_storage.save(f"{STORAGE_FOLDER}/vieux.csv", ContentFile(b"a,b\n"))
    fresh = default_storage.save(f"{STORAGE_FOLDER}/recent.csv", ContentFile(b"a,b\n"))
    saved_at = {forgotten: timezone.now() - timedelta(days=2), fresh: timezone.now()}
    monkeypatch.setattr(default_storage, "get_modified_time", saved_at.__getitem__)

    call_command("cleanup_member_uploads", stdout=io.StringIO())

    assert (default_storage.exists(forgotten), default_storage.exists(fresh)) == (False, True)


def test_problem_report_keeps_formulas_from_the_file_inert():
    content = ("Nom,Région,Forme juridique,Code postal\n"
               "Coop,03,Coopérative,=cmd|' /C calc'!A0\n").encode()
    run = pipeline.run_import(
        ImportRun(network=Network.objects.get(slug="cesim"), file_name="export.csv"),
        io.BytesIO(content),
    )

    values = [row[2] for row in csv.reader(io.StringIO(run.error_report))]

    assert "'=cmd|' /C calc'!A0" in values
    assert "=cmd|' /C calc'!A0" not in values
