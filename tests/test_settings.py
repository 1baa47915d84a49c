"""The environment parsers: a bad value stops the start-up with a message naming the variable."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ecpar_site.settings import env_bool, env_database, env_int, env_list

SQLITE_DEFAULT = "sqlite:////tmp/default.sqlite3"


class TestEnvBool:
    @pytest.mark.parametrize("value", ["1", "true", "Yes", " ON "])
    def test_true_values(self, monkeypatch, value):
        monkeypatch.setenv("FLAG", value)
        assert env_bool("FLAG", False) is True

    @pytest.mark.parametrize("value", ["0", "false", "NO", "off"])
    def test_false_values(self, monkeypatch, value):
        monkeypatch.setenv("FLAG", value)
        assert env_bool("FLAG", True) is False

    def test_unset_or_empty_gives_the_default(self, monkeypatch):
        monkeypatch.delenv("FLAG", raising=False)
        assert env_bool("FLAG", True) is True
        monkeypatch.setenv("FLAG", "")
        assert env_bool("FLAG", False) is False

    @pytest.mark.parametrize("value", ["2", "oui", "enabled"])
    def test_anything_else_names_the_variable(self, monkeypatch, value):
        monkeypatch.setenv("DEBUG", value)
        with pytest.raises(ImproperlyConfigured, match="DEBUG"):
            env_bool("DEBUG", False)


class TestEnvInt:
    def test_a_whole_number(self, monkeypatch):
        monkeypatch.setenv("MAX_UPLOAD_BYTES", " 1024 ")
        assert env_int("MAX_UPLOAD_BYTES", 0) == 1024

    def test_unset_gives_the_default(self, monkeypatch):
        monkeypatch.delenv("MAX_UPLOAD_BYTES", raising=False)
        assert env_int("MAX_UPLOAD_BYTES", 7) == 7

    @pytest.mark.parametrize("value", ["20MB", "1.5", "many"])
    def test_anything_else_names_the_variable(self, monkeypatch, value):
        monkeypatch.setenv("MAX_UPLOAD_BYTES", value)
        with pytest.raises(ImproperlyConfigured, match="MAX_UPLOAD_BYTES"):
            env_int("MAX_UPLOAD_BYTES", 0)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "ecpar.example.org, www.ecpar.example.org,,")
    assert env_list("ALLOWED_HOSTS", []) == ["ecpar.example.org", "www.ecpar.example.org"]


class TestEnvDatabase:
    def test_sqlite_gets_wal_and_a_busy_timeout(self, monkeypatch):
        monkeypatch.delenv("DATABASE_URL", raising=False)
        config = env_database("DATABASE_URL", SQLITE_DEFAULT)
        assert config["ENGINE"] == "django.db.backends.sqlite3"
        assert config["NAME"] == "/tmp/default.sqlite3"
        assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
        assert config["OPTIONS"]["timeout"] > 0

    def test_postgres_switches_to_postgresql(self, monkeypatch):
        monkeypatch.setenv("DATABASE_URL", "postgres://root@127.0.0.1:5432/ecpar")
        config = env_database("DATABASE_URL", SQLITE_DEFAULT)
        assert (config["ENGINE"], config["NAME"], config["HOST"]) == (
            "django.db.backends.postgresql", "ecpar", "127.0.0.1"
        )

    @pytest.mark.parametrize("url", ["mysql://root@localhost/ecpar", "ecpar.sqlite3"])
    def test_an_unusable_url_names_the_variable(self, monkeypatch, url):
        monkeypatch.setenv("DATABASE_URL", url)
        with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
            env_database("DATABASE_URL", SQLITE_DEFAULT)

    def test_a_bad_connection_age_names_its_variable(self, monkeypatch):
        monkeypatch.setenv("CONN_MAX_AGE", "forever")
        with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE"):
            env_database("DATABASE_URL", SQLITE_DEFAULT)


def start_up(**environment):
    """Import the real settings in a fresh interpreter, as manage.py would."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")
    }
    return subprocess.run(
        [sys.executable, "-c", "import ecpar_site.settings"],
        cwd=settings.BASE_DIR,
        env={**env, **environment},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = start_up(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_starts_without_a_secret_key():
    assert start_up(DEBUG="1").returncode == 0


def test_french_is_the_default_language_and_montreal_the_time_zone():
    assert settings.LANGUAGE_CODE == "fr-ca"
    assert [code for code, _ in settings.LANGUAGES] == ["fr", "en"]
    assert settings.TIME_ZONE == "America/Montreal"
