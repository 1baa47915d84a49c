from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enterprises.models import Category, Enterprise, Label, Mrc, Region, Sector
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(db):
    """Three published enterprises in two regions, one draft and one archived."""
    traiteur = Category.objects.get(slug="traiteur")
    label = Label.objects.order_by("pk").first()
    caterer = EnterpriseFactory(
        name="Cuisine collective Hochelaga",
        slug="cuisine-collective-hochelaga",
        categories=[traiteur],
        sectors=[Sector.objects.get(slug="services-alimentaires")],
        service_area=[Region.objects.get(code="16")],
        legal_form=Enterprise.LegalForm.NON_PROFIT,
    )
    caterer.labels.add(label)
    EnterpriseFactory(name="Insertech", slug="insertech", region=Region.objects.get(code="03"))
    EnterpriseFactory(name="Coop Imprimerie", slug="coop-imprimerie")
    EnterpriseFactory(name="Brouillon secret", slug="brouillon", status=Enterprise.Status.DRAFT)
    EnterpriseFactory(name="Ancienne", slug="ancienne", status=Enterprise.Status.ARCHIVED)
    return caterer


def names(response):
    return [result["name"] for result in response.json()["results"]]


def test_listing_answers_count_results_and_facets(client, directory):
    response = client.get("/api/enterprises/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert names(response) == ["Coop Imprimerie", "Cuisine collective Hochelaga", "Insertech"]
    assert set(body["facets"]) == {"region", "mrc", "category", "sector", "legal_form", "label"}
    montreal = next(entry for entry in body["facets"]["region"] if entry["value"] == "06")
    assert montreal == {"value": "06", "label": "Montréal", "count": 2, "selected": False}


def test_a_search_offers_the_filter_its_words_name_in_the_requested_language(client, directory):
    EnterpriseFactory(name="Les Traiteurs Associés", description_fr="Une coopérative de services.")

    body = client.get("/api/enterprises/", {"q": "traiteurs", "lang": "en"}).json()

    assert body["count"] == 2  # the caterer, and the name holding the word
    assert body["hints"] == [
        {"query": "lang=en&category=traiteur", "label": "“Catering and buffets”", "count": 1}
    ]
    assert client.get("/api/enterprises/", {"q": "Insertech"}).json()["hints"] == []


def test_a_search_that_finds_nothing_offers_what_the_listing_would_show_instead(
    client, directory
):
    body = client.get("/api/enterprises/", {"q": "traiteur montreal", "lang": "fr"}).json()

    assert body["count"] == 0  # no enterprise holds both words
    assert body["hints"] == [{
        "query": "lang=fr&category=traiteur&region=06",
        "label": "«\u00a0Traiteur et buffets\u00a0» — Montréal",
        "count": 1,
    }]


def test_listing_result_shows_the_enterprise_and_its_tags(client, directory):
    result = next(
        result
        for result in client.get("/api/enterprises/").json()["results"]
        if result["slug"] == directory.slug
    )

    assert result["url"] == "/entreprises/cuisine-collective-hochelaga/"
    assert result["legal_form"] == "non_profit"
    assert result["region"]["code"] == "06"
    assert result["service_area"] == ["16"]
    assert [category["slug"] for category in result["categories"]] == ["traiteur"]
    assert [sector["slug"] for sector in result["sectors"]] == ["services-alimentaires"]
    assert len(result["labels"]) == 1


def test_listing_never_shows_drafts_or_archived_enterprises(client, directory):
    response = client.get("/api/enterprises/?per_page=100")

    assert sorted(names(response)) == [
        "Coop Imprimerie", "Cuisine collective Hochelaga", "Insertech"
    ]


def test_listing_takes_the_filters_of_the_listing(client, directory):
    by_category = client.get("/api/enterprises/?category=alimentation")
    by_region = client.get("/api/enterprises/?region=16")
    by_form = client.get("/api/enterprises/?legal_form=cooperative&region=03&region=06")

    assert names(by_category) == ["Cuisine collective Hochelaga"]
    assert names(by_region) == ["Cuisine collective Hochelaga"]
    assert names(by_form) == ["Coop Imprimerie", "Insertech"]
    assert by_form.json()["count"] == 2


def test_facet_counts_of_a_filter_ignore_that_filter(client, directory):
    facets = client.get("/api/enterprises/?region=03").json()["facets"]

    regions = {entry["value"]: entry for entry in facets["region"]}
    assert regions["03"]["count"] == 1 and regions["03"]["selected"]
    assert regions["06"]["count"] == 2
    forms = {entry["value"]: entry["count"] for entry in facets["legal_form"]}
    assert forms == {**dict.fromkeys(forms, 0), "cooperative": 1}


def test_listing_pages_through_results(client, directory):
    first = client.get("/api/enterprises/?per_page=2&page=1")
    second = client.get("/api/enterprises/?per_page=2&page=2")
    beyond = client.get("/api/enterprises/?per_page=2&page=9")

    assert names(first) == ["Coop Imprimerie", "Cuisine collective Hochelaga"]
    assert names(second) == ["Insertech"]
    assert names(beyond) == [] and beyond.json()["count"] == 3


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("region=99", "region"),
        ("category=nothing-like-this", "category"),
        ("legal_form=corporation", "legal_form"),
        ("q=" + "x" * 5000, "q"),
        ("q=%00", "q"),
        ("sort=sideways", "sort"),
    ],
)
def test_invalid_filters_get_a_422_naming_the_parameter(client, directory, query, parameter):
    response = client.get(f"/api/enterprises/?{query}")

    assert response.status_code == 422
    [error] = response.json()["detail"][parameter]
    assert error["message"]


