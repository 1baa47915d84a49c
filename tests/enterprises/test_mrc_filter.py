"""The MRC filter: within the chosen region, in the listing, its facets and the API."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enterprises.directory_index import facet_counts, result_count
from enterprises.filters import EnterpriseFilterSet
from enterprises.models import Category, Enterprise, Mrc
from tests.factories import EnterpriseFactory, municipality, region

pytestmark = pytest.mark.django_db

LISTING = "/repertoire/"


@pytest.fixture
def mauricie(db):
    """Enterprises in Mékinac, Les Chenaux and Trois-Rivières (Mauricie), one in Montréal
    serving Mauricie, and a draft in Mékinac."""
    traiteur = Category.objects.get(slug="traiteur")
    return {
        "tite": EnterpriseFactory(
            name="Coop de solidarité de Saint-Tite", municipality=municipality("Saint-Tite"),
            categories=[traiteur],
        ),
        "roch": EnterpriseFactory(
            name="CPE Les soleils de Mékinac", municipality=municipality("Saint-Roch-de-Mékinac"),
            legal_form=Enterprise.LegalForm.NON_PROFIT,
        ),
        "perade": EnterpriseFactory(
            name="Marché public de Sainte-Anne-de-la-Pérade",
            municipality=municipality("Sainte-Anne-de-la-Pérade"), categories=[traiteur],
        ),
        "orchestre": EnterpriseFactory(
            name="L'orchestre symphonique de Trois-Rivières inc.",
            municipality=municipality("Trois-Rivières"),
        ),
        "montreal": EnterpriseFactory(
            name="Traiteur du Plateau", municipality=municipality("Montréal"),
            service_area=[region("04")], categories=[traiteur],
        ),
        "draft": EnterpriseFactory(
            name="Brouillon de Mékinac", municipality=municipality("Hérouxville"),
            status=Enterprise.Status.DRAFT,
        ),
    }


def filtered(query_string):
    return EnterpriseFilterSet(QueryDict(query_string), queryset=Enterprise.objects.published())


def names(queryset):
    return sorted(enterprise.name for enterprise in queryset)


def mrc_counts(facets):
    return {entry["value"]: entry["count"] for entry in facets["mrc"]}


def test_an_enterprise_is_in_the_mrc_of_its_municipality(mauricie):
    assert names(filtered("mrc=mekinac").qs) == [
        "CPE Les soleils de Mékinac", "Coop de solidarité de Saint-Tite",
    ]


def test_the_mrc_is_named_by_its_code_or_its_slug(mauricie):
    assert names(filtered("mrc=350").qs) == names(filtered("mrc=mekinac").qs)
    assert names(filtered("mrc=350&mrc=les-chenaux").qs) == [
        "CPE Les soleils de Mékinac", "Coop de solidarité de Saint-Tite",
        "Marché public de Sainte-Anne-de-la-Pérade",
    ]


def test_an_unknown_mrc_is_reported_and_the_other_filters_still_apply(mauricie):
    filterset = filtered("mrc=nowhere&region=04")

    assert "mrc" in filterset.form.errors
    assert len(filterset.qs) == 5


def test_an_enterprise_serving_the_region_is_in_the_region_but_in_none_of_its_mrcs(mauricie):
    facets = facet_counts(filtered("region=04"))

    assert result_count(facets) == 5
    assert sum(mrc_counts(facets).values()) == 4


def test_the_mrc_facet_lists_the_mrcs_of_the_chosen_region_only(mauricie):
    assert facet_counts(filtered(""))["mrc"] == []

    entries = facet_counts(filtered("region=04"))["mrc"]

    assert {entry["region"] for entry in entries} == {"04"}
    assert [entry["label"] for entry in entries] == [
        mrc.name for mrc in sorted(Mrc.objects.filter(region__code="04"),
                                   key=lambda mrc: mrc.name.casefold())
    ]
    assert mrc_counts({"mrc": entries}) == {
        "la-tuque": 0, "les-chenaux": 1, "maskinonge": 0, "mekinac": 2, "shawinigan": 0,
        "trois-rivieres": 1,
    }


def test_the_mrc_facet_counts_apply_every_filter_but_its_own(mauricie):
    facets = facet_counts(filtered("region=04&mrc=mekinac&category=traiteur"))

    assert mrc_counts(facets)["mekinac"] == 1
    assert mrc_counts(facets)["les-chenaux"] == 1
    assert [entry["value"] for entry in facets["mrc"] if entry["selected"]] == ["mekinac"]
    assert result_count(facets) == 1


def test_a_chosen_mrc_stays_listed_without_its_region(mauricie):
    entries = facet_counts(filtered("mrc=mekinac"))["mrc"]

    assert [(entry["value"], entry["selected"]) for entry in entries] == [("mekinac", True)]


@pytest.mark.parametrize("query_string", [
    "", "region=04", "mrc=mekinac", "region=04&mrc=les-chenaux", "region=06&mrc=mekinac",
    "mrc=350&mrc=371", "region=04&category=traiteur", "mrc=mekinac&legal_form=non_profit",
    "region=04&mrc=mekinac&category=traiteur&legal_form=cooperative", "mrc=nowhere",
])
def test_the_facet_index_agrees_with_the_sql_filters(mauricie, query_string):
    filterset = filtered(query_string)
    facets = facet_counts(filterset)

    assert result_count(facets) == filterset.qs.count()
    selected_regions = set(QueryDict(query_string).getlist("region"))
    for entry in facets["mrc"]:
        narrowed = QueryDict(query_string, mutable=True)
        narrowed.setlist("mrc", [entry["value"]])
        assert entry["count"] == filtered(narrowed.urlencode()).qs.count(), entry
        assert entry["region"] in selected_regions or entry["selected"]


choices = st.lists(st.one_of(
    st.tuples(st.just("region"), st.sampled_from(["04", "06", "16"])),
    st.tuples(st.just("mrc"), st.sampled_from(["mekinac", "les-chenaux", "371", "660", "580"])),
    st.tuples(st.just("legal_form"), st.sampled_from(["cooperative", "non_profit"])),
    st.tuples(st.just("category"), st.just("traiteur")),
), max_size=5)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pairs=choices)
def test_any_mix_of_filters_counts_in_memory_what_the_sql_filters_find(mauricie, pairs):
    query_string = urlencode(pairs)
    facets = facet_counts(filtered(query_string))

    assert result_count(facets) == filtered(query_string).qs.count()
    for facet in ("region", "mrc"):
        for entry in facets[facet]:
            if entry["count"] or entry["selected"]:
                narrowed = QueryDict(query_string, mutable=True)
                narrowed.setlist(facet, [entry["value"]])
                assert entry["count"] == filtered(narrowed.urlencode()).qs.count(), entry


def test_the_listing_offers_the_mrcs_once_a_region_is_chosen(client, mauricie):
    before = client.get(LISTING).content.decode()
    response = client.get(LISTING, {"region": "04"})
    page = response.content.decode()

    assert 'name="mrc"' not in before
    assert '<legend>MRC ou territoire équivalent</legend>' in page
    assert 'id="facet-mrc-mekinac"' in page
    assert 'value="les-chenaux"' in page
    assert 'value="mekinac"' in page


def test_the_listing_filtered_by_mrc_in_french_and_in_english(client, mauricie):
    french = client.get(LISTING, {"region": "04", "mrc": "mekinac"})
    english = client.get("/en/repertoire/", {"region": "04", "mrc": "mekinac"})

    for response in (french, english):
        assert [e.name for e in response.context["enterprises"]] == [
            "Coop de solidarité de Saint-Tite", "CPE Les soleils de Mékinac",
        ]
        assert "Mékinac" in response.context["heading"]
    assert "<legend>MRC or equivalent territory</legend>" in english.content.decode()
    assert 'id="facet-mrc-mekinac" checked' in english.content.decode()


def test_the_listing_names_the_official_municipality_rather_than_the_text_of_the_file(
    client, mauricie
):
    mauricie["roch"].city = "ST-ROCH-DE-MEKINAC (QUÉBEC)"
    mauricie["roch"].save()

    page = client.get(LISTING, {"mrc": "mekinac"}).content.decode()

    assert "Mauricie · Saint-Roch-de-Mékinac" in page
    assert "ST-ROCH-DE-MEKINAC" not in page


def test_a_region_page_narrows_by_mrc(client, mauricie):
    response = client.get("/regions/mauricie/", {"mrc": "les-chenaux"})

    assert [e.name for e in response.context["enterprises"]] == [
        "Marché public de Sainte-Anne-de-la-Pérade"
    ]
    assert 'value="mekinac"' in response.content.decode()


def test_the_listing_filtered_by_mrc_keeps_its_query_count(
    client, mauricie, django_assert_max_num_queries
):
    # The form's 4 choice lookups (region, MRC, category, sector); the directory's revision;
    # the directory index (9: the MRCs come with the regions); the category tree for the
    # category filter; the page of results; its categories.
    query = {"region": "04", "mrc": "mekinac", "category": "traiteur", "sector": "agroalimentaire"}
    with django_assert_max_num_queries(4 + 1 + 9 + 1 + 1 + 1):
        response = client.get(LISTING, query)

    assert response.status_code == 200


@pytest.mark.parametrize("lang, label", [("fr", "Mékinac"), ("en", "Mékinac")])
def test_the_api_filters_by_mrc_code_or_slug_in_both_languages(client, mauricie, lang, label):
    by_slug = client.get("/api/enterprises/", {"mrc": "mekinac", "region": "04", "lang": lang})
    by_code = client.get("/api/enterprises/", {"mrc": "350", "lang": lang})

    body = by_slug.json()
    assert by_slug.status_code == by_code.status_code == 200
    assert [r["name"] for r in body["results"]] == [r["name"] for r in by_code.json()["results"]]
    assert body["count"] == 2
    mekinac = next(entry for entry in body["facets"]["mrc"] if entry["value"] == "mekinac")
    assert mekinac == {
        "value": "mekinac", "label": label, "count": 2, "selected": True, "region": "04",
    }


def test_the_api_refuses_an_unknown_mrc_naming_the_parameter(client, mauricie):
    response = client.get("/api/enterprises/", {"mrc": "Mekinac County"})

    assert response.status_code == 422
    assert "mrc" in response.json()["detail"]


@pytest.mark.parametrize("mrc", ["\x00", "meki\x00nac", "350 OR 1=1"])
def test_an_mrc_that_cannot_be_a_code_or_slug_is_an_unknown_choice(client, mauricie, mrc):
    listing = client.get("/repertoire/", {"mrc": mrc, "region": "04"})
    api = client.get("/api/enterprises/", {"mrc": mrc})

    assert listing.status_code == 200
    assert len(listing.context["enterprises"]) == 5  # the region still applies
    assert "mrc" in filtered(urlencode({"mrc": mrc})).form.errors
    assert api.status_code == 422


def test_the_api_gives_the_enterprise_municipality_and_mrc(client, mauricie):
    body = client.get(f"/api/enterprises/{mauricie['roch'].slug}/").json()

    assert body["municipality"] == {
        "code": "35045", "name": "Saint-Roch-de-Mékinac", "designation": "Paroisse",
    }
    assert body["mrc"] == {"code": "350", "slug": "mekinac", "name": "Mékinac", "region": "04"}
    assert body["region"]["code"] == "04"


def test_the_api_lists_the_mrcs_with_their_region(client):
    mrcs = client.get("/api/mrcs/").json()

    assert {"code": "372", "slug": "les-chenaux", "name": "Les Chenaux", "region": "04"} in mrcs
    assert len(mrcs) == Mrc.objects.count()


def test_the_enterprise_page_shows_the_official_municipality_and_its_mrc(client, mauricie):
    enterprise = mauricie["roch"]
    enterprise.city = "ST-ROCH-DE-MEKINAC (QUÉBEC)"
    enterprise.save()

    page = client.get(enterprise.get_absolute_url()).content.decode()

    assert "Saint-Roch-de-Mékinac, <a href=\"/regions/mauricie/\">Mauricie</a>" in page
    assert "ST-ROCH-DE-MEKINAC" not in page
    assert '<a href="/regions/mauricie/?mrc=mekinac">Mékinac</a>' in page


def test_the_enterprise_page_shows_the_city_text_without_a_municipality(client):
    enterprise = EnterpriseFactory(city="Cap-de-la-Madeleine", region=region("04"))

    page = client.get(enterprise.get_absolute_url()).content.decode()

    assert "Cap-de-la-Madeleine, <a href=\"/regions/mauricie/\">Mauricie</a>" in page


def test_no_mrc_choice_is_offered_when_no_enterprise_of_the_region_is_placed(client):
    EnterpriseFactory(name="Coop sans municipalité", region=region("06"))

    page = client.get(LISTING, {"region": "06"}).content.decode()

    assert "Coop sans municipalité" in page
    assert 'name="mrc"' not in page
