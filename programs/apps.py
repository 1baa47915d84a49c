from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Network programs")

    def ready(self):
        from purchases.demo import real_demo_set_loaded

        from . import demo, sections

        sections.register()
        real_demo_set_loaded.connect(demo.load_programs_demo_set, dispatch_uid="programs_demo")
