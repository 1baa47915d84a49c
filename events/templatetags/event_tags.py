from django import template
from django.utils import dateformat, translation

from events.models import Event

register = template.Library()

# Django's fr_CA TIME_FORMAT leaves the "h" of « 13 h 40 » unescaped, so it prints the hour
# twice; these are the clock formats of each language, written out.
CLOCK_FORMATS = {"fr": "G\u00a0\\h\u00a0i", "en": "g:i A"}


@register.inclusion_tag("events/includes/upcoming_events.html")
def upcoming_events(count=3):
    """The next published events, for the home page (one query; nothing when none)."""
    return {"events": list(Event.objects.published().upcoming()[:count])}


@register.filter(expects_localtime=True)
def clock(value):
    """The time of day in Montreal, as each language writes it: « 13 h 40 », "1:40 PM"."""
    if not value:
        return ""
    language = (translation.get_language() or "fr")[:2]
    return dateformat.format(value, CLOCK_FORMATS.get(language, CLOCK_FORMATS["fr"]))
