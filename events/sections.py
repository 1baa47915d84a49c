"""The events app's section of the directory's home page: the next published events."""

from enterprises.sections import HOME_PAGE, register_section

from .models import Event

HOME_EVENTS = 3


def upcoming_events(enterprise, request):
    """The next published events (one query; the section shows nothing when there are none)."""
    return {"events": list(Event.objects.published().upcoming()[:HOME_EVENTS])}


def register():
    """Called from ``EventsConfig.ready()``."""
    register_section(HOME_PAGE, "events", "events/includes/upcoming_events.html",
                     upcoming_events, order=20)
