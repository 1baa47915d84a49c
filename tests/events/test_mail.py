"""With the mail server down or silent, registration and cancellation answer normally; the
mails wait in the queue and go out, in the registrant's language, once the server is back."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from events.models import Registration
from purchases.models import OutgoingMail
from tests.factories import EventFactory, RegistrationFactory
from tests.mail_backends import BROKEN

pytestmark = pytest.mark.django_db


def visitor(number, **fields):
    return {
        "role": Registration.Role.BUYER,
        "name": f"Personne {number}",
        "organization_name": "Ville de Trois-Rivières (Québec)",
        "email": f"personne{number}@example.org",
        **fields,
    }


def server_is_back(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


@pytest.mark.parametrize("backend", BROKEN)
def test_registration_with_the_mail_server_down_is_saved_and_answered(
    client, settings, task_worker, backend
):
    settings.EMAIL_BACKEND = backend
    event = EventFactory()
    with translation.override("en"):
        url = reverse("events:register", args=[event.slug])

    response = client.post(url, visitor(1), follow=True)
    task_worker()

    assert response.status_code == 200
    registration = event.registrations.get()
    assert registration.status == Registration.Status.CONFIRMED
    assert "An email with the details" in response.content.decode()
    queued = OutgoingMail.objects.get()
    assert (queued.recipient, queued.attempts) == ("personne1@example.org", 1)
    assert queued.status == OutgoingMail.Status.QUEUED

    server_is_back(settings)
    task_worker()

    message, = mail.outbox
    assert message.subject.startswith("Registration confirmed:")
    assert registration.token in message.body
    assert message.attachments[0][0] == f"{event.slug}.ics"


def test_cancellation_with_the_mail_server_down_promotes_and_answers(
    client, settings, task_worker
):
    settings.EMAIL_BACKEND = "tests.mail_backends.SilentBackend"
    event = EventFactory(capacity=1)
    leaving = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)

    response = client.post(reverse("events:cancel", args=[leaving.token]), follow=True)
    task_worker()

    assert response.status_code == 200
    assert "Votre inscription est annulée" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert OutgoingMail.objects.get().recipient == waiting.email

    server_is_back(settings)
    task_worker()

    assert [message.to for message in mail.outbox] == [[waiting.email]]


def test_registration_with_immediate_tasks_and_the_server_down_answers_normally(
    client, settings
):
    """Even when the task runs inside the request, its failure stays in the task."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    event = EventFactory()

    response = client.post(reverse("events:register", args=[event.slug]), visitor(1))

    assert response.status_code == 302
    assert event.registrations.count() == 1
    assert OutgoingMail.objects.get().attempts == 1
