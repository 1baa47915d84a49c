"""Portal logins for the load test (scripts/loadtest): development databases only."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from purchases.demo import DEMO_PASSWORD
from purchases.models import MemberOrganization, Membership

LOGIN_PATTERN = "charge-{number:03d}@example.org"


class Command(BaseCommand):
    help = _(
        "Create contributor logins charge-001@example.org, charge-002@example.org… with the "
        "demo password, spread over the member organizations (DEBUG only; idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--count", type=int, default=50,
            help=_("Number of logins (default: 50)."),
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(_("Load-test logins share a known password: DEBUG only."))
        count = options["count"]
        if count < 1:
            raise CommandError(_("--count must be 1 or more."))
        organizations = list(MemberOrganization.objects.order_by("pk")[:count])
        if not organizations:
            raise CommandError(_("No member organization yet: run seed_demo first."))
        # One hash for all: hashing is deliberately slow, and they share the password anyway.
        password = make_password(DEMO_PASSWORD)
        user_model = get_user_model()
        for number in range(1, count + 1):
            email = LOGIN_PATTERN.format(number=number)
            user, _created = user_model.objects.update_or_create(
                username=email, defaults={"email": email, "password": password}
            )
            Membership.objects.get_or_create(
                user=user, organization=organizations[(number - 1) % len(organizations)]
            )
        self.stdout.write(
            _("%(count)d logins %(first)s … %(last)s, password %(password)s.") % {
                "count": count,
                "first": LOGIN_PATTERN.format(number=1),
                "last": LOGIN_PATTERN.format(number=count),
                "password": DEMO_PASSWORD,
            }
        )
