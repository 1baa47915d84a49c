"""Mail goes through the task worker: a mail server that is down or silent never breaks a
request, each failed try is retried later, and the last failure is left for staff to see; a
mail keeps its extra headers, and one its recipient no longer wants when its turn comes is
withdrawn."""

import socket
from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from purchases import mail as site_mail
from purchases.mail import MAX_ATTEMPTS, deliver_mail, queue_mail
from purchases.models import OutgoingMail
from tests.factories import MembershipFactory
from tests.mail_backends import BROKEN

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def queue_one(**fields):
    message = EmailMessage(
        fields.get("subject", "Inscription confirmée : Colloque de Trois-Rivières (Québec)"),
        "Bonjour Julie,\n\nVotre inscription est confirmée.",
        to=[fields.get("to", "julie.tremblay@example.org")],
    )
    message.attach("colloque.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    mail_row, = queue_mail(message)
    return mail_row


def clock_reaches_the_next_try():
    """The retries are deferred tasks; move them to now instead of waiting."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def test_a_queued_mail_is_sent_by_the_worker_and_keeps_no_body(task_worker):
    queued = queue_one()
    assert mail.outbox == []

    task_worker()

    message, = mail.outbox
    assert message.to == ["julie.tremblay@example.org"]
    assert message.subject == "Inscription confirmée : Colloque de Trois-Rivières (Québec)"
    (filename, content, mimetype), = message.attachments
    assert (filename, mimetype) == ("colloque.ics", "text/calendar")
    assert "BEGIN:VCALENDAR" in content
    queued.refresh_from_db()
    assert queued.status == OutgoingMail.Status.SENT
    assert queued.sent_at is not None
    assert (queued.body, queued.attachments) == ("", [])


def test_a_mail_is_sent_with_its_extra_headers(task_worker):
    message = EmailMessage("Avis", "Bonjour", to=["julie.tremblay@example.org"], headers={
        "List-Unsubscribe": "<https://example.org/stop/abc/>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    })
    queue_mail(message)

    task_worker()

    sent, = mail.outbox
    assert sent.message()["List-Unsubscribe"] == "<https://example.org/stop/abc/>"
    assert sent.message()["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_mail_no_longer_wanted_when_its_turn_comes_is_withdrawn(task_worker, monkeypatch):
    monkeypatch.setattr(site_mail, "_delivery_checks", [
        lambda stored: stored.recipient != "julie.tremblay@example.org"
    ])
    unwanted = queue_one()
    wanted = queue_one(to="marc.gagnon@example.org")

    task_worker()

    assert [message.to for message in mail.outbox] == [["marc.gagnon@example.org"]]
    unwanted.refresh_from_db()
    wanted.refresh_from_db()
    assert unwanted.status == OutgoingMail.Status.WITHDRAWN
    assert (unwanted.body, unwanted.attachments, unwanted.sent_at) == ("", [], None)
    assert wanted.status == OutgoingMail.Status.SENT


@pytest.mark.parametrize("backend", BROKEN)
def test_a_failed_try_is_recorded_and_retried_later(settings, task_worker, backend):
    settings.EMAIL_BACKEND = backend
    queued = queue_one()

    task_worker()

    queued.refresh_from_db()
    assert queued.status == OutgoingMail.Status.QUEUED
    assert queued.attempts == 1
    assert queued.last_error
    assert queued.next_attempt_at > timezone.now() + timedelta(seconds=30)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == queued.next_attempt_at
    task_worker()  # not due yet: nothing happens
    queued.refresh_from_db()
    assert queued.attempts == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock_reaches_the_next_try()
    task_worker()

    queued.refresh_from_db()
    assert queued.status == OutgoingMail.Status.SENT
    assert queued.attempts == 2
    assert [message.to for message in mail.outbox] == [["julie.tremblay@example.org"]]


def test_after_the_last_try_the_mail_is_failed_and_staff_can_send_it_again(
    settings, task_worker, staff_client
):
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    queued = queue_one(to="pierre.gagnon@example.org")
    delays = []
    for _ in range(MAX_ATTEMPTS):
        task_worker()
        queued.refresh_from_db()
        if queued.next_attempt_at:
            delays.append(queued.next_attempt_at - timezone.now())
        clock_reaches_the_next_try()

    assert queued.status == OutgoingMail.Status.FAILED
    assert queued.attempts == MAX_ATTEMPTS
    assert "Connection refused" in queued.last_error
    assert len(delays) == MAX_ATTEMPTS - 1
    assert delays == sorted(delays)  # each wait is longer than the one before
    assert not DBTaskResult.objects.filter(status="READY").exists()

    changelist = reverse("admin:purchases_outgoingmail_changelist")
    page = staff_client.get(changelist, {"status__exact": "failed"})
    assert "pierre.gagnon@example.org" in page.content.decode()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    staff_client.post(changelist, {
        "action": "send_again", helpers.ACTION_CHECKBOX_NAME: [queued.pk],
    })
    task_worker()

    queued.refresh_from_db()
    assert queued.status == OutgoingMail.Status.SENT
    assert [message.to for message in mail.outbox] == [["pierre.gagnon@example.org"]]


def test_a_mail_server_that_never_answers_is_given_up_after_email_timeout(settings, task_worker):
    """A real SMTP client against a socket that accepts and never greets."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = silent.getsockname()
    settings.EMAIL_TIMEOUT = 0.2
    try:
        queued = queue_one()
        task_worker()
    finally:
        silent.close()

    queued.refresh_from_db()
    assert queued.status == OutgoingMail.Status.QUEUED
    assert queued.attempts == 1
    assert "timed out" in queued.last_error


def test_with_an_immediate_task_backend_a_failure_still_never_reaches_the_caller(settings):
    settings.TASKS = IMMEDIATE_TASKS
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"

    queued = queue_one()

    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (OutgoingMail.Status.QUEUED, 1)


def test_two_tasks_for_one_mail_send_it_once(task_worker):
    queued = queue_one()
    deliver_mail.enqueue(queued.pk)

    task_worker()

    assert len(mail.outbox) == 1


# Password reset


def reset(client, email, language="fr"):
    with translation.override(language):
        url = reverse("purchases:password_reset")
    return client.post(url, {"email": email})


def test_password_reset_does_the_same_work_for_known_and_unknown_addresses(client):
    membership = MembershipFactory(user__email="julie.tremblay@ville.longueuil.qc.ca")
    reset(client, "quelquun@example.org")  # the first request of a test loads sessions etc.

    with CaptureQueriesContext(connection) as known:
        known_response = reset(client, membership.user.email)
    with CaptureQueriesContext(connection) as unknown:
        unknown_response = reset(client, "PERSONNE@INCONNUE.QC.CA")

    assert known_response.status_code == unknown_response.status_code == 302
    assert known_response["Location"] == unknown_response["Location"]
    assert len(known.captured_queries) == len(unknown.captured_queries)
    assert not OutgoingMail.objects.exists()  # the look-up happens in the worker


def test_password_reset_to_an_unknown_address_sends_nothing(client, task_worker):
    reset(client, "personne@inconnue.qc.ca")
    task_worker()

    assert mail.outbox == []
    assert not OutgoingMail.objects.exists()


def test_password_reset_mail_is_in_the_language_of_the_page(client, task_worker):
    membership = MembershipFactory()

    reset(client, membership.user.email, language="en")
    task_worker()

    message, = mail.outbox
    assert "/en/membres/mot-de-passe/" in message.body
    assert "Choose a new password at this address:" in message.body


@pytest.mark.parametrize("backend", BROKEN)
def test_password_reset_with_the_mail_server_down_answers_normally(
    client, settings, task_worker, backend
):
    settings.EMAIL_BACKEND = backend
    membership = MembershipFactory()

    response = reset(client, membership.user.email)
    task_worker()

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "peut prendre quelques minutes" in page.content.decode()
    queued = OutgoingMail.objects.get()
    assert (queued.recipient, queued.attempts) == (membership.user.email, 1)
    assert queued.status == OutgoingMail.Status.QUEUED


def test_password_reset_with_immediate_tasks_and_the_server_down_answers_normally(
    client, settings
):
    settings.TASKS = IMMEDIATE_TASKS
    settings.EMAIL_BACKEND = "tests.mail_backends.SilentBackend"
    membership = MembershipFactory()

    response = reset(client, membership.user.email)

    assert response.status_code == 302
    assert OutgoingMail.objects.get().attempts == 1


def test_staff_send_again_a_mail_whose_worker_stopped_but_not_one_still_in_time(
    task_worker, staff_client
):
    stuck = queue_one(to="pierre.gagnon@example.org")
    fresh = queue_one(to="julie.tremblay@example.org")
    # The worker took the first one's task and was killed in the middle of the try.
    DBTaskResult.objects.all().delete()
    OutgoingMail.objects.filter(pk=stuck.pk).update(
        attempts=1, created_at=timezone.now() - timedelta(hours=3)
    )

    staff_client.post(reverse("admin:purchases_outgoingmail_changelist"), {
        "action": "send_again", helpers.ACTION_CHECKBOX_NAME: [stuck.pk, fresh.pk],
    })
    task_worker()

    assert [message.to for message in mail.outbox] == [["pierre.gagnon@example.org"]]
    fresh.refresh_from_db()
    assert fresh.status == OutgoingMail.Status.QUEUED
