"""Staff: the registrant list and its CSV export, counts, matchmaking pages and actions, and
the demo events of seed_demo."""

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from enterprises.models import Category
from events.demo import MATCHMAKING, TRAINING, add_demo_events
from events.models import Event, Registration
from purchases.demo import load_real_demo_set
from tests.factories import EventFactory, RegistrationFactory, region

pytestmark = pytest.mark.django_db


def export(client, event):
    response = client.get(reverse("admin:events_event_registrants", args=[event.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_export_makes_formulas_inert(staff_client):
    event = EventFactory()
    RegistrationFactory(event=event, name="=HYPERLINK(\"http://evil\",\"x\")",
                        organization_name="+SUM(A1:A9)", email="at@example.org")
    RegistrationFactory(event=event, name="-2+3", organization_name="@cmd",
                        email="b@example.org")

    rows = export(staff_client, event)

    assert rows[1][2:5] == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+SUM(A1:A9)",
                            "at@example.org"]
    assert rows[2][2:4] == ["'-2+3", "'@cmd"]


def test_the_csv_export_lists_confirmed_then_waiting_then_cancelled(staff_client):
    event = EventFactory()
    RegistrationFactory(event=event, name="Annulée", status=Registration.Status.CANCELLED)
    RegistrationFactory(event=event, name="En attente", status=Registration.Status.WAITLISTED)
    RegistrationFactory(event=event, name="Confirmée",
                        categories=[Category.objects.get(slug="traiteur")],
                        region=region("06"))

    rows = export(staff_client, event)

    assert [row[2] for row in rows[1:]] == ["Confirmée", "En attente", "Annulée"]
    assert "Traiteur et buffets" in rows[1][8]
    assert len(rows[0]) == len(rows[1]) == 11


def test_the_csv_export_is_for_staff_only(client):
    event = EventFactory()

    response = client.get(reverse("admin:events_event_registrants", args=[event.pk]))

    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_the_event_list_counts_confirmed_and_waitlisted(staff_client):
    event = EventFactory(title="Formation comptée")
    RegistrationFactory.create_batch(3, event=event)
    RegistrationFactory.create_batch(2, event=event, status=Registration.Status.WAITLISTED)

    response = staff_client.get(reverse("admin:events_event_changelist"))

    row = response.context["cl"].result_list.get(pk=event.pk)
    assert (row.confirmed_count, row.waitlisted_count) == (3, 2)


def test_the_event_page_lists_its_registrants(staff_client):
    event = EventFactory()
    RegistrationFactory(event=event, name="Julie Tremblay")

    page = staff_client.get(reverse("admin:events_event_change", args=[event.pk]))

    assert page.status_code == 200
    assert "Julie Tremblay" in page.content.decode()


def test_staff_cancel_a_registration_and_the_waiting_list_moves_up(staff_client, task_worker):
    event = EventFactory(capacity=1)
    leaving = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)

    staff_client.post(reverse("admin:events_registration_changelist"), {
        "action": "cancel_registrations", ACTION_CHECKBOX_NAME: [leaving.pk],
    })
    task_worker()

    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert [message.to for message in mail.outbox] == [[waiting.email]]


def test_staff_propose_then_publish_a_schedule_from_the_matchmaking_page(staff_client):
    event = EventFactory(kind=Event.Kind.MATCHMAKING)
    RegistrationFactory(event=event, role="buyer", organization_name="Ville de Longueuil",
                        categories=[Category.objects.get(slug="alimentation")])
    RegistrationFactory(event=event, role="enterprise", organization_name="Resto Plateau",
                        categories=[Category.objects.get(slug="traiteur")])
    url = reverse("admin:events_event_matchmaking", args=[event.pk])

    page = staff_client.get(url).content.decode()
    staff_client.post(url, {"do": "propose"})
    staff_client.post(url, {"do": "publish"})

    assert "Ville de Longueuil" in page and "Traiteur et buffets" in page
    event.refresh_from_db()
    assert event.meetings.count() == 1
    assert event.schedule_published


def test_publishing_an_empty_schedule_is_refused_with_a_message(staff_client):
    event = EventFactory(kind=Event.Kind.MATCHMAKING)

    response = staff_client.post(reverse("admin:events_event_changelist"), {
        "action": "publish_schedule", ACTION_CHECKBOX_NAME: [event.pk],
    }, follow=True)

    event.refresh_from_db()
    assert not event.schedule_published
    assert len(list(response.context["messages"])) == 1


def test_seed_demo_adds_the_training_course_and_the_matchmaking_once():
    load_real_demo_set()
    add_demo_events(sender=None)
    counts = (Event.objects.count(), Registration.objects.count())
    add_demo_events(sender=None)

    assert (Event.objects.count(), Registration.objects.count()) == counts
    training = Event.objects.get(slug=TRAINING["slug"])
    matchmaking = Event.objects.get(slug=MATCHMAKING["slug"])
    assert training.title == "Acheter auprès d'entreprises d'économie sociale : ça rapporte"
    assert training.registration_closed_reason() is None
    assert matchmaking.proposed_pairs()
