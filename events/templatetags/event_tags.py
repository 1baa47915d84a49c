from django import template
from django.utils import dateformat, translation

register = template.Library()

# Django's fr_CA TIME_FORMAT leaves the "h" of « 13 h 40 » unescaped, so it prints the hour
# twice; these are the clock formats of each language, written out.
CLOCK_FORMATS = {"fr": "G\u00a0\\h\u00a0i", "en": "g:i A"}


@register.filter(expects_localtime=True)
def clock(value):
    """The time of day in Montreal, as each language writes it: « 13 h 40 », "1:40 PM"."""
    if not value:
        return ""
    language = (translation.get_language() or "fr")[:2]
    return dateformat.format(value, CLOCK_FORMATS.get(language, CLOCK_FORMATS["fr"]))
