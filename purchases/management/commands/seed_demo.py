"""Load the demo data: the real demo set, then synthetic rows up to the requested totals."""

import argparse
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from purchases import demo


def non_negative(value):
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(
            _("expected a whole number of rows (0 or more), got %(value)r") % {"value": value}
        )
    return number


class Command(BaseCommand):
    help = _(
        "Load the real demo set (idempotent), then generate synthetic enterprises, member "
        "organizations and purchases until each table holds the requested total. "
        "The same --seed always gives the same rows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enterprises", type=non_negative, default=400,
            help=_("Total number of enterprises wanted (default: 400)."),
        )
        parser.add_argument(
            "--members", type=non_negative, default=60,
            help=_("Total number of member organizations wanted (default: 60)."),
        )
        parser.add_argument(
            "--purchases", type=non_negative, default=2000,
            help=_("Total number of purchases wanted (default: 2000)."),
        )
        parser.add_argument(
            "--seed", type=int, default=0,
            help=_("Seed of the generator (default: 0)."),
        )
        parser.add_argument(
            "--reset", action="store_true",
            help=_(
                "First delete every purchase, member organization and enterprise "
                "(reference lists are kept)."
            ),
        )

    def handle(self, *args, **options):
        self.started = time.monotonic()
        if options["reset"]:
            demo.reset()
            self.stdout.write(_("Deleted every purchase, member organization and enterprise."))
        report = demo.seed(
            enterprises=options["enterprises"],
            members=options["members"],
            purchases=options["purchases"],
            seed=options["seed"],
            progress=self.progress,
        )
        self.stdout.write(
            _("Real demo set: %(members)d member organizations, %(enterprises)d enterprises "
              "and %(purchases)d purchases created (the others were updated).") % report.real
        )
        self.stdout.write(
            _("Generated: %(enterprises)d enterprises, %(members)d member organizations, "
              "%(purchases)d purchases.") % report.generated
        )
        if settings.DEBUG:
            for email, organization, role in demo.create_demo_logins():
                self.stdout.write(
                    _("Demo login: %(email)s / %(password)s (%(role)s, %(organization)s)")
                    % {"email": email, "password": demo.DEMO_PASSWORD,
                       "role": role.label, "organization": organization}
                )
        self.stdout.write(
            self.style.SUCCESS(_("Done in %(seconds).1f s.") % {"seconds": self.elapsed()})
        )

    def elapsed(self):
        return time.monotonic() - self.started

    def progress(self, kind, done, total):
        self.stderr.write(f"{kind}: {done:,} / {total:,} ({self.elapsed():.0f} s)")
