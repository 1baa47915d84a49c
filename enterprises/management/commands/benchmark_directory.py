"""Time the public directory's pages on the current database, as a buyer would hit them.

Each request goes through the whole Django stack (middleware, view, template) in process, so
the figures are server time without the network. Facet caching is off unless ``--cache``: the
targets are for counts computed fresh.
"""

import logging
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise


def percentile(times, fraction):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = _(
        "Print the median and 95th percentile server time and the query count of the "
        "directory's listing, search, facets, deep page, enterprise page and API."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--cache", action="store_true", help=_("Keep facet caching on."))

    def handle(self, *args, repeat, cache, **options):
        listing = reverse("enterprises:list")
        slugs = list(
            Enterprise.objects.published().order_by("?").values_list("slug", flat=True)[:repeat]
        )
        cases = [
            ("plain listing", [listing]),
            ("text search", [f"{listing}?q=traiteur"]),
            ("search + region + facets", [f"{listing}?q=traiteurs&region=06"]),
            ("listing, 100 per page", [f"{listing}?per_page=100"]),
            ("deep page (page 400)", [f"{listing}?page=400"]),
            ("enterprise page", [reverse("enterprises:detail", args=[s]) for s in slugs]),
            ("API listing", ["/api/enterprises/?q=traiteur&region=06"]),
        ]
        logging.getLogger("django.request").setLevel(logging.ERROR)
        client = Client(HTTP_HOST="localhost")
        published = Enterprise.objects.published().count()
        self.stdout.write(
            f"{connection.vendor}: {published} published enterprises, {repeat} runs each, "
            f"facet cache {'on' if cache else 'off'}\n"
            f"{'page':<28} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}"
        )
        settings_override = {} if cache else {"DIRECTORY_FACETS_CACHE_SECONDS": 0}
        with override_settings(**settings_override):
            for name, urls in cases:
                self.stdout.write(self.measure(client, name, urls, repeat))

    def measure(self, client, name, urls, repeat):
        client.get(urls[0], secure=True)  # warm the caches once, untimed
        times = []
        for attempt in range(repeat):
            url = urls[attempt % len(urls)]
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, secure=True)
                times.append((time.perf_counter() - started) * 1000)
        return (
            f"{name:<28} {response.status_code:>6} {statistics.median(times):>8.1f} "
            f"{percentile(times, 0.95):>8.1f} {len(queries):>8}"
        )
