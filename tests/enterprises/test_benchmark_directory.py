"""``benchmark_directory``: each page's time, its data work alone, and the 304, in process or
through a running server."""

import gc
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from enterprises.models import Category
from tests.factories import EnterpriseFactory, region


@pytest.fixture
def directory(db):
    for number in range(3):
        EnterpriseFactory(
            name=f"TRAITEURS DU QUARTIER {number}", region=region("06"),
            categories=[Category.objects.get(slug="traiteur")],
        )


def figures(output):
    """The printed rows, by page name: the columns after the name."""
    return {
        line[:28].strip(): line[28:].split()
        for line in output.splitlines()[2:]
    }


def still_clock(monkeypatch):
    """The clock stands still: the 304 is asked with the ETag of a page read just before, and
    an ETag's period could otherwise end in between (on the hour, or every ten minutes)."""
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)


@pytest.mark.django_db
def test_the_benchmark_prints_each_pages_data_work_beside_its_time(
    directory, monkeypatch, settings
):
    settings.ALLOWED_HOSTS = ["localhost"]  # the host its requests name
    monkeypatch.setattr(connections, "close_all", lambda: None)  # keeps the test's transaction
    still_clock(monkeypatch)
    out = StringIO()
    try:
        call_command("benchmark_directory", repeat=2, stdout=out)
    finally:
        gc.unfreeze()

    header = out.getvalue().splitlines()[1].split()
    rows = figures(out.getvalue())
    assert header[-9:] == ["data", "p50", "data", "p95", "page/data", "cpu", "p50", "cpu", "p95"]
    status, p50, p95, queries, data_p50, data_p95, ratio, cpu_p50, cpu_p95 = (
        rows["search + region + facets"]
    )
    assert status == "200"
    assert float(data_p50) > 0 and float(ratio) > 0
    assert 0 < float(cpu_p50) <= float(cpu_p95)
    assert rows["a new filter state each time"][0] == "200"
    assert rows["the same, 304"][0] == "304"
    assert rows["the same, 304"][3] == "1"  # the directory's revision, nothing else
    # The cold path's floor: the database finding and ranking a new word's matches.
    _status, ranking_p50, _p95, ranking_queries, *matches = rows["new words, ranking alone"]
    assert float(ranking_p50) > 0 and ranking_queries == "1"
    assert matches[:2] == ["(matches:", "median"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_benchmark_times_a_running_server(live_server, settings, monkeypatch):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600  # as in production: ETags last
    still_clock(monkeypatch)
    for number in range(3):
        EnterpriseFactory(name=f"TRAITEURS DU QUARTIER {number}", region=region("06"))
    out = StringIO()

    call_command("benchmark_directory", "--repeat=2", f"--http={live_server.url}", stdout=out)

    rows = figures(out.getvalue())
    assert f"through {live_server.url}" in out.getvalue().splitlines()[0]
    assert rows["plain listing"][0] == "200"
    assert rows["enterprise page"][0] == "200"
    assert rows["a new filter state each time"][0] == "200"
    assert rows["the same, 304"][0] == "304"
    assert len(rows["plain listing"]) == 3  # status, p50, p95: queries are not seen from outside


def test_the_benchmark_refuses_a_server_address_that_is_not_a_url(directory):
    with pytest.raises(CommandError, match="http://127.0.0.1:8000"):
        call_command("benchmark_directory", "--http=127.0.0.1:8000", stdout=StringIO())


def test_the_benchmark_asks_for_a_seeded_database_when_nothing_is_published(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("benchmark_directory", stdout=StringIO())
