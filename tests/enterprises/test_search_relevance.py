"""``benchmark_relevance``: the judged buyer queries, their figures per family."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from enterprises.management.commands.benchmark_relevance import (
    JUDGED_QUERIES,
    ndcg_at,
    success_at,
)
from enterprises.models import Category
from tests.factories import EnterpriseFactory

FAMILIES = ["plural", "english", "synonym", "typo", "place", "neq", "name"]
FIGURES = re.compile(r"^(\w+)\s+(\d+)\s+(\d\.\d{3})\s+(\d\.\d{3})$", re.M)


def run(*args):
    out = StringIO()
    call_command("benchmark_relevance", *args, stdout=out)
    return out.getvalue()


def test_the_judged_set_holds_60_queries_or_more_in_both_languages_in_its_families():
    queries = json.loads(JUDGED_QUERIES.read_text(encoding="utf-8"))["queries"]

    assert len(queries) >= 60
    assert {query["family"] for query in queries} == set(FAMILIES)
    for family in FAMILIES:
        languages = {query["lang"] for query in queries if query["family"] == family}
        # The "english" family is what English stems alone must find.
        assert languages == ({"en"} if family == "english" else {"fr", "en"}), family


def test_success_at_5_and_ndcg_at_10():
    assert success_at([9, 8, 7, 6, 5, 1], {1}) == 0.0
    assert success_at([9, 8, 7, 6, 1], {1}) == 1.0
    assert ndcg_at([1, 2], {1, 2}) == 1.0
    assert ndcg_at([3, 1], {1}) == pytest.approx(1 / 1.585, rel=1e-3)
    assert ndcg_at([3, 4], {1}) == 0.0


@pytest.mark.django_db
def test_the_command_prints_each_family_and_overall_on_a_small_seeded_directory():
    call_command("seed_demo", enterprises=400, members=1, purchases=0, stdout=StringIO())

    output = run("--failures")

    rows = {family: (int(count), float(success), float(ndcg))
            for family, count, success, ndcg in FIGURES.findall(output)}
    assert list(rows) == [*FAMILIES, "all"]
    assert rows["all"][0] == sum(rows[family][0] for family in FAMILIES)
    for _count, success, ndcg in rows.values():
        assert 0.0 <= success <= 1.0
        assert 0.0 <= ndcg <= 1.0
    # What the directory's search is expected to reach on the demo data.
    assert rows["all"][1] >= 0.95


@pytest.mark.django_db
def test_a_judged_file_of_its_own_is_measured_and_unjudgeable_queries_are_left_out(tmp_path):
    EnterpriseFactory(name="Cuisine collective", slug="cuisine-collective",
                      categories=[Category.objects.get(slug="traiteur")])
    EnterpriseFactory(name="Atelier de couture")
    judged = tmp_path / "judged.json"
    judged.write_text(json.dumps({"queries": [
        {"family": "english", "lang": "en", "q": "caterers",
         "relevant": {"categories": ["traiteur"]}},
        {"family": "name", "lang": "fr", "q": "couture", "relevant": {"slugs": ["inconnue"]}},
    ]}), encoding="utf-8")

    output = run("--queries", str(judged))

    assert FIGURES.findall(output) == [
        ("english", "1", "1.000", "1.000"), ("all", "1", "1.000", "1.000")
    ]
    left_out = "Aucune entreprise publiée n’est pertinente pour « couture » : requête écartée."
    assert left_out in " ".join(output.split())  # French spaces may be non-breaking


def test_an_unreadable_judged_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire les requêtes jugées"):
        run("--queries", str(tmp_path / "missing.json"))
