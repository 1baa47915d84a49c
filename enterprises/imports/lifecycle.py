"""Runs that end. One whose process died (its heartbeat stopped) is failed; one abandoned at
the columns step is closed after a day and its file deleted; a failed one starts again from its
kept file. ``manage.py cleanup_imports`` applies the first two on a schedule, the run's page
the first one whenever it is viewed."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import ImportRun
from .progress import last_sign_of_life
from .tasks import start_import

STOPPED_AFTER_SECONDS = 10 * 60
ABANDONED_AFTER_SECONDS = 24 * 3600


def stopped_after():
    return timedelta(seconds=getattr(settings, "IMPORT_STOPPED_AFTER_SECONDS",
                                     STOPPED_AFTER_SECONDS))


def abandoned_after():
    return timedelta(seconds=getattr(settings, "IMPORT_ABANDONED_AFTER_SECONDS",
                                     ABANDONED_AFTER_SECONDS))


def fail_if_stopped(run):
    """Fail a running run that gave no sign of life for too long: its process was killed, and
    its transaction, rolled back, applied nothing. Returns whether it was failed."""
    if run.state != ImportRun.State.RUNNING or (
        timezone.now() - last_sign_of_life(run) < stopped_after()
    ):
        return False
    run.state = ImportRun.State.FAILED
    run.failure = str(_("The import stopped without finishing: its process was stopped or the "
                        "server restarted. Nothing was applied; start it again from this page."))
    run.finished_at = timezone.now()
    # Only if still running: a process that was merely slow may have finished meanwhile.
    return bool(ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.RUNNING).update(
        state=run.state, failure=run.failure, finished_at=run.finished_at,
    ))


def fail_stopped_runs():
    candidates = ImportRun.objects.filter(state=ImportRun.State.RUNNING,
                                          created_at__lt=timezone.now() - stopped_after())
    return sum(fail_if_stopped(run) for run in candidates)


def delete_file(run):
    """Delete the run's file unless another run (a preview and its import) reads it too."""
    if run.upload and not ImportRun.objects.filter(upload=run.upload.name).exclude(
        pk=run.pk
    ).exists():
        run.upload.delete(save=False)


def discard(run):
    """Forget a run whose file was refused before anything started: nothing of it is kept."""
    delete_file(run)
    run.delete()


def close_abandoned_runs():
    """Close the runs left waiting at the columns step for a day, and delete their files."""
    abandoned = ImportRun.objects.filter(state=ImportRun.State.PENDING,
                                         created_at__lt=timezone.now() - abandoned_after())
    closed = 0
    for run in abandoned:
        delete_file(run)
        run.upload = ""
        run.state = ImportRun.State.FAILED
        run.failure = str(_("Nobody chose the columns of this file within a day: it was "
                            "deleted. Upload it again to import it."))
        run.finished_at = timezone.now()
        run.save(update_fields=["upload", "state", "failure", "finished_at"])
        closed += 1
    return closed


def can_restart(run):
    return run.state == ImportRun.State.FAILED and bool(run.upload) and run.upload.storage.exists(
        run.upload.name
    )


def restart(run, user):
    """A new run of the same file, as the failed one was asked (preview or import)."""
    again = ImportRun.objects.create(
        network=run.network, file_name=run.file_name, upload=run.upload, created_by=user,
        dry_run=run.dry_run,
    )
    start_import(again)
    return again
