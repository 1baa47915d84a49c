"""Registration: seats then the waiting list, one registration per email, cancellation that
promotes the next person, and every bad input answered with a message, never a 500."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from events.models import Event, Registration, RegistrationRefused
from tests.factories import EventFactory, MembershipFactory, RegistrationFactory, region

pytestmark = pytest.mark.django_db


def visitor(number, **fields):
    return {
        "role": Registration.Role.BUYER,
        "name": f"Personne {number}",
        "organization_name": "Ville de Longueuil",
        "email": f"personne{number}@example.org",
        **fields,
    }


def register(client, event, data):
    return client.post(reverse("events:register", args=[event.slug]), data)


def shown(msgid):
    """A message of ours put in a page through a variable (escaped), in the active language
    (French by default)."""
    return escape(gettext(msgid))


def written(msgid):
    """Text of ours written in a template with {% translate %} (not escaped)."""
    return gettext(msgid)


def statuses(event):
    return list(event.registrations.in_queue_order().values_list("email", "status"))


# Capacity and the waiting list


def test_registrations_are_confirmed_up_to_capacity_then_go_to_the_waiting_list(
    client, task_worker
):
    event = EventFactory(capacity=2)

    for number in range(4):
        response = register(client, event, visitor(number))
        assert response.status_code == 302
    task_worker()

    assert statuses(event) == [
        ("personne0@example.org", "confirmed"),
        ("personne1@example.org", "confirmed"),
        ("personne2@example.org", "waitlisted"),
        ("personne3@example.org", "waitlisted"),
    ]
    assert mail.outbox[2].subject == gettext("On the waiting list: %(title)s") % {
        "title": event.title
    }


def test_register_confirms_while_seats_are_free_then_waitlists():
    event = EventFactory(capacity=1)
    first = event.register(Registration(**visitor(1)))
    second = event.register(Registration(**visitor(2)))

    assert (first.status, second.status) == ("confirmed", "waitlisted")


def test_a_full_event_says_new_registrations_go_to_the_waiting_list(client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)

    page = client.get(event.get_absolute_url()).content.decode()

    assert written("The event is full: new registrations go to the waiting list, and get a "
                   "seat in their turn if one is freed.") in page
    assert written("Join the waiting list") in page


def test_the_same_email_cannot_register_twice_for_one_event(client):
    event = EventFactory()
    register(client, event, visitor(1))

    again = register(client, event, visitor(1, email=" PERSONNE1@example.org "))

    assert again.status_code == 200
    assert shown("This email address is already registered for this event.") in \
        again.content.decode()
    assert event.registrations.count() == 1


def test_the_database_refuses_a_second_active_registration_of_an_email():
    event = EventFactory()
    RegistrationFactory(event=event, email="a@example.org")

    with pytest.raises(RegistrationRefused):
        event.register(Registration(**visitor(1, email="a@example.org")))


def test_a_cancelled_person_may_register_again(client):
    event = EventFactory()
    RegistrationFactory(event=event, email="personne1@example.org",
                        status=Registration.Status.CANCELLED)

    assert register(client, event, visitor(1)).status_code == 302
    assert event.registrations.active().count() == 1


def test_a_signed_in_member_registers_for_their_organization(client):
    membership = MembershipFactory(user__email="membre@example.org")
    client.force_login(membership.user)
    event = EventFactory()

    response = register(client, event, {
        "role": Registration.Role.BUYER, "name": "Julie", "email": "membre@example.org",
        "organization_name": "Une autre organisation",
    })

    assert response.status_code == 302
    registration = event.registrations.get()
    assert registration.user == membership.user
    assert registration.organization == membership.organization
    assert registration.organization_name == membership.organization.name


def test_missing_fields_are_listed_in_french_and_nothing_is_saved(client):
    event = EventFactory()

    response = register(client, event, {"role": "buyer", "email": "not an email"})

    page = response.content.decode()
    assert response.status_code == 200
    assert written("Your registration was not saved. Please correct the following:") in page
    assert "Ce champ est obligatoire." in page
    assert escape(gettext("Enter a valid email address.")) in page
    assert not event.registrations.exists()


def test_an_unknown_role_is_refused_with_a_message(client):
    event = EventFactory()

    response = register(client, event, visitor(1, role="admin"))

    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()


# The confirmation email


def test_the_confirmation_email_carries_the_details_the_calendar_and_a_cancellation_link(
    client, task_worker
):
    event = EventFactory(title="Acheter auprès d'entreprises d'économie sociale : ça rapporte")

    register(client, event, visitor(1))
    task_worker()

    message = mail.outbox[0]
    registration = event.registrations.get()
    assert registration.language == "fr"
    assert message.to == ["personne1@example.org"]
    assert message.subject == gettext("Registration confirmed: %(title)s") % {
        "title": event.title
    }
    assert "Maison du développement durable" in message.body
    assert f"/evenements/annulation/{registration.token}/" in message.body
    (filename, content, mimetype), = message.attachments
    assert (filename, mimetype) == (f"{event.slug}.ics", "text/calendar")
    assert "BEGIN:VEVENT" in content


def test_the_email_of_an_english_registration_is_in_english(client, task_worker):
    event = EventFactory()
    with translation.override("en"):
        url = reverse("events:register", args=[event.slug])

    client.post(url, visitor(1))
    task_worker()

    message = mail.outbox[0]
    assert event.registrations.get().language == "en"
    assert message.subject.startswith("Registration confirmed:")
    assert "/en/evenements/annulation/" in message.body


def test_the_token_is_long_and_different_for_each_registration():
    first, second = RegistrationFactory.create_batch(2)

    assert len(first.token) >= 40
    assert first.token != second.token


# Cancellation


def test_the_cancellation_page_asks_before_cancelling(client):
    registration = RegistrationFactory()

    page = client.get(reverse("events:cancel", args=[registration.token]))

    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_cancelling_gives_the_seat_to_the_first_on_the_waiting_list_and_emails_them(
    client, task_worker
):
    event = EventFactory(capacity=1)
    leaving = event.register(Registration(**visitor(1)))
    first_waiting = event.register(Registration(**visitor(2)))
    second_waiting = event.register(Registration(**visitor(3)))

    response = client.post(reverse("events:cancel", args=[leaving.token]))
    task_worker()

    assert response.status_code == 302
    assert statuses(event) == [
        ("personne2@example.org", "confirmed"),
        ("personne3@example.org", "waitlisted"),
        ("personne1@example.org", "cancelled"),
    ]
    assert [message.to for message in mail.outbox] == [["personne2@example.org"]]
    assert mail.outbox[0].subject == gettext("A seat is yours: %(title)s") % {
        "title": event.title
    }
    assert first_waiting.token in mail.outbox[0].body
    assert second_waiting.token not in mail.outbox[0].body


def test_cancelling_twice_promotes_nobody_the_second_time(client, task_worker):
    event = EventFactory(capacity=1)
    leaving = event.register(Registration(**visitor(1)))
    event.register(Registration(**visitor(2)))
    event.register(Registration(**visitor(3)))
    url = reverse("events:cancel", args=[leaving.token])

    client.post(url)
    client.post(url)
    task_worker()

    assert event.registrations.confirmed().count() == 1
    assert len(mail.outbox) == 1


def test_cancelling_a_waitlisted_registration_promotes_nobody():
    event = EventFactory(capacity=1)
    event.register(Registration(**visitor(1)))
    waiting = event.register(Registration(**visitor(2)))

    assert waiting.cancel() == []
    assert event.registrations.confirmed().count() == 1


def test_a_larger_capacity_gives_the_new_seats_to_the_waiting_list():
    event = EventFactory(capacity=1)
    for number in range(3):
        event.register(Registration(**visitor(number)))
    Event.objects.filter(pk=event.pk).update(capacity=2)

    promoted = event.fill_free_seats()

    assert [registration.email for registration in promoted] == ["personne1@example.org"]


# Bad input: a message or a 404, never a 500


@pytest.mark.parametrize("name", ["events:cancel", "events:registration"])
@pytest.mark.parametrize("token", ["nope", "x" * 300, "%00", "../../etc"])
def test_a_bad_token_is_a_404(client, name, token):
    url = reverse(name, args=["placeholder"]).replace("placeholder", token)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code in (404, 405)


def test_an_unpublished_event_is_a_404(client):
    event = EventFactory(is_published=False)

    assert client.get(event.get_absolute_url()).status_code == 404
    assert register(client, event, visitor(1)).status_code == 404
    assert client.get(reverse("events:calendar", args=[event.slug])).status_code == 404


def test_closed_registration_is_refused_with_a_message(client):
    event = EventFactory(registration_open=False)

    page = client.get(event.get_absolute_url()).content.decode()
    response = register(client, event, visitor(1))

    assert shown("Registration for this event is closed.") in page
    assert reverse("events:register", args=[event.slug]) not in page
    assert response.status_code == 302
    follow = client.get(response.url).content.decode()
    assert shown("Registration for this event is closed.") in follow
    assert not event.registrations.exists()


def test_a_passed_deadline_closes_registration():
    event = EventFactory(registration_deadline=timezone.now() - timedelta(minutes=1))

    with pytest.raises(RegistrationRefused) as refusal:
        event.register(Registration(**visitor(1)))
    assert refusal.value.message == gettext("The registration deadline has passed.")


def test_a_past_event_takes_no_registration_and_no_cancellation(client):
    starts = timezone.now() - timedelta(days=2)
    event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))
    registration = RegistrationFactory(event=event)

    response = register(client, event, visitor(1))
    cancel = client.post(reverse("events:cancel", args=[registration.token]))

    assert response.status_code == 302
    assert shown("This event is over.") in client.get(response.url).content.decode()
    assert cancel.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert not event.registrations.filter(email="personne1@example.org").exists()


def test_registering_with_get_leads_back_to_the_event(client):
    event = EventFactory()

    response = client.get(reverse("events:register", args=[event.slug]))

    assert response.status_code == 302
    assert response.url == event.get_absolute_url()


def test_overlong_names_are_refused_with_a_message_not_a_500(client):
    event = EventFactory()

    response = register(client, event, visitor(1, name="x" * 300, organization_name="y" * 300))

    assert response.status_code == 200
    assert len(response.context["form"].errors) == 2
    assert not event.registrations.exists()


# Pages in both languages, with a fixed number of queries


def test_the_list_shows_upcoming_events_first_and_past_ones_apart(client):
    past_start = timezone.now() - timedelta(days=30)
    EventFactory(title="Formation passée", starts_at=past_start,
                 ends_at=past_start + timedelta(hours=2))
    later = EventFactory(title="Maillage plus tard",
                         starts_at=timezone.now() + timedelta(days=20))
    EventFactory(title="Formation bientôt", starts_at=later.starts_at - timedelta(days=10))
    EventFactory(title="Brouillon", is_published=False)

    page = client.get(reverse("events:list")).content.decode()

    assert page.index("Formation bientôt") < page.index("Maillage plus tard") \
        < page.index(written("Past events")) < page.index("Formation passée")
    assert "Brouillon" not in page


def test_pages_are_in_english_under_en(client):
    event = EventFactory(title="Formation", title_en="Training course",
                         description_en="In English.")
    with translation.override("en"):
        list_url, detail_url = reverse("events:list"), event.get_absolute_url()
        register_url = reverse("events:register", args=[event.slug])

    listing = client.get(list_url).content.decode()
    detail = client.get(detail_url).content.decode()
    error = client.post(register_url, {"role": "buyer"}).content.decode()

    assert detail_url.startswith("/en/evenements/")
    assert "Upcoming events" in listing and "Training course" in listing
    assert "In English." in detail and "Register" in detail
    assert "This field is required." in error


def test_the_registrant_page_shows_the_status_and_the_cancellation_link(client):
    registration = RegistrationFactory(status=Registration.Status.WAITLISTED)

    response = client.get(registration.get_absolute_url())

    page = response.content.decode()
    assert shown("On the waiting list") in page
    assert reverse("events:cancel", args=[registration.token]) in page
    assert 'name="robots" content="noindex"' in page
    assert "no-cache" in response["Cache-Control"]


def test_the_list_page_takes_two_queries_whatever_the_number_of_events(
    client, django_assert_num_queries
):
    for number in range(15):
        event = EventFactory(starts_at=timezone.now() + timedelta(days=number + 1))
        RegistrationFactory.create_batch(2, event=event)
    past = timezone.now() - timedelta(days=3)
    EventFactory.create_batch(5, starts_at=past, ends_at=past + timedelta(hours=1))

    # The upcoming events with their counts; the past ones with theirs.
    with django_assert_num_queries(2):
        response = client.get(reverse("events:list"))

    assert len(response.context["upcoming"]) == 15


def test_the_detail_page_takes_one_query_and_a_matchmaking_form_two_more(
    client, django_assert_num_queries
):
    training = EventFactory()
    matchmaking = EventFactory(kind=Event.Kind.MATCHMAKING)
    RegistrationFactory.create_batch(5, event=training)

    # The event with its counts.
    with django_assert_num_queries(1):
        client.get(training.get_absolute_url())
    # The event with its counts; the categories (with their parents); the regions.
    with django_assert_num_queries(3):
        response = client.get(matchmaking.get_absolute_url())

    assert region("06").name in response.content.decode()


def test_the_home_page_shows_the_next_events_after_the_search(client):
    EventFactory(title="Acheter auprès d'entreprises d'économie sociale : ça rapporte")

    page = client.get(reverse("enterprises:home")).content.decode()

    assert page.index('role="search"') < page.index("ça rapporte")


def test_times_are_shown_in_montreal_time_as_each_language_writes_them(client):
    starts = datetime(2030, 3, 5, 14, 0, tzinfo=UTC)  # 9:00 in Montreal (EST)
    event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=3))
    with translation.override("en"):
        english_url = event.get_absolute_url()

    french = client.get(event.get_absolute_url()).content.decode()
    english = client.get(english_url).content.decode()

    assert "5 mars 2030, 9\u00a0h\u00a000" in french and "12\u00a0h\u00a000" in french
    assert "9:00 AM" in english and "12:00 PM" in english
