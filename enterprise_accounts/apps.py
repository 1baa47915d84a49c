from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterpriseAccountsConfig(AppConfig):
    name = "enterprise_accounts"
    verbose_name = _("Enterprise accounts")

    def ready(self):
        from . import sections

        sections.register()
