"""Time the public directory's pages on the current database, as a buyer would hit them.

Each request goes through the whole Django stack (middleware, view, template) in process, so
the figures are server time without the network. Facet counts are computed for each request
from the in-memory directory index (exact: it is rebuilt whenever the directory changes); the
time to build that index, paid once per process and change, is printed on its own.

Beside each page, its data work alone: the same request with the template's rendering (the
API's serialization) replaced by reading the results the view handed it, so its queries and
index operations still run, and the middleware too. The page/data ratio says how far rendering
puts the page from that limit. ``--http URL`` times the same requests through a running server
on the same database instead, a new connection each, to compare with other servers.
"""

import http.client
import logging
import os
import statistics
import sys
import time
from collections.abc import Mapping
from contextlib import contextmanager
from typing import NamedTuple
from unittest import mock
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.paginator import Page
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpResponse
from django.template.backends.django import Template
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja.operation import Operation

from enterprises import caching, search
from enterprises.directory_index import DirectoryIndex
from enterprises.models import Category, DirectoryRevision, Enterprise, Region
from enterprises.warm_up import warm_up_worker

DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"


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


def read_context(template, context=None, request=None):
    """Stands in for a template's rendering: reads the lazy results the view handed it."""
    for value in (context or {}).values():
        if isinstance(value, Page):
            list(value.object_list)
        elif isinstance(value, QuerySet):
            list(value)
    return ""


@contextmanager
def without_rendering():
    """Requests whose pages are not rendered and whose API results are not serialized; the
    default cache, which keeps rendered pages, is off so that each request does its data work."""
    with (
        override_settings(CACHES={**settings.CACHES, "default": {"BACKEND": DUMMY_CACHE}}),
        mock.patch.object(Template, "render", read_context),
        # The filters' entries, kept rendered around their counts, are rendering too.
        mock.patch.object(caching, "facet_entry_html", lambda *args: ""),
        mock.patch.object(
            Operation, "_result_to_response", lambda self, request, result, temporal: HttpResponse()
        ),
    ):
        yield


class Case(NamedTuple):
    name: str
    urls: list[str]
    # For the timing without rendering, when it needs URLs of its own: new words stay new.
    data_urls: list[str] | None = None
    headers: dict[str, str] | None = None
    # Where the queries are counted, when the timed URLs are all warm by then: a new word, an
    # enterprise page not kept in the cache yet.
    counted_url: str | None = None


class Answer(NamedTuple):
    status_code: int
    headers: Mapping[str, str]


class HttpClient:
    """Requests to a running server, each on a new connection as a visitor's first would be."""

    def __init__(self, base_url):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CommandError(_("--http needs a URL such as http://127.0.0.1:8000"))
        self.connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        self.host, self.port = parts.hostname, parts.port

    def get(self, url, headers=None, secure=None):
        """``secure`` is the test client's: here the server's URL says whether it is HTTPS."""
        connection = self.connection_class(self.host, self.port, timeout=30)
        try:
            connection.request("GET", url, headers=headers or {})
            response = connection.getresponse()
            response.read()
            return Answer(response.status, response.headers)
        finally:
            connection.close()


