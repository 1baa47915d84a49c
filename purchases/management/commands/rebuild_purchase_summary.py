"""Recount the summaries from the purchases, after writes that skipped the signals."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from purchases.models import OrganizationPurchaseSummary, PurchaseSummary


class Command(BaseCommand):
    help = _(
        "Rebuild the summaries of validated purchases that the public repertory and the member "
        "dashboards read. Run it after bulk loads (seed_demo, imports) that bypass the model's "
        "signals."
    )

    def handle(self, *args, **options):
        for model in (PurchaseSummary, OrganizationPurchaseSummary):
            started = time.monotonic()
            model.objects.rebuild()
            self.stdout.write(
                _("%(model)s: %(rows)s summary rows in %(seconds).1f s.")
                % {"model": model._meta.verbose_name_plural, "rows": model.objects.count(),
                   "seconds": time.monotonic() - started}
            )
