from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Shortlists and requests for quotes")

    def ready(self):
        from . import sections

        sections.register()
