"""Time the search on the current database: for a few queries, the count and the first page of
``search()``, and the ranked matches the directory listing reads the first time a text is
searched (``matches()``, its cold path)."""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from enterprises.search import matches, search, suggest

QUERIES = [
    "traiteur",
    "traiteurs montreal",
    "récupération informatique",
    "tra",
    "coop",
    "Coopérative de solidarité",
]
MISSPELLED = ["traitur", "recuperaton"]


def timed(function, repeat):
    """Median and 95th percentile of ``function``'s wall time, in milliseconds."""
    function()  # warm the caches once, untimed
    times = []
    for _attempt in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def plan(queryset):
    """The database's plan for ``queryset``, on one line."""
    return " | ".join(line.strip() for line in queryset.explain().splitlines())


class Command(BaseCommand):
    help = _(
        "Print the median and 95th percentile time of search() with a count and the first "
        "page of results, and of the ranked matches the listing reads, for a few queries, and "
        "the plan the database chose."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--plans", action="store_true", help=_("Also print query plans."))

    def handle(self, *args, repeat, plans, **options):
        published = Enterprise.objects.published()
        self.stdout.write(
            f"{connection.vendor}: {published.count()} published enterprises, {repeat} runs\n"
            f"{'query':<30} {'results':>8} {'count p50':>10} {'p95':>7} "
            f"{'page p50':>9} {'p95':>7} {'matches p50':>12} {'p95':>7}  (ms)"
        )
        neq = published.exclude(neq="").values_list("neq", flat=True).first() or "1160000003"
        for q in [*QUERIES, f"{neq[:4]} {neq[4:8]} {neq[8:]}"]:
            results = search(published, q)
            count = results.count()
            count_times = timed(lambda q=q: search(published, q).count(), repeat)
            page_times = timed(
                lambda q=q: list(search(published, q).order_by("-search_rank", "pk")[:20]),
                repeat,
            )
            matches_times = timed(lambda q=q: matches(q), repeat)
            self.stdout.write(
                f"{q:<30} {count:>8} {count_times[0]:>10.1f} {count_times[1]:>7.1f} "
                f"{page_times[0]:>9.1f} {page_times[1]:>7.1f} "
                f"{matches_times[0]:>12.1f} {matches_times[1]:>7.1f}"
            )
            if plans:
                self.stdout.write(f"    plan: {plan(results.order_by('-search_rank')[:20])}")
        for q in MISSPELLED:
            median, p95 = timed(lambda q=q: suggest(q), max(5, repeat // 3))
            self.stdout.write(f"suggest({q!r}) = {suggest(q)!r}: p50 {median:.1f} p95 {p95:.1f}")
