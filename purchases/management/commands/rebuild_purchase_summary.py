"""Recount the repertory's summary from the purchases, after writes that skipped the signals."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from purchases.models import PurchaseSummary


class Command(BaseCommand):
    help = gettext_lazy(
        "Rebuild the summary of published purchases that the public repertory reads. "
        "Run it after bulk loads (seed_demo, imports) that bypass the model's signals."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        PurchaseSummary.objects.rebuild()
        self.stdout.write(
            _("%(rows)s summary rows in %(seconds).1f s.")
            % {"rows": PurchaseSummary.objects.count(), "seconds": time.monotonic() - started}
        )
