"""Serving: the health check, the error pages, static files, the replica router, the cache."""

import gc
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError, connections
from django.test import Client
from django.urls import path
from django.utils import translation

from ecpar_site.db_routers import PrimaryReplicaRouter
from ecpar_site.urls import urlpatterns as site_urlpatterns
from enterprises.directory_index import index as directory_index
from enterprises.models import Enterprise
from enterprises.warm_up import warm_up_worker

INTERNAL_DETAIL = "connection to secret-host.internal refused"


def fail_with(exception):
    def view(request):
        raise exception(INTERNAL_DETAIL)

    return view


# The site's URLs plus views that fail, so that the real error handlers and templates answer.
urlpatterns = site_urlpatterns + i18n_patterns(
    path("boom/400/", fail_with(SuspiciousOperation)),
    path("boom/403/", fail_with(PermissionDenied)),
    path("boom/500/", fail_with(RuntimeError)),
    prefix_default_language=False,
)


def run(*command, **environment):
    """A fresh interpreter with the test settings and the given environment."""
    return subprocess.run(
        [sys.executable, *command],
        cwd=settings.BASE_DIR,
        env={
            **{key: value for key, value in os.environ.items() if key != "DATABASE_URL"},
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            **environment,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def settings_in_a_fresh_interpreter(*names, **environment):
    script = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}, default=str))"
    )
    result = run("-c", script, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# Health check -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_health_check_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_check_answers_503_when_the_database_fails(client, monkeypatch):
    def refuse():
        raise OperationalError(INTERNAL_DETAIL)

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert INTERNAL_DETAIL not in response.content.decode()


def test_health_check_answers_503_when_the_database_cannot_be_opened():
    """A real failure in a real process: the database file cannot be opened."""
    script = (
        "import django; django.setup();"
        "from django.test.utils import setup_test_environment; setup_test_environment();"
        "from django.test import Client; r = Client().get('/healthz');"
        "print(r.status_code, r.content.decode())"
    )
    result = run("-c", script, DATABASE_URL="sqlite:////nonexistent/directory/db.sqlite3")
    assert result.stdout.split() == ["503", "database", "unavailable"], result.stderr


# Error pages --------------------------------------------------------------------------------

ERRORS = [
    ("/nulle-part/", 404, "Page not found"),
    ("/boom/400/", 400, "Bad request"),
    ("/boom/403/", 403, "Forbidden"),
    ("/boom/500/", 500, "Server error"),
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("url", "status", "heading"), ERRORS)
@pytest.mark.parametrize(("language", "prefix", "html_lang"), [("fr", "", "fr-CA"),
                                                                ("en", "/en", "en-CA")])
def test_error_pages_are_translated_and_show_no_internals(
    url, status, heading, language, prefix, html_lang
):
    """No database here: the 500 page must render when the database is what failed."""
    client = Client(raise_request_exception=False)
    response = client.get(prefix + url)

    page = response.content.decode()
    assert response.status_code == status
    assert f'<html lang="{html_lang}">' in page
    with translation.override(language):
        assert f"<h1>{translation.gettext(heading)}</h1>" in page
    assert INTERNAL_DETAIL not in page
    assert "Traceback" not in page
    assert "tried" not in page  # the URL patterns Django lists on its debug 404


@pytest.mark.urls(__name__)
def test_the_french_error_pages_are_in_french():
    client = Client(raise_request_exception=False)
    assert "<h1>Page introuvable</h1>" in client.get("/nulle-part/").content.decode()
    assert "<h1>Erreur du serveur</h1>" in client.get("/boom/500/").content.decode()


def test_an_unknown_host_gets_the_bad_request_page():
    response = Client(HTTP_HOST="attacker.example").get("/")
    assert response.status_code == 400
    assert [template.name for template in response.templates] == ["400.html", "500.html"]


# Static files -------------------------------------------------------------------------------

def test_whitenoise_serves_the_static_files(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"


def test_production_collects_compressed_files_with_hashed_names(tmp_path):
    """Run by ./scripts/serve: a vendored file referring to a missing one would stop it."""
    result = run(
        "manage.py", "collectstatic", "--no-input", "--verbosity", "0",
        DJANGO_SETTINGS_MODULE="ecpar_site.settings", DEBUG="0", SECRET_KEY="x" * 50,
        STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/site.css"]
    assert hashed != "css/site.css"
    assert (tmp_path / f"{hashed}.gz").exists()


# Database replica, pool and cache -----------------------------------------------------------

def test_reads_go_to_the_replica_and_writes_to_the_primary():
    router = PrimaryReplicaRouter()
    assert router.db_for_read(Enterprise) == "replica"
    assert router.db_for_write(Enterprise) == "default"


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary():
    """A view that wrote must read its own write back, which the replica may not have yet."""
    assert connections["default"].in_atomic_block
    assert PrimaryReplicaRouter().db_for_read(Enterprise) == "default"


def test_only_the_primary_is_migrated():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "enterprises") is True
    assert router.allow_migrate("replica", "enterprises") is False


def test_a_replica_url_adds_the_replica_and_its_router():
    configured = settings_in_a_fresh_interpreter(
        "DATABASES", "DATABASE_ROUTERS",
        DATABASE_URL="postgres://root@127.0.0.1:5432/primary",
        DATABASE_REPLICA_URL="postgres://root@127.0.0.1:5433/primary",
    )
    primary, replica = configured["DATABASES"]["default"], configured["DATABASES"]["replica"]
    assert (replica["PORT"], replica["TEST"]["MIRROR"]) == (5433, "default")
    assert configured["DATABASE_ROUTERS"] == ["ecpar_site.db_routers.PrimaryReplicaRouter"]
    # psycopg's pool by default, which Django allows only with CONN_MAX_AGE 0, checking each
    # connection before use so that a restarted PostgreSQL costs no failed request.
    assert (primary["OPTIONS"]["pool"]["timeout"], primary["CONN_MAX_AGE"]) == (10, 0)
    # One idle connection per sync worker: one to replace after a restart.
    assert primary["OPTIONS"]["pool"]["min_size"] == 1
    assert primary["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="psycopg's pool serves PostgreSQL only",
)
def test_the_pool_replaces_a_connection_the_server_closed():
    """What a PostgreSQL restart does to the idle connections in each worker's pool: Django
    checks a pooled connection before handing it out (CONN_HEALTH_CHECKS), so the dead one
    is replaced and no request fails."""
    default = connections["default"]
    probe = type(default)(
        {**default.settings_dict,
         "OPTIONS": {"pool": {**default.settings_dict["OPTIONS"]["pool"],
                              "min_size": 1, "max_size": 1}}},
        alias="pool_probe",
    )
    try:
        probe.connect()
        dead_pid = probe.connection.info.backend_pid
        probe.close()  # back to the pool, idle
        with default.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [dead_pid])
        probe.connect()
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        assert probe.connection.info.backend_pid != dead_pid
    finally:
        probe.close()
        probe.close_pool()


def test_the_pool_can_be_turned_off_for_pgbouncer():
    primary = settings_in_a_fresh_interpreter(
        "DATABASES", DATABASE_URL="postgres://root@127.0.0.1:5432/ecpar", DATABASE_POOL="0"
    )["DATABASES"]["default"]
    assert (primary["OPTIONS"], primary["CONN_MAX_AGE"]) == ({}, 60)


def test_a_sqlite_database_keeps_its_connection_between_requests():
    """Opening the file again for each request, with its pragmas and the SQL functions Django
    and the search register, cost more than a 304 answer."""
    database = settings_in_a_fresh_interpreter(
        "DATABASES", DATABASE_URL="sqlite:////tmp/ecpar.sqlite3"
    )["DATABASES"]["default"]
    assert database["CONN_MAX_AGE"] == 60


def test_by_default_one_database_and_a_cache_per_process():
    configured = settings_in_a_fresh_interpreter("DATABASES", "DATABASE_ROUTERS", "CACHES")
    assert list(configured["DATABASES"]) == ["default"]
    assert configured["DATABASE_ROUTERS"] == []
    assert configured["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


def test_a_redis_url_shares_the_cache_and_sessions_between_servers():
    script = (
        "import django; django.setup(); from django.conf import settings;"
        "from django.core.cache import cache; import uuid; key = str(uuid.uuid4());"
        "cache.set(key, 'shared', 5); print(cache.get(key), settings.SESSION_ENGINE);"
        "cache.delete(key)"
    )
    result = run("-c", script, REDIS_URL="redis://127.0.0.1:6379/15")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["shared", "django.contrib.sessions.backends.cached_db"]


@pytest.mark.django_db
def test_a_warmed_worker_answers_its_first_listing_from_the_directory_index(
    client, settings, monkeypatch, django_assert_max_num_queries
):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600
    monkeypatch.setattr(directory_index, "_index", None)  # a new worker
    monkeypatch.setattr(connections, "close_all", lambda: None)  # keeps the test's transaction
    try:
        warm_up_worker()
        assert gc.get_freeze_count() > 0
        # The directory's revision, the page of results and their categories; no index build.
        with django_assert_max_num_queries(3):
            assert client.get("/repertoire/").status_code == 200
    finally:
        gc.unfreeze()


def test_a_browser_asking_for_favicon_ico_gets_the_sites_icon(client):
    redirect = client.get("/favicon.ico")

    assert redirect.status_code == 301
    icon = client.get(redirect["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content).startswith(b"\x89PNG")
