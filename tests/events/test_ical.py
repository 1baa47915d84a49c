"""The calendar file: valid RFC 5545 that a calendar program reads back as the event."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db
MONTREAL = ZoneInfo("America/Montreal")


@pytest.fixture
def event():
    return EventFactory(
        title="Acheter auprès d'entreprises d'économie sociale : ça rapporte",
        title_en="Buying from social economy enterprises pays off",
        description="Première ligne, avec virgule; point-virgule \\ barre oblique\nDeuxième ligne "
        + "très longue " * 20,
        starts_at=datetime(2026, 12, 3, 9, 0, tzinfo=MONTREAL),
        ends_at=datetime(2026, 12, 3, 12, 0, tzinfo=MONTREAL),
        place="Maison du développement durable, 50, rue Sainte-Catherine Ouest, Montréal",
    )


def download(client, event):
    response = client.get(reverse("events:calendar", args=[event.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    return response.content


def test_the_calendar_file_parses_back_to_the_event(client, event):
    calendar = icalendar.Calendar.from_ical(download(client, event))

    (entry,) = calendar.walk("VEVENT")
    assert str(entry["summary"]) == event.title
    assert entry.decoded("dtstart") == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert entry.decoded("dtend") == datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    assert str(entry["uid"]) == f"{event.uid}@evenements"
    assert "dtstamp" in entry
    assert str(entry["location"]) == event.place
    assert str(entry["description"]).startswith(event.description.strip() + "\n\nhttp")
    assert str(calendar["version"]) == "2.0"


def test_the_calendar_file_follows_the_line_rules_of_rfc_5545(client, event):
    content = download(client, event)

    lines = content.split(b"\r\n")
    assert content.endswith(b"\r\n")
    assert b"\n" not in content.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the long description is folded
    assert b"DTSTART:20261203T140000Z" in lines
    assert b"DTEND:20261203T170000Z" in lines
    unfolded = content.replace(b"\r\n ", b"")
    assert "virgule\\; point-virgule \\\\ barre oblique\\nDeuxième".encode() in unfolded
    assert "Maison du développement durable\\, 50\\, rue".encode() in unfolded


def test_the_uid_is_stable_between_downloads(client, event):
    first = icalendar.Calendar.from_ical(download(client, event)).walk("VEVENT")[0]
    second = icalendar.Calendar.from_ical(download(client, event)).walk("VEVENT")[0]

    assert first["uid"] == second["uid"]


def test_the_english_calendar_file_has_the_english_title(client, event):
    with translation.override("en"):
        url = reverse("events:calendar", args=[event.slug])

    entry = icalendar.Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]

    assert str(entry["summary"]) == event.title_en
    assert "/en/evenements/" in str(entry["url"])