class Command(BaseCommand):
    help = _(
        "Print the median and 95th percentile server time, the query count and the time of "
        "the data work alone of the directory's listing, search, facets, deep page, enterprise "
        "page, API and a 304 answer; or their time through a running server."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument(
            "--http", metavar="URL", dest="server_url",
            help=_("Time the requests through the server running at this URL (same database)."),
        )

    def handle(self, *args, repeat, server_url, **options):
        server = HttpClient(server_url) if server_url else None
        listing = reverse("enterprises:list")
        slugs = list(
            Enterprise.objects.published().order_by("?")
            .values_list("slug", flat=True)[:repeat + 1]
        )
        if not slugs:
            raise CommandError(_("No published enterprise to time: run manage.py seed_demo."))
        search = f"{listing}?q=traiteurs&region=06"
        # Each request a word not searched before: the text's matches are not kept yet.
        words = self.search_words()
        *new_words, counted_word = [f"{listing}?{urlencode({'q': word, 'region': '06'})}"
                                    for word in words]
        # Each request filters as no request did before, as a buyer's clicks do: the facet
        # counts and the filters' block are not kept yet.
        *new_states, counted_state = self.filter_states(listing)
        details = [reverse("enterprises:detail", args=[slug]) for slug in slugs]
        counted_detail = details.pop() if len(details) > 1 else details[0]
        cases = [
            Case("plain listing", [listing]),
            Case("text search", [f"{listing}?q=traiteur"]),
            Case("search + region + facets", [search]),
            Case("  the same, each a new word", new_words[0::2], data_urls=new_words[1::2],
                 counted_url=counted_word),
            Case("a new filter state each time", new_states[0::2], data_urls=new_states[1::2],
                 counted_url=counted_state),
            Case("listing, 100 per page", [f"{listing}?per_page=100"]),
            Case("deep page (page 400)", [f"{listing}?page=400"]),
            Case("enterprise page", details, counted_url=counted_detail),
            Case("  the same, page kept", details[:1]),
            Case("API listing", ["/api/enterprises/?q=traiteur&region=06"]),
        ]
        logging.getLogger("django.request").setLevel(logging.ERROR)
        published = Enterprise.objects.published().count()
        where = f"through {server_url}" if server_url else "in process"
        self.stdout.write(
            f"{connection.vendor}: {published} published enterprises, {repeat} runs each, "
            f"{where}; this machine adds 10 million integers in Python in "
            f"{machine_speed():.2f} s; load average {os.getloadavg()[0]:.1f}"
        )
        if server:
            client = server
            self.stdout.write(f"{'page':<28} {'status':>6} {'p50 ms':>8} {'p95 ms':>8}")
            for case in [*cases, self.not_modified_case(client, search)]:
                self.stdout.write(self.measure(client, case, case.urls, repeat)[0])
            return
        client = Client(HTTP_HOST="localhost")
        self.stdout.write(
            f"{'page':<28} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} "
            f"{'data p50':>9} {'data p95':>9} {'page/data':>10} {'cpu p50':>8} {'cpu p95':>8}"
        )
        with override_settings(DIRECTORY_FACETS_CACHE_SECONDS=3600):
            self.stdout.write(self.measure_index_build(repeat=3))
            warm_up_worker()  # as the app server's workers do before their first request
            for case in [*cases, self.not_modified_case(client, search)]:
                line, times, cpu_times = self.measure(client, case, case.urls, repeat)
                with without_rendering():
                    _line, data_times, _cpu = self.measure(
                        client, case, case.data_urls or case.urls, repeat
                    )
                data = statistics.median(data_times)
                self.stdout.write(
                    f"{line} {data:>9.1f} {percentile(data_times, 0.95):>9.1f} "
                    f"{statistics.median(times) / data:>10.1f} "
                    f"{statistics.median(cpu_times):>8.1f} {percentile(cpu_times, 0.95):>8.1f}"
                )
            self.stdout.write(self.measure_ranking(words, repeat))

    def not_modified_case(self, client, url):
        """The search page asked again with the ETag it was sent: answered 304, unrendered."""
        etag = client.get(url, secure=True).headers.get("ETag", "")
        return Case("  the same, 304", [url], headers={"If-None-Match": etag})

    def measure_index_build(self, repeat):
        times = []
        for _attempt in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                index = DirectoryIndex.build(DirectoryRevision.current())
                times.append((time.perf_counter() - started) * 1000)
        bitsets = [index.published, *(b for v in index.members.values() for b in v.values())]
        size = sum(sys.getsizeof(bits) for bits in bitsets) / 1e6
        return (
            f"{'directory index build (once)':<28} {'-':>6} {statistics.median(times):>8.1f} "
            f"{max(times):>8.1f} {len(queries):>8}   ({len(bitsets)} bitsets, {size:.1f} MB)"
        )

    def measure_ranking(self, words, repeat):
        """The database's share of a new word's page: finding and ranking every match of the
        text (``search.matches``), the floor of that page's time."""
        times, sizes = [], []
        for word in (words * repeat)[:repeat]:
            started = time.perf_counter()
            found = search.matches(word) or ()
            times.append((time.perf_counter() - started) * 1000)
            sizes.append(len(found))
        with CaptureQueriesContext(connection) as queries:
            search.matches(words[0])
        return (
            f"{'new words, ranking alone':<28} {'-':>6} {statistics.median(times):>8.1f} "
            f"{percentile(times, 0.95):>8.1f} {len(queries):>8}   "
            f"(matches: median {statistics.median(sizes):.0f}, largest {max(sizes)})"
        )

    def search_words(self):
        """Words of the category names, each once: words buyers search, found in the
        directory's categories and descriptions."""
        words = dict.fromkeys(
            word.lower() for name in Category.objects.values_list("name", flat=True)
            for word in name.replace(",", " ").split() if len(word) >= 5
        )
        return list(words)

    def filter_states(self, listing):
        """Listings filtered by a region and a legal form, verified or not: some two hundred
        filter states, each its own."""
        return [
            f"{listing}?{urlencode({'region': code, 'legal_form': form, **verified})}"
            for verified in ({}, {"verification": Enterprise.Verification.VERIFIED})
            for code in Region.objects.order_by("code").values_list("code", flat=True)
            for form in Enterprise.LegalForm.values
        ]

    def measure(self, client, case, urls, repeat):
        """The figures' line, the times and this process's CPU times (on a shared machine,
        the wall time also counts the other jobs); queries are counted only in process."""
        headers = case.headers
        client.get(urls[0], secure=True, headers=headers)  # warm the caches once, untimed
        times, cpu_times = [], []
        for attempt in range(repeat):
            url = urls[(attempt + 1) % len(urls)]  # the warmed one last, if there are several
            started, cpu_started = time.perf_counter(), time.process_time()
            client.get(url, secure=True, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.process_time() - cpu_started) * 1000)
        counted_url = case.counted_url or urls[0]
        if isinstance(client, HttpClient):
            response, queries = client.get(counted_url, headers=headers), ""
        else:
            # Counted apart: capturing queries times and logs each one, which a server does not.
            with CaptureQueriesContext(connection) as captured:
                response = client.get(counted_url, secure=True, headers=headers)
            queries = f" {len(captured):>8}"
        line = (
            f"{case.name:<28} {response.status_code:>6} {statistics.median(times):>8.1f} "
            f"{percentile(times, 0.95):>8.1f}{queries}"
        )
        return line, times, cpu_times
