"""Every email the site sends: stored by the request, sent by the task worker.

A mail server that is down or silent can therefore neither slow nor break a page: the request
only writes a row and queues a task (``manage.py db_worker`` runs it). Each try is bounded by
``EMAIL_TIMEOUT``; a failed try is retried after a growing delay, and after ``MAX_ATTEMPTS``
the mail stays failed in the admin (Outgoing emails), where staff can send it again, as they can
a mail whose worker stopped in the middle of a try.
"""

import logging
from datetime import timedelta

from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMessage
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from .models import OutgoingMail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY_DELAY = timedelta(minutes=1)
# Each failure multiplies the delay: 1 and 5 minutes, then 25, about 2 hours, then 10, so the
# last try comes half a day after the first, long enough for a mail server to be repaired.
RETRY_DELAY_GROWTH = 5
ERROR_LENGTH = 1000
_delivery_checks = []


def register_delivery_check(check):
    """An app whose mails their recipient may stop after they are queued (notices with an
    unsubscribe link) registers ``check(mail)``, which returns False for a stored mail that
    is no longer wanted: the worker then withdraws it instead of sending it. Registering a
    check again changes nothing."""
    if check not in _delivery_checks:
        _delivery_checks.append(check)


def still_wanted(mail):
    return all(check(mail) for check in _delivery_checks)


def retry_delay(attempts):
    """The wait after the `attempts`-th failed try."""
    return FIRST_RETRY_DELAY * RETRY_DELAY_GROWTH ** (attempts - 1)


def queue_mail(message):
    """Store an `EmailMessage` (text attachments only, such as calendar files; its extra
    headers) for the worker.

    Returns the stored mails, one per recipient.
    """
    attachments = [
        {
            "filename": filename,
            "content": content.decode() if isinstance(content, bytes) else content,
            "mimetype": mimetype,
        }
        for filename, content, mimetype in message.attachments
    ]
    mails = [
        OutgoingMail.objects.create(
            recipient=recipient, from_email=message.from_email, subject=message.subject,
            body=message.body, attachments=attachments, headers=message.extra_headers,
        )
        for recipient in message.to
    ]
    for mail in mails:
        deliver_mail.enqueue(mail.pk)
    return mails


def send_again(mails):
    """Failed and stuck mails get a fresh series of tries; returns how many were queued."""
    pks = list((mails.failed() | mails.stuck()).values_list("pk", flat=True))
    OutgoingMail.objects.filter(pk__in=pks).update(
        status=OutgoingMail.Status.QUEUED, attempts=0, next_attempt_at=None
    )
    for pk in pks:
        deliver_mail.enqueue(pk)
    return len(pks)


def email_message(mail):
    message = EmailMessage(mail.subject, mail.body, mail.from_email, [mail.recipient],
                           headers=mail.headers)
    for attachment in mail.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message


@task()
def deliver_mail(mail_pk):
    """One try at sending a stored mail. A failure is recorded and retried, never raised: with
    an immediate task backend this runs inside the request that queued the mail."""
    mail = OutgoingMail.objects.filter(pk=mail_pk, status=OutgoingMail.Status.QUEUED).first()
    if mail is None:
        return
    # Claim this try: when two tasks hold the same mail, only one sends it.
    claimed = OutgoingMail.objects.filter(
        pk=mail.pk, status=OutgoingMail.Status.QUEUED, attempts=mail.attempts
    ).update(attempts=F("attempts") + 1, next_attempt_at=None)
    if not claimed:
        return
    mail.attempts += 1
    if not still_wanted(mail):
        OutgoingMail.objects.filter(pk=mail.pk).update(
            status=OutgoingMail.Status.WITHDRAWN, body="", attachments=[]
        )
        return
    try:
        email_message(mail).send()
    # Whatever the mail server or the network does (refusal, timeout, reset), the mail waits
    # for its next try.
    except Exception as error:
        record_failure(mail, error)
    else:
        OutgoingMail.objects.filter(pk=mail.pk).update(
            status=OutgoingMail.Status.SENT, sent_at=timezone.now(), body="", attachments=[],
            last_error="",
        )


def record_failure(mail, error):
    last_error = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
    if mail.attempts >= MAX_ATTEMPTS:
        OutgoingMail.objects.filter(pk=mail.pk).update(
            status=OutgoingMail.Status.FAILED, last_error=last_error
        )
        logger.error("Email %s to %s failed after %s tries: %s",
                     mail.pk, mail.recipient, mail.attempts, last_error)
        return
    run_after = timezone.now() + retry_delay(mail.attempts)
    OutgoingMail.objects.filter(pk=mail.pk).update(next_attempt_at=run_after, last_error=last_error)
    logger.warning("Email %s to %s failed (try %s), next try at %s: %s",
                   mail.pk, mail.recipient, mail.attempts, run_after.isoformat(), last_error)
    # Only a backend that can defer retries; the immediate one, used by some tests, leaves the
    # mail queued with its next try unscheduled.
    if deliver_mail.get_backend().supports_defer:
        deliver_mail.using(run_after=run_after).enqueue(mail.pk)


class PasswordResetMailForm(PasswordResetForm):
    """Django's reset form, run by the worker: its mails join the queue like any other."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        queue_mail(EmailMessage(subject, body, from_email, [to_email]))


@task()
def send_password_reset(email, domain, use_https, language):
    """The reset link to each active account of this address, if there is any.

    The accounts are looked up here rather than in the request, so that the request does the
    same work, in the same time, whether the address is known or not.
    """
    form = PasswordResetMailForm({"email": email})
    if form.is_valid():
        with translation.override(language):
            form.save(domain_override=domain, use_https=use_https)


def send_invitation(invitation, absolute_uri):
    """The invitation's link, in the language the manager chose for it.

    ``absolute_uri`` turns a path into a full address (``request.build_absolute_uri``).
    """
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "invited_by": invitation.invited_by,
            "organization": invitation.organization,
            "url": absolute_uri(invitation.get_absolute_url()),
        }
        subject = " ".join(
            render_to_string("purchases/email/invitation_subject.txt", context).split()
        )
        body = render_to_string("purchases/email/invitation.txt", context)
    queue_mail(EmailMessage(subject, body, to=[invitation.email]))