@pytest.mark.parametrize(
    "query", ["per_page=101", "per_page=0", "page=0", "page=abc", "page=99999999999999999999999"]
)
def test_invalid_paging_gets_a_422_naming_the_parameter(client, directory, query):
    parameter = query.split("=")[0]

    response = client.get(f"/api/enterprises/?{query}")

    assert response.status_code == 422
    [error] = response.json()["detail"][parameter]
    assert error["message"]


@pytest.mark.parametrize("slug", ["%00", "a%00b", "x" * 3000])
def test_malformed_slug_is_a_404(client, slug):
    assert client.get(f"/api/enterprises/{slug}/").status_code == 404


def test_listing_runs_the_same_number_of_queries_whatever_the_page_size(
    client, directory, django_assert_max_num_queries
):
    EnterpriseFactory.create_batch(30, categories=[Category.objects.get(slug="traiteur")])
    # The region filter's validation 1; the directory's revision 1; the directory index, built
    # for every request in the tests (published enterprises, service areas, categories,
    # sectors, labels, then the category tree, regions with their MRCs, sectors and labels) 9;
    # the page 1; its service areas, categories, sectors, labels 4. No COUNT: the facets give
    # the count.
    with django_assert_max_num_queries(16):
        small = client.get("/api/enterprises/?region=06&per_page=5")
    with django_assert_max_num_queries(17):
        large = client.get("/api/enterprises/?region=06&per_page=100")

    assert len(small.json()["results"]) == 5
    assert len(large.json()["results"]) == 32


def test_enterprise_answers_its_public_fields(client, directory, django_assert_max_num_queries):
    directory.mrcs_served.set(Mrc.objects.filter(name__in=["Québec", "Lévis"]))
    # The enterprise and its region 1; service areas, categories, sectors, labels 4; the MRCs
    # served with their regions 1 (one more prefetch since enterprises give them); sources
    # and their networks 2.
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/enterprises/{directory.slug}/")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Cuisine collective Hochelaga"
    assert body["description_fr"] == "Une entreprise d'économie sociale."
    assert body["sources"] == []
    levis, quebec = Mrc.objects.get(name="Lévis"), Mrc.objects.get(name="Québec")
    assert body["mrcs_served"] == [
        {"code": mrc.code, "slug": mrc.slug, "name": mrc.name, "region": mrc.region.code}
        for mrc in (levis, quebec)
    ]


def test_an_enterprise_that_names_no_mrc_served_answers_an_empty_list(client, directory):
    body = client.get("/api/enterprises/insertech/").json()

    assert body["mrcs_served"] == []


@pytest.mark.parametrize("slug", ["brouillon", "ancienne", "nobody"])
def test_unpublished_or_unknown_enterprise_is_a_404(client, directory, slug):
    assert client.get(f"/api/enterprises/{slug}/").status_code == 404


def test_labels_follow_lang_or_accept_language(client, directory):
    by_parameter = client.get(f"/api/enterprises/{directory.slug}/?lang=en").json()
    by_header = client.get(f"/api/enterprises/{directory.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    french = client.get(f"/api/enterprises/{directory.slug}/").json()

    assert by_parameter["categories"][0]["name"] == "Catering and buffets"
    assert by_parameter["url"] == "/en/entreprises/cuisine-collective-hochelaga/"
    assert by_header.json()["categories"][0]["name"] == "Catering and buffets"
    assert french["categories"][0]["name"] == "Traiteur et buffets"


def test_categories_come_as_a_tree_with_their_parent(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        categories = {c["slug"]: c for c in client.get("/api/categories/").json()}

    assert categories["traiteur"]["parent"] == "alimentation"
    assert categories["alimentation"]["parent"] is None
    assert len(categories) == Category.objects.count()


def test_sectors_and_regions_are_listed(client):
    sectors = client.get("/api/sectors/").json()
    regions = client.get("/api/regions/?lang=en").json()

    assert len(sectors) == Sector.objects.count()
    assert [region["code"] for region in regions] == [f"{n:02}" for n in range(1, 18)]


def test_openapi_schema_describes_every_endpoint(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/enterprises/",
        "/api/enterprises/{slug}/",
        "/api/categories/",
        "/api/sectors/",
        "/api/regions/",
    } <= set(paths)


def test_docs_page_serves_swagger_from_our_own_static_files(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert "cdn" not in response.content.decode().lower()


query_values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        ["06", "04", "alimentation", "traiteur", "cooperative", "mekinac", "350", "-1", "1e9",
         "%00"]
    ),
)
query_keys = st.sampled_from(
    ["q", "category", "sector", "region", "mrc", "legal_form", "label", "sort", "page",
     "per_page", "lang", "format", "x"]
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=st.lists(st.tuples(query_keys, query_values), max_size=6))
def test_any_query_string_gets_an_answer_never_a_server_error(client, directory, params):
    query = "&".join(f"{quote(key)}={quote(value)}" for key, value in params)

    response = client.get(f"/api/enterprises/?{query}")

    assert response.status_code in (200, 422)
