"""An event as an iCalendar file (RFC 5545), written by the `icalendar` package.

The package does the parts that are easy to get wrong by hand: CRLF line ends, folding at 75
octets, escaping of commas, semicolons, backslashes and newlines. Times go out in UTC (``Z``),
so every calendar places the event right whatever its own time zone.
"""

from datetime import UTC

import icalendar
from django.utils import timezone

PRODUCT_ID = "-//Reseau economie sociale//Evenements//FR"


def event_calendar(event, url):
    """The bytes of a calendar holding this one event; ``url`` is its public page."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", f"{event.uid}@evenements")
    entry.add("dtstamp", timezone.now().astimezone(UTC))
    entry.add("dtstart", event.starts_at.astimezone(UTC))
    entry.add("dtend", event.ends_at.astimezone(UTC))
    entry.add("summary", event.localized_title)
    description = event.localized_description.strip()
    entry.add("description", f"{description}\n\n{url}" if description else url)
    entry.add("url", url)
    location = ", ".join(part for part in (event.place, event.online_url) if part)
    if location:
        entry.add("location", location)
    calendar.add_component(entry)
    return calendar.to_ical()
