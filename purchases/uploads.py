"""Members' uploads of purchases: a small file is checked during the request, a larger one by a
background job whose status page the member watches.

A job stores nothing of its own: the file waits in the default storage under a random name, the
outcome is the task's result, and the status page's address carries the task's id, signed for
the membership and valid for a day. ``manage.py cleanup_imports`` deletes forgotten files.
"""

import secrets
from pathlib import PurePath

from django.contrib import messages
from django.core import signing
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from enterprises.imports import sandbox
from enterprises.imports.read import UnreadableFile
from enterprises.imports.throttle import allow_upload

from . import access, spreadsheets
from .forms import BulkUploadForm
from .models import Membership

STORAGE_FOLDER = "member-uploads"
SIGNING_SALT = "purchases.uploads.job"
JOB_MAX_AGE = 24 * 3600
STATUS_REFRESH_SECONDS = 3


@task()
def check_upload(membership_pk, stored_name, file_name, dry_run, language):
    """Check (and unless a dry run, save) a stored upload; its outcome is the task's result,
    in the member's language. The file is deleted whatever happens."""
    try:
        with translation.override(language):
            membership = Membership.objects.select_related("organization", "user").get(
                pk=membership_pk
            )
            with default_storage.open(stored_name, "rb") as binary:
                try:
                    result = spreadsheets.import_purchases(membership, binary, file_name, dry_run)
                except UnreadableFile as refusal:
                    return spreadsheets.refusal(refusal.message, dry_run)
            return spreadsheets.outcome(result, dry_run)
    finally:
        default_storage.delete(stored_name)


def start_job(membership, upload, dry_run):
    """Store the file, queue its check; returns the status page's token."""
    suffix = PurePath(upload.name).suffix.lower()[:10]
    stored_name = default_storage.save(
        f"{STORAGE_FOLDER}/{secrets.token_urlsafe(24)}{suffix}", upload
    )
    job = check_upload.enqueue(
        membership.pk, stored_name, upload.name, dry_run, translation.get_language()
    )
    return signing.dumps({"job": job.id, "membership": membership.pk}, salt=SIGNING_SALT)


def job_of(token, membership):
    """The job a status page follows; another membership's, or a day-old one, is not found."""
    try:
        signed = signing.loads(token, salt=SIGNING_SALT, max_age=JOB_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    if signed.get("membership") != membership.pk:
        raise Http404
    try:
        return check_upload.get_result(signed["job"])
    except (TaskResultDoesNotExist, TaskResultMismatch):
        raise Http404 from None


def checked_in_request(upload):
    return upload.size <= sandbox.in_process_bytes()


def saved_message(count):
    return _("%(count)s purchases were saved as drafts.") % {"count": count}


class PurchaseUploadView(access.MemberRequiredMixin, FormView):
    template_name = "purchases/purchase_upload.html"
    form_class = BulkUploadForm

    def form_valid(self, form):
        if not allow_upload(user=self.request.user.pk, organization=self.organization.pk):
            form.add_error(None, _("Your organization has sent many files in a short time: "
                                   "wait a while (at most an hour) before sending another one."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        upload, dry_run = form.cleaned_data["file"], form.cleaned_data["dry_run"]
        if not checked_in_request(upload):
            return redirect("purchases:upload_status", start_job(self.membership, upload, dry_run))
        try:
            result = spreadsheets.import_purchases(self.membership, upload, upload.name, dry_run)
        except UnreadableFile as refusal:
            form.add_error("file", refusal.message)
            return self.form_invalid(form)
        outcome = spreadsheets.outcome(result, dry_run)
        if not outcome["failed"] and not dry_run:
            messages.success(self.request, saved_message(outcome["count"]))
            return redirect("purchases:purchase_list")
        return self.render_to_response(self.get_context_data(form=form, outcome=outcome))


class UploadStatusView(access.MemberRequiredMixin, TemplateView):
    """A large file's check, under way or done; the page reloads itself until it is done."""

    template_name = "purchases/purchase_upload_status.html"

    def get_context_data(self, **kwargs):
        job = job_of(self.kwargs["token"], self.membership)
        waiting = job.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING)
        return super().get_context_data(
            job=job, waiting=waiting, refresh_seconds=STATUS_REFRESH_SECONDS,
            outcome=job.return_value if job.status == TaskResultStatus.SUCCESSFUL else None,
            **kwargs,
        )
