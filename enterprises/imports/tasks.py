"""Large files from the admin run in the background (``manage.py db_worker``); small ones at
once, so that a curator sees the preview without waiting for a worker."""

from django.conf import settings
from django_tasks import task

from ..models import ImportRun
from .pipeline import run_import
from .progress import beat


@task()
def run_import_job(run_pk):
    run = ImportRun.objects.select_related("network").get(pk=run_pk)
    if run.state != ImportRun.State.PENDING:
        return  # closed while it waited for a worker (see lifecycle.close_abandoned_runs)
    # A sign of life before the file is read: reading a large one takes a while.
    beat(run)
    with run.upload.open("rb") as binary:
        run_import(run, binary)


def start_import(run):
    """Run now if the file is small, else queue it; the run's page shows its progress."""
    if run.upload.size > settings.IMPORT_BACKGROUND_BYTES:
        run_import_job.enqueue(run.pk)
    else:
        run_import_job.call(run.pk)
