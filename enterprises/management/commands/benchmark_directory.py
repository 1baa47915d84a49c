"""Time the public directory's pages on the current database, as a buyer would hit them.

Each request goes through the whole Django stack (middleware, view, template) in process, so
the figures are server time without the network. Facet counts are computed for each request
from the in-memory facet index (exact: it is rebuilt whenever the directory changes); the time
to build that index, paid once per process and change, is printed on its own.
"""

import logging
import statistics
import sys
import time
from urllib.parse import urlencode

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from ecpar_site.gunicorn import warm_up_worker
from enterprises.directory_index import DirectoryIndex
from enterprises.models import Category, DirectoryRevision, Enterprise


def machine_speed():
    """Seconds a pure-Python loop takes: figures from machines, or moments, of different speed
    can be compared through it (a shared machine's speed changes from minute to minute)."""
    started = time.perf_counter()
    total = 0
    for n in range(10_000_000):
        total += n
    return time.perf_counter() - started


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

    def handle(self, *args, repeat, **options):
        listing = reverse("enterprises:list")
        slugs = list(
            Enterprise.objects.published().order_by("?").values_list("slug", flat=True)[:repeat]
        )
        cases = [
            ("plain listing", [listing]),
            ("text search", [f"{listing}?q=traiteur"]),
            ("search + region + facets", [f"{listing}?q=traiteurs&region=06"]),
            # Each request a word not searched before: the text's matches are not kept yet.
            ("  the same, each a new word", [f"{listing}?{urlencode({'q': word, 'region': '06'})}"
                                             for word in self.search_words()]),
            ("listing, 100 per page", [f"{listing}?per_page=100"]),
            ("deep page (page 400)", [f"{listing}?page=400"]),
            ("enterprise page", [reverse("enterprises:detail", args=[s]) for s in slugs]),
            ("API listing", ["/api/enterprises/?q=traiteur&region=06"]),
        ]
        logging.getLogger("django.request").setLevel(logging.ERROR)
        client = Client(HTTP_HOST="localhost")
        published = Enterprise.objects.published().count()
        self.stdout.write(
            f"{connection.vendor}: {published} published enterprises, {repeat} runs each; "
            f"this machine adds 10 million integers in Python in {machine_speed():.2f} s\n"
            f"{'page':<28} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}"
        )
        with override_settings(DIRECTORY_FACETS_CACHE_SECONDS=3600):
            self.stdout.write(self.measure_index_build(repeat=3))
            warm_up_worker()  # as the app server's workers do before their first request
            for name, urls in cases:
                self.stdout.write(self.measure(client, name, urls, repeat))

    def measure_index_build(self, repeat):
        times = []
        for _attempt in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                index = DirectoryIndex.build(DirectoryRevision.current())
                times.append((time.perf_counter() - started) * 1000)
        bitsets = [index.published, *(b for v in index.members.values() for b in v.values())]
        size = sum(sys.getsizeof(bits) for bits in bitsets) / 1e6
        links = index.links
        links_size = sum(sys.getsizeof(part) for part in (
            links.ids, links.region_ids, links.offsets, links.text)) / 1e6
        return (
            f"{'directory index build (once)':<28} {'-':>6} {statistics.median(times):>8.1f} "
            f"{max(times):>8.1f} {len(queries):>8}   ({len(bitsets)} bitsets, {size:.1f} MB; "
            f"names and slugs, {links_size:.1f} MB)"
        )

    def search_words(self):
        """Words of the category names, each once: words buyers search, found in the
        directory's categories and descriptions."""
        words = dict.fromkeys(
            word.lower() for name in Category.objects.values_list("name", flat=True)
            for word in name.replace(",", " ").split() if len(word) >= 5
        )
        return list(words)

    def measure(self, client, name, urls, repeat):
        client.get(urls[0], secure=True)  # warm the caches once, untimed
        times = []
        for attempt in range(repeat):
            url = urls[(attempt + 1) % len(urls)]  # the warmed one last, if there are several
            started = time.perf_counter()
            client.get(url, secure=True)
            times.append((time.perf_counter() - started) * 1000)
        # Counted apart: capturing queries times and logs each one, which a server does not.
        with CaptureQueriesContext(connection) as queries:
            response = client.get(urls[0], secure=True)
        return (
            f"{name:<28} {response.status_code:>6} {statistics.median(times):>8.1f} "
            f"{percentile(times, 0.95):>8.1f} {len(queries):>8}"
        )
