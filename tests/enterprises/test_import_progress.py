"""A running import shows how far it got on its admin page, before its transaction commits."""

import io

import pytest
from django.db import connection
from django.urls import reverse

from enterprises.imports import pipeline, progress
from enterprises.models import ImportRun, Network

HEADER = "No membre,Nom,Forme juridique,Ville,Code postal,Région\n"


def content(rows):
    return (HEADER + "".join(
        f"{n},Coop {n},Coopérative,Québec,G1R 1P4,03\n" for n in range(rows)
    )).encode()


def watch_progress(monkeypatch, read):
    """Run ``read(run)`` after each chunk, as the admin page would while the import runs."""
    seen, original = [], pipeline.Importer.process

    def process(importer, chunk):
        original(importer, chunk)
        seen.append(read(importer.run))

    monkeypatch.setattr(pipeline.Importer, "process", process)
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    monkeypatch.setattr(progress, "EVERY_ROWS", 2)
    return seen


@pytest.mark.django_db
def test_import_reports_its_progress_while_it_runs(monkeypatch):
    seen = watch_progress(monkeypatch, progress.rows_done)
    run = ImportRun.objects.create(network=Network.objects.get(slug="cesim"), dry_run=False)

    pipeline.run_import(run, io.BytesIO(content(5)))

    # Each chunk is reported once the next one starts: 2 rows, then 4.
    assert seen[:2] == [0, 2]
    run.refresh_from_db()
    assert (run.state, run.processed_rows) == (ImportRun.State.DONE, 5)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has a single writer")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_is_committed_outside_the_import_transaction_on_postgresql(monkeypatch):
    seen = watch_progress(
        monkeypatch,
        lambda run: ImportRun.objects.values_list("processed_rows", flat=True).get(pk=run.pk),
    )
    run = ImportRun.objects.create(network=Network.objects.get(slug="cesim"), dry_run=False)

    pipeline.run_import(run, io.BytesIO(content(7)))

    assert seen[1:3] == [2, 4]


@pytest.mark.django_db
def test_running_import_page_polls_the_rows_read_so_far(staff_client):
    run = ImportRun.objects.create(network=Network.objects.get(slug="cesim"),
                                   state=ImportRun.State.RUNNING)
    progress.Progress(run)(5000)

    page = staff_client.get(reverse("admin:enterprises_importrun_change", args=[run.pk]))
    poll = staff_client.get(reverse("admin:enterprises_importrun_progress", args=[run.pk]))

    url = reverse("admin:enterprises_importrun_progress", args=[run.pk])
    assert f'hx-get="{url}"' in page.content.decode()
    assert "5000" in poll.content.decode()
    assert 'hx-trigger="every 2s"' in poll.content.decode()


@pytest.mark.django_db
def test_finished_import_makes_the_polling_page_reload(staff_client):
    run = ImportRun.objects.create(network=Network.objects.get(slug="cesim"),
                                   state=ImportRun.State.DONE)

    poll = staff_client.get(reverse("admin:enterprises_importrun_progress", args=[run.pk]))

    assert poll.headers["HX-Refresh"] == "true"
