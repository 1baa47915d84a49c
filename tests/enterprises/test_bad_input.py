"""Whatever the query string, the directory answers 200 with a form message or 404, never 5xx."""

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enterprises.models import Category
from tests.factories import EnterpriseFactory, region

pytestmark = pytest.mark.django_db

LISTING = "/repertoire/"


@pytest.fixture
def directory(db):
    catering = Category.objects.get(slug="traiteur")
    EnterpriseFactory.create_batch(3, region=region("06"), categories=[catering])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"region": "zz"}, "Select a valid choice"),
        ({"category": "no-such-category"}, "Select a valid choice"),
        ({"legal_form": "corporation"}, "Select a valid choice"),
        ({"per_page": "1000000"}, "Select a valid choice"),
        ({"sort": "price"}, "Select a valid choice"),
        ({"q": "x" * 60_000}, "Ensure this value has at most 200 characters"),
        ({"q": "traiteur\x00"}, "Null characters are not allowed"),
        ({"region": "06\x00"}, "Null characters are not allowed"),
    ],
)
def test_bad_values_get_a_form_message(client, directory, query, message):
    response = client.get("/en" + LISTING, query)

    assert response.status_code == 200
    assert message in response.content.decode()


# Not "page": that name is pytest-playwright's page fixture.
@pytest.mark.parametrize(
    "page_number", ["-1", "0", "abc", "2", "99999999999999999999", "1e3", "\x00"]
)
def test_bad_page_numbers_are_not_found(client, directory, page_number):
    assert client.get(LISTING, {"page": page_number}).status_code == 404


def test_pages_past_the_browsable_limit_are_not_found(client, monkeypatch):
    monkeypatch.setattr("enterprises.views.MAX_BROWSABLE_RESULTS", 20)
    EnterpriseFactory.create_batch(25)

    first = client.get("/en" + LISTING)

    assert "25 enterprises found" in first.content.decode()
    assert "Only the first 20 results can be browsed" in first.content.decode()
    assert client.get(LISTING, {"page": "2"}).status_code == 404


def test_repeated_parameters_are_handled(client, directory):
    response = client.get(LISTING + "?" + "&".join(["region=06"] * 500 + ["q=a"] * 50))

    assert response.status_code == 200


parameter_names = st.sampled_from(
    ["q", "category", "sector", "region", "mrc", "legal_form", "label", "sort", "per_page",
     "page", "x"]
)
parameter_values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        ["06", "04", "mekinac", "350", "traiteur", "alimentation", "mutual", "relevance", "100",
         "1", ""]
    ),
    st.integers().map(str),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=3000),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(parameter_names, parameter_values), max_size=8), st.booleans())
def test_random_query_strings_never_cause_a_server_error(client, directory, pairs, htmx):
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.get(LISTING + "?" + urlencode(pairs), headers=headers)

    assert response.status_code in (200, 404)


@pytest.mark.parametrize("q", ["\ud7a4", "!!!", "«»", "-", '"'])
def test_text_with_nothing_searchable_is_answered(client, directory, q):
    assert client.get(LISTING, {"q": q, "sort": "relevance"}).status_code == 200
