from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Training and matchmaking events")

    def ready(self):
        from . import (
            demo,  # noqa: F401  (adds the demo events to seed_demo)
            sections,
        )

        sections.register()
