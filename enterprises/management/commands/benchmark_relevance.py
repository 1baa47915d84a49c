"""How well the directory's search answers what buyers type: a judged set of queries.

Each query of ``enterprises/search/judged_queries.json`` names its relevant enterprises by a
rule on the directory (categories, region, MRC, municipality or slugs); the command runs it as
the public listing does (the text search, then the filters a place or category word implies
when the text alone finds nothing) and prints success@5 (a relevant enterprise among the first
five) and nDCG@10 (binary relevance) per query family and overall.
"""

import json
import math
from collections import defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from enterprises.models import Category, Enterprise, Mrc, Region
from enterprises.search.hints import listing_ids

JUDGED_QUERIES = Path(__file__).resolve().parents[2] / "search" / "judged_queries.json"


def relevant_ids(rule):
    """The published enterprises the rule names (every key of it applies)."""
    published = Enterprise.objects.published()
    if "categories" in rule:
        categories = Category.objects.filter(slug__in=rule["categories"])
        published = published.offering(list(categories))
    if "region" in rule:
        published = published.in_regions(list(Region.objects.filter(code=rule["region"])))
    if "mrc" in rule:
        published = published.in_mrcs(list(Mrc.objects.filter(code=rule["mrc"])))
    if "municipality" in rule:
        name = rule["municipality"]
        published = published.filter(Q(municipality__name__iexact=name) | Q(city__iexact=name))
    if "slugs" in rule:
        published = published.filter(slug__in=rule["slugs"])
    return set(published.values_list("pk", flat=True))


def success_at(results, relevant, k=5):
    return float(any(pk in relevant for pk in results[:k]))


def ndcg_at(results, relevant, k=10):
    """Normalized discounted cumulative gain of the first ``k`` results, relevance 0 or 1."""
    gain = sum(1 / math.log2(rank + 2) for rank, pk in enumerate(results[:k]) if pk in relevant)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(relevant), k)))
    return gain / ideal if ideal else 0.0


def load_queries(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))["queries"]
    except (OSError, ValueError, KeyError) as error:
        raise CommandError(
            _("Cannot read the judged queries: %(error)s") % {"error": error}
        ) from None


def evaluate(queries):
    """One row per query: its family, text, figures and first results; and the queries whose
    rule names no published enterprise (left out of the figures)."""
    rows, unjudged = [], []
    for entry in queries:
        relevant = relevant_ids(entry["relevant"])
        if not relevant:
            unjudged.append(entry)
            continue
        with translation.override(entry.get("lang", "fr")):
            results = listing_ids(entry["q"], 10)
        rows.append({
            **entry,
            "success": success_at(results, relevant),
            "ndcg": ndcg_at(results, relevant),
            "found": len(results),
        })
    return rows, unjudged


def summary(rows):
    """``{family: (queries, success@5, nDCG@10)}``, families in the file's order, then "all"."""
    families = defaultdict(list)
    for row in rows:
        families[row["family"]].append(row)
    families["all"] = rows
    return {
        family: (
            len(members),
            sum(row["success"] for row in members) / len(members),
            sum(row["ndcg"] for row in members) / len(members),
        )
        for family, members in families.items()
        if members
    }


class Command(BaseCommand):
    help = _(
        "Run the judged buyer queries against the directory and print success@5 and nDCG@10 "
        "per query family and overall."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queries", default=str(JUDGED_QUERIES), help=_("The judged queries (JSON).")
        )
        parser.add_argument(
            "--failures", action="store_true",
            help=_("Also list the queries with no relevant enterprise among the first five."),
        )

    def handle(self, *args, queries, failures, **options):
        rows, unjudged = evaluate(load_queries(queries))
        self.stdout.write(f"{'family':<12} {'queries':>7} {'success@5':>10} {'nDCG@10':>8}")
        for family, (count, success, ndcg) in summary(rows).items():
            self.stdout.write(f"{family:<12} {count:>7} {success:>10.3f} {ndcg:>8.3f}")
        for entry in unjudged:
            self.stdout.write(
                _("No published enterprise is relevant to “%(q)s”: left out.") % entry
            )
        if failures:
            for row in rows:
                if not row["success"]:
                    self.stdout.write("  " + ngettext(
                        "%(family)s (%(lang)s) “%(q)s”: %(found)d result, nDCG@10 %(ndcg).2f",
                        "%(family)s (%(lang)s) “%(q)s”: %(found)d results, nDCG@10 %(ndcg).2f",
                        row["found"],
                    ) % row)
