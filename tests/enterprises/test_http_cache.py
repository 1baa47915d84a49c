"""HTTP caching of the public directory: ETags, public Cache-Control and 304 answers."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises import caching
from enterprises.models import Category, Enterprise
from tests.factories import EnterpriseFactory, MembershipFactory, PurchaseFactory, region
from tests.test_settings import start_up

pytestmark = pytest.mark.django_db

LISTING = "/repertoire/"
SEARCH = "/repertoire/?q=traiteur&region=06"
API_SEARCH = "/api/enterprises/?q=traiteur&region=06"


@pytest.fixture(autouse=True)
def kept_index(settings, monkeypatch):
    """As in production: the index is kept until the directory changes. The clock stands
    still, so that two requests of a test never fall on each side of the end of one of the
    ETags' periods (every ten minutes on the hour)."""
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600
    now = time.time()
    monkeypatch.setattr(caching.time, "time", lambda: now)


@pytest.fixture
def caterer():
    return EnterpriseFactory(
        name="TRAITEUR LA BONNE FOURCHETTE", slug="traiteur-la-bonne-fourchette",
        region=region("06"), categories=[Category.objects.get(slug="traiteur")],
    )


def directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def varies_on(response):
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize(
    "url", [LISTING, SEARCH, "/en/repertoire/?q=catering", "/", "/par-produit-et-service/",
            "/par-produit-et-service/traiteur/", "/regions/montreal/", API_SEARCH],
)
def test_public_directory_pages_are_cacheable_by_a_shared_cache_for_a_minute(
    client, caterer, url
):
    response = client.get(url)

    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert {"public", "max-age=60", "stale-while-revalidate=600"} <= directives(response)
    assert {"hx-request", "cookie"} <= varies_on(response)


def test_an_enterprise_page_keeps_its_etag_while_the_directory_does_not_change(client, caterer):
    first = client.get(caterer.get_absolute_url())
    second = client.get(caterer.get_absolute_url())

    assert first["ETag"] == second["ETag"]


def test_the_cache_lifetimes_come_from_the_settings(client, caterer, settings):
    settings.DIRECTORY_CACHE_MAX_AGE = 30
    settings.DIRECTORY_CACHE_STALE_SECONDS = 3600

    response = client.get(LISTING)

    assert {"public", "max-age=30", "stale-while-revalidate=3600"} <= directives(response)


def test_publishing_an_enterprise_changes_the_etag_of_the_listing(client, caterer):
    before = client.get(SEARCH)["ETag"]
    Enterprise.objects.filter(pk=EnterpriseFactory(
        name="Traiteur Rive-Sud", status=Enterprise.Status.DRAFT,
        categories=[Category.objects.get(slug="traiteur")],
    ).pk).publish()

    after = client.get(SEARCH)

    assert after["ETag"] != before
    assert "Traiteur Rive-Sud" in after.content.decode()


def test_renaming_a_category_changes_the_etag_of_an_enterprise_page(client, caterer):
    before = client.get(caterer.get_absolute_url())["ETag"]
    category = Category.objects.get(slug="traiteur")
    category.name_fr = "Traiteurs et buffets"
    category.save()

    assert client.get(caterer.get_absolute_url())["ETag"] != before


def test_a_new_buyer_reaches_the_enterprise_page_within_the_index_lifetime(
    client, caterer, monkeypatch
):
    url = caterer.get_absolute_url()
    etag = client.get(url)["ETag"]
    PurchaseFactory(enterprise=caterer)  # purchases change no directory revision

    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    later = time.time() + 600
    monkeypatch.setattr(caching.time, "time", lambda: later)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_each_query_has_its_own_etag(client, caterer):
    assert client.get(SEARCH)["ETag"] != client.get(LISTING + "?q=boulangerie&region=06")["ETag"]
    assert client.get(SEARCH)["ETag"] != client.get(SEARCH + "&page=1")["ETag"]


def test_french_and_english_pages_have_different_etags(client, caterer):
    assert client.get(LISTING)["ETag"] != client.get("/en" + LISTING)["ETag"]
    assert client.get(API_SEARCH)["ETag"] != client.get(
        API_SEARCH, headers={"Accept-Language": "en"}
    )["ETag"]


