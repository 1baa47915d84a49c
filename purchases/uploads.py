"""Members' uploads of purchases: a small file is checked during the request, a larger one by a
background job whose status page the member watches.

A job stores nothing of its own: the file waits in the default storage under a random name, the
outcome is the task's result, and the status page's address carries the task's id, signed for
the membership and valid for a day.

A file checked without a problem stays stored for the confirm step: the outcome carries a token
(signed for the membership, valid for a day) that names it, so saving its purchases never asks
for the file again. Saving deletes it; ``manage.py cleanup_member_uploads`` deletes forgotten ones.
The confirm step lists the rows whose amount falls in the largest contract size: the file is
saved only with the box that confirms them ticked, and is kept until then.
"""

import secrets
from pathlib import PurePath

from django.contrib import messages
from django.core import signing
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import View
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
CONFIRM_SALT = "purchases.uploads.confirm"
JOB_MAX_AGE = 24 * 3600
STATUS_REFRESH_SECONDS = 3


@task()
def check_upload(membership_pk, stored_name, file_name, dry_run, language,
                 amounts_confirmed=False):
    """Check (and unless a dry run, save) a stored upload; its outcome is the task's result,
    in the member's language. The file is deleted, unless it is kept for the confirm step."""
    keep = False
    try:
        with translation.override(language):
            membership = Membership.objects.select_related("organization", "user").get(
                pk=membership_pk
            )
            outcome = check_stored(membership, stored_name, file_name, dry_run, language,
                                   amounts_confirmed)
            keep = bool(outcome.get("confirm_token"))
            return outcome
    finally:
        if not keep:
            default_storage.delete(stored_name)


def check_stored(membership, stored_name, file_name, dry_run, language, amounts_confirmed=False):
    """The outcome of a stored file; that of a valid dry run, or of a file whose large amounts
    wait to be confirmed, carries the token of its confirm step."""
    with default_storage.open(stored_name, "rb") as binary:
        try:
            outcome = spreadsheets.import_purchases(
                membership, binary, file_name, dry_run, language, amounts_confirmed
            )
        except UnreadableFile as refusal:
            return spreadsheets.refusal(refusal.message, dry_run)
    if (dry_run or outcome["unconfirmed"]) and not outcome["failed"] and outcome["count"]:
        outcome["confirm_token"] = signing.dumps({
            "file": stored_name, "name": file_name, "membership": membership.pk,
            "language": outcome["language"],
        }, salt=CONFIRM_SALT)
    return outcome


def store(upload):
    suffix = PurePath(upload.name).suffix.lower()[:10]
    return default_storage.save(f"{STORAGE_FOLDER}/{secrets.token_urlsafe(24)}{suffix}", upload)


def start_job(membership, stored_name, file_name, dry_run, language=None,
              amounts_confirmed=False):
    """Queue the check of a stored file; returns the status page's token."""
    job = check_upload.enqueue(
        membership.pk, stored_name, file_name, dry_run, language or translation.get_language(),
        amounts_confirmed,
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


def checked_in_request(size):
    return size <= sandbox.in_process_bytes()


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
        stored_name = store(upload)
        if not checked_in_request(upload.size):
            return redirect("purchases:upload_status",
                            start_job(self.membership, stored_name, upload.name, dry_run))
        outcome = check_stored(self.membership, stored_name, upload.name, dry_run,
                               translation.get_language())
        if not outcome.get("confirm_token"):
            default_storage.delete(stored_name)
        if outcome.get("refused"):
            form.add_error("file", outcome["errors"][0]["message"])
            return self.form_invalid(form)
        if not outcome["failed"] and not dry_run and not outcome["unconfirmed"]:
            messages.success(self.request, saved_message(outcome["count"]))
            return redirect("purchases:purchase_list")
        return self.render_to_response(self.get_context_data(form=form, outcome=outcome))


class ConfirmUploadView(access.MemberRequiredMixin, View):
    """The confirm step: saves the purchases of the file checked a moment ago, without asking
    for it again, once its large amounts, if any, are confirmed by the box ticked."""

    http_method_names = ["post"]

    def post(self, request):
        try:
            signed = signing.loads(request.POST.get("token", ""), salt=CONFIRM_SALT,
                                   max_age=JOB_MAX_AGE)
        except signing.BadSignature:
            signed = {}
        stored_name = signed.get("file", "")
        if signed.get("membership") != self.membership.pk or not (
            stored_name.startswith(f"{STORAGE_FOLDER}/") and default_storage.exists(stored_name)
        ):
            messages.error(request, _("This checked file is no longer kept (its purchases were "
                                      "already saved, or a day has passed): upload it again."))
            return redirect("purchases:purchase_upload")
        amounts_confirmed = request.POST.get("confirm_large_amounts") == "on"
        if not checked_in_request(default_storage.size(stored_name)):
            return redirect("purchases:upload_status", start_job(
                self.membership, stored_name, signed["name"], False, signed["language"],
                amounts_confirmed,
            ))
        outcome = None
        try:
            outcome = check_stored(self.membership, stored_name, signed["name"], False,
                                   signed["language"], amounts_confirmed)
        finally:
            if outcome is None or not outcome.get("confirm_token"):
                default_storage.delete(stored_name)
        if outcome["failed"] or outcome.get("unconfirmed"):
            return render(request, "purchases/purchase_upload.html", {
                "form": BulkUploadForm(), "outcome": outcome, "membership": self.membership,
                "organization": self.organization,
            })
        messages.success(request, saved_message(outcome["count"]))
        return redirect("purchases:purchase_list")


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
