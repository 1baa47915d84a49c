import pytest
from django.conf import settings
from django.utils import translation
from django_tasks_db.management.commands import db_worker

from tests.factories import StaffFactory


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in French, the site's default, whatever the previous test activated."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def staff_user(db):
    return StaffFactory(username="curator")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def task_worker(db, monkeypatch):
    """Runs the queued tasks that are due, as `manage.py db_worker --batch` would.

    The worker closes stale connections between tasks; in a test that would close the
    connection holding the test's transaction, so that step is skipped.
    """
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        db_worker.Worker(
            queue_names=["*"], excluded_queue_names=[], interval=0, batch=True,
            backend_name="default", startup_delay=False, max_tasks=None, worker_id="tests",
        ).run()

    return run


# search helper: the synonym sets each process keeps follow the revision of the directory
# index it holds, which a test's rolled-back writes may leave behind: each test reads them anew.
@pytest.fixture(autouse=True)
def fresh_synonyms():
    from enterprises.search.synonyms import forget_synonyms

    forget_synonyms()
    yield
