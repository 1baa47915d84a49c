"""The emails a registrant receives, in the language they registered in.

They are rendered here and queued (`purchases.mail`): the task worker sends them, so a mail
server that is down never fails a registration or a cancellation. ``absolute_uri`` turns a
path into a full address (``request.build_absolute_uri``): the links must work from a mail
client.
"""

import re

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from purchases.mail import queue_mail

from .ical import event_calendar


def _send(registration, template, absolute_uri):
    event = registration.event
    with translation.override(registration.language):
        event_url = absolute_uri(event.get_absolute_url())
        context = {
            "registration": registration,
            "event": event,
            "event_url": event_url,
            "registration_url": absolute_uri(registration.get_absolute_url()),
            "cancel_url": absolute_uri(
                reverse("events:cancel", kwargs={"token": registration.token})
            ),
        }
        # One line, keeping the no-break spaces of French typography (str.split() would not).
        subject = re.sub(
            r"[ \t\r\n]+", " ",
            render_to_string(f"events/email/{template}_subject.txt", context),
        ).strip()
        body = render_to_string(f"events/email/{template}.txt", context)
        message = EmailMessage(subject, body, to=[registration.email])
        message.attach(f"{event.slug}.ics", event_calendar(event, event_url), "text/calendar")
    queue_mail(message)


def send_confirmation(registration, absolute_uri):
    """Confirmed or waitlisted: the event, the calendar file and the cancellation link."""
    _send(registration, "confirmation", absolute_uri)


def send_promotion(registration, absolute_uri):
    """A seat was freed: this person moves from the waiting list to confirmed."""
    _send(registration, "promotion", absolute_uri)