def test_the_htmx_results_fragment_and_the_whole_page_have_different_etags(client, caterer):
    page = client.get(SEARCH)
    fragment = client.get(SEARCH, headers={"HX-Request": "true"})
    history_restore = client.get(
        SEARCH, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert fragment["ETag"] != page["ETag"]
    assert history_restore["ETag"] == page["ETag"]  # a history restore gets the whole page
    assert "hx-history-restore-request" in varies_on(fragment)


@pytest.mark.parametrize("url", [SEARCH, "/en/repertoire/", API_SEARCH, "/"])
def test_a_repeated_etag_is_answered_304_from_one_query_without_rendering(
    client, caterer, url, django_assert_num_queries
):
    etag = client.get(url)["ETag"]

    with django_assert_num_queries(1):  # the directory's revision
        response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response.templates == []
    assert response["ETag"] == etag
    assert {"public", "max-age=60"} <= directives(response)


def test_an_enterprise_page_is_answered_304_until_it_changes(client, caterer):
    url = caterer.get_absolute_url()
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

    caterer.phone = "514 555-1234"
    caterer.save()
    response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert "514 555-1234" in response.content.decode()


def test_an_etag_of_an_older_revision_gets_the_new_page_and_its_etag(client, caterer):
    old = client.get(SEARCH)["ETag"]
    EnterpriseFactory(name="Traiteur Nouveau", categories=[Category.objects.get(slug="traiteur")])

    response = client.get(SEARCH, headers={"If-None-Match": old})

    assert response.status_code == 200
    assert "Traiteur Nouveau" in response.content.decode()
    assert client.get(SEARCH, headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_a_signed_in_member_gets_a_private_page_never_a_304(client, caterer):
    etag = client.get(SEARCH)["ETag"]
    client.force_login(MembershipFactory().user)

    response = client.get(SEARCH, headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert "public" not in directives(response)
    assert "private" in directives(response)
    assert "ETag" not in response


def test_a_page_showing_a_pending_message_is_not_cached_publicly(client, caterer):
    client.cookies["messages"] = "pending"  # left by a form for the next page

    response = client.get(LISTING)

    assert "private" in directives(response)
    assert "ETag" not in response


def test_a_missing_page_or_invalid_api_query_is_not_cached(client, caterer):
    missing = client.get("/entreprises/nexiste-pas/")
    invalid = client.get("/api/enterprises/?page=0")

    assert missing.status_code == 404 and "ETag" not in missing
    assert invalid.status_code == 422 and "ETag" not in invalid
    assert "public" not in directives(invalid)


def test_the_export_and_the_portal_are_not_cached_publicly(client, caterer):
    assert "public" not in directives(client.get(reverse("enterprises:export")))
    client.force_login(MembershipFactory().user)
    portal = client.get(reverse("purchases:dashboard"))

    assert {"private", "no-store"} <= directives(portal)


def test_a_negative_cache_lifetime_stops_the_start_up_with_the_variables_name():
    result = start_up(DEBUG="1", DIRECTORY_CACHE_STALE_SECONDS="-1")

    assert result.returncode != 0
    assert "DIRECTORY_CACHE_STALE_SECONDS" in result.stderr


# Fragments below the page: result cards, the filters' block and the API's enterprises are kept
# rendered per directory revision and language (enterprises.caching).

def run(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, " ".join(query["sql"] for query in queries)


@pytest.mark.parametrize("url", [LISTING, "/repertoire/?region=06", API_SEARCH])
def test_a_page_seen_again_reads_no_enterprise_relations(client, caterer, url):
    first, _queries = run(client, url)
    second, queries = run(client, url)

    assert second.content == first.content
    # The prefetch of the cards' categories, and of the API's service areas.
    assert 'INNER JOIN "enterprises_enterprise_categories"' not in queries
    assert 'INNER JOIN "enterprises_enterprise_service_area"' not in queries


@pytest.mark.parametrize("url", [LISTING, API_SEARCH])
def test_a_renamed_enterprise_shows_its_new_name_at_once(client, caterer, url):
    client.get(url)
    caterer.name = "TRAITEUR LA FOURCHETTE RENOMMÉE"
    caterer.save()

    assert "LA FOURCHETTE RENOMM" in client.get(url).content.decode()


def test_a_kept_card_is_shown_in_the_language_of_the_page(client, caterer):
    french = client.get(LISTING).content.decode()
    english = client.get("/en/repertoire/").content.decode()

    assert "Coopérative" in french and "Coopérative" not in english
    assert 'href="/en/' in english


def test_the_filters_block_is_kept_per_filter_state_not_per_page_or_order(client, caterer):
    EnterpriseFactory(region=region("03"))

    everything = client.get(LISTING).content.decode()
    montreal = client.get("/repertoire/?region=06").content.decode()
    reordered = client.get("/repertoire/?region=06&sort=newest&per_page=50").content.decode()

    assert 'id="facet-region-06" checked' in montreal
    assert 'id="facet-region-06" checked' not in everything
    assert 'id="facet-region-03"' not in montreal.split('id="facet-legal_form"')[1]

    def facets(page):
        return page.split('<div id="facets">')[1].split("</div>")[0]

    assert facets(reordered) == facets(montreal)


def test_a_ranked_search_seen_again_reads_no_enterprise_row(client, caterer):
    first, _queries = run(client, SEARCH)
    second, queries = run(client, SEARCH)

    assert "BONNE FOURCHETTE" in second.content.decode()
    assert second.content == first.content
    assert '"enterprises_enterprise"."id" IN (' not in queries  # the page's rows, by id
