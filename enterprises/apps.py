from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("Social economy directory")

    def ready(self):
        from . import search  # also registers the SearchDocument model

        connection_created.connect(search.prepare_connection)
        pre_migrate.connect(search.before_migrate, sender=self)
        post_migrate.connect(search.after_migrate, sender=self)
