"""Time the public statistics page, a member dashboard and the admin index, as a browser would
request them.

Prints the median and 95th percentile render time and the number of queries of each page.
The goal at a million purchases and 300 members is p95 ≤ 100 ms for the statistics, and
≤ 150 ms for the dashboard and the admin index, on PostgreSQL and SQLite.
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from enterprises.models import Category, Region, Sector
from purchases.models import (
    MemberOrganization,
    Membership,
    OrganizationPurchaseSummary,
    Purchase,
    PurchaseSummary,
)

BENCHMARK_USERNAME = "benchmark-stats"
# Each sign-in checks a password on purpose slowly (PBKDF2): a few tell its cost.
SIGN_IN_REQUESTS = 5


class Command(BaseCommand):
    help = _("Measure the repertory's statistics page, the member dashboard (largest and median "
             "member), the admin index and a member's sign-in.")

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=50,
                            help=_("Timed requests per page (default: 50)."))
        parser.add_argument("--rebuild", action="store_true",
                            help=_("Rebuild the summary first (after a bulk load)."))

    def handle(self, *args, **options):
        if options["requests"] < 1:
            raise CommandError(_("--requests must be at least 1."))
        for model in (PurchaseSummary, OrganizationPurchaseSummary):
            if options["rebuild"] or not model.objects.exists():
                started = time.monotonic()
                model.objects.rebuild()
                self.stdout.write(_("%(model)s rebuilt in %(seconds).1f s.") % {
                    "model": model._meta.verbose_name_plural,
                    "seconds": time.monotonic() - started,
                })
        by_size = list(
            MemberOrganization.objects.annotate(count=Count("purchases"))
            .order_by("-count").values_list("pk", "count")
        )
        if not by_size:
            raise CommandError(_("No member organization: run seed_demo first."))
        self.stdout.write(
            _("%(vendor)s · %(purchases)s purchases · %(members)s members · %(rows)s summary rows"
              " · %(organization_rows)s organization summary rows")
            % {"vendor": connection.vendor, "purchases": Purchase.objects.count(),
               "members": MemberOrganization.objects.count(),
               "rows": PurchaseSummary.objects.count(),
               "organization_rows": OrganizationPurchaseSummary.objects.count()}
        )
        client = Client(HTTP_HOST="localhost")
        for label, url in self.pages():
            self.measure(client, label, url, options["requests"])
        # The largest member, and one of median size.
        for label, (organization, count) in (
            (_("Dashboard, largest member"), by_size[0]),
            (_("Dashboard, median member"), by_size[len(by_size) // 2]),
        ):
            self.measure_dashboard(client, f"{label} ({count})", organization, options["requests"])
        self.measure_admin_index(client, options["requests"])
        self.measure_sign_in(by_size[0][0], min(options["requests"], SIGN_IN_REQUESTS))

    def measure_dashboard(self, client, label, organization, requests):
        """Signed in as a throwaway member, in a transaction rolled back afterwards.

        Rolling back, rather than deleting the user, leaves the other apps' tables untouched.
        """
        with transaction.atomic():
            user, _created = get_user_model().objects.get_or_create(username=BENCHMARK_USERNAME)
            Membership.objects.create(user=user, organization_id=organization)
            client.force_login(user)
            self.measure(client, label, reverse("purchases:dashboard"), requests)
            transaction.set_rollback(True)

    def measure_admin_index(self, client, requests):
        """Signed in as a throwaway superuser, rolled back afterwards like the dashboard's."""
        with transaction.atomic():
            user, _created = get_user_model().objects.get_or_create(
                username=BENCHMARK_USERNAME, defaults={"is_staff": True, "is_superuser": True}
            )
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
            client.force_login(user)
            self.measure(client, _("Admin index"), reverse("admin:index"), requests)
            transaction.set_rollback(True)

    def measure_sign_in(self, organization, requests):
        """The sign-in form's answer, which is what a member waits for before the dashboard:
        nearly all of it is the password hasher's work, not the page's."""
        password = get_random_string(20)
        with transaction.atomic():
            user, _created = get_user_model().objects.get_or_create(username=BENCHMARK_USERNAME)
            user.set_password(password)
            user.save()
            Membership.objects.create(user=user, organization_id=organization)
            timings = []
            for _request in range(requests):
                client = Client(HTTP_HOST="localhost")
                started = time.perf_counter()
                response = client.post(reverse("purchases:login"),
                                       {"username": BENCHMARK_USERNAME, "password": password})
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 302:
                    raise CommandError(f"sign-in: HTTP {response.status_code}")
            transaction.set_rollback(True)
        label = _("Sign-in (password check)")
        self.stdout.write(
            f"{label:<32} median {statistics.median(timings):7.1f} ms   "
            f"max {max(timings):7.1f} ms   {reverse('purchases:login')}"
        )

    def pages(self):
        repertory = reverse("purchases:repertory")
        sector = Sector.objects.order_by("pk").first()
        category = Purchase.objects.published().exclude(category=None).values_list(
            "category__slug", flat=True).first() or Category.objects.first().slug
        region = Region.objects.order_by("code").first()
        return [
            (_("Repertory, no filter"), repertory),
            (_("Repertory, one year"), f"{repertory}?year=2024"),
            (_("Repertory, sector and region"),
             f"{repertory}?sector={sector.slug}&region={region.code}"),
            (_("Repertory, by category"), f"{repertory}?category={category}"),
        ]

    def measure(self, client, label, url, requests):
        for _warm_up in range(3):
            client.get(url)
        timings = []
        for _request in range(requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{url}: HTTP {response.status_code}")
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
        self.stdout.write(
            f"{label:<32} median {statistics.median(timings):7.1f} ms   "
            f"p95 {p95:7.1f} ms   {len(queries.captured_queries)} queries   {url}"
        )
