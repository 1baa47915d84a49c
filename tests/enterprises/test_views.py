"""The public directory pages: home, listing, enterprise, category, sector and region pages."""

import json
import re
from datetime import date

import pytest
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import translation

from enterprises import sections
from enterprises.models import (
    Category,
    Enterprise,
    EnterpriseLabel,
    EnterpriseSource,
    Label,
    Mrc,
    Network,
    Region,
    Sector,
)
from enterprises.validators import fold
from tests.factories import (
    EnterpriseFactory,
    EnterpriseLabelFactory,
    EnterpriseSourceFactory,
    PurchaseFactory,
    municipality,
    region,
)

pytestmark = pytest.mark.django_db

LISTING = "/repertoire/"


def catering():
    return Category.objects.get(slug="traiteur")


def text(response):
    return response.content.decode()


def result_names(response):
    return [enterprise.name for enterprise in response.context["enterprises"]]


# The listing


def test_a_cards_products_are_listed_in_the_order_of_the_pages_language(client):
    printing = Category.objects.get(slug="impression")
    EnterpriseFactory(name="Imprimerie traiteur", categories=[printing, catering()])

    def chips(page):
        return re.findall(r"<li>([^<]+)</li>", page.split('class="tags"')[1].split("</ul>")[0])

    assert chips(text(client.get(LISTING))) == ["Impression et communications",
                                                "Traiteur et buffets"]
    assert chips(text(client.get(f"/en{LISTING}"))) == ["Catering and buffets",
                                                        "Printing and communications"]


def test_listing_is_at_repertoire_in_french_and_under_en_in_english(client):
    EnterpriseFactory(name="Coop du Plateau")

    assert reverse("enterprises:list") == LISTING
    french = client.get(LISTING)
    english = client.get("/en/repertoire/")

    assert french.status_code == english.status_code == 200
    assert "Coop du Plateau" in text(french)
    assert '<html lang="fr-CA">' in text(french)
    assert '<html lang="en-CA">' in text(english)


def test_listing_shows_facet_counts_beside_each_value(client):
    EnterpriseFactory(region=region("06"))
    EnterpriseFactory(region=region("06"))
    EnterpriseFactory(region=region("03"))

    page = text(client.get(LISTING, {"region": "06"}))

    def count_beside(name):
        beside = rf'>{name} <span class="facet-count"><span aria-hidden="true">(\d+)<'
        return re.search(beside, page).group(1)

    assert 'id="facet-region-06" checked>' in page
    assert count_beside("Montréal") == "2"
    assert count_beside("Capitale-Nationale") == "1"


def test_filters_show_each_states_own_choices_counts_and_words(client, settings):
    """The filters' entries are kept rendered with the directory index, around their counts:
    what one filter state chose or counted must not show in the next, nor one language's
    words in the other's."""
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 60  # as in production: the index is kept
    cooperative, mutual = Enterprise.LegalForm.COOPERATIVE, Enterprise.LegalForm.MUTUAL
    EnterpriseFactory(region=region("06"), legal_form=cooperative)
    EnterpriseFactory(region=region("06"), legal_form=mutual)
    EnterpriseFactory(region=region("03"), legal_form=cooperative)

    def montreal(page):
        entry = re.search(
            r'id="facet-region-06"( checked)?>.*?<span aria-hidden="true">(\d+)</span>'
            r'<span class="visually-hidden">([^<]+)</span>', page, re.DOTALL
        )
        return entry.groups()

    chosen = text(client.get(LISTING, {"region": "06"}))
    other = text(client.get(LISTING, {"legal_form": "cooperative"}))
    english = text(client.get("/en/repertoire/", {"legal_form": "cooperative"}))
    chosen_again = text(client.get(LISTING, {"region": "06", "legal_form": "mutual"}))

    assert montreal(chosen) == (" checked", "2", "2 résultats")
    assert montreal(other) == (None, "1", "1 résultat")
    assert montreal(english) == (None, "1", "1 result")
    assert '<label for="facet-legal_form-cooperative">Cooperative <' in english
    assert montreal(chosen_again) == (" checked", "1", "1 résultat")
    assert 'id="facet-legal_form-mutual" checked>' in chosen_again
    assert 'id="facet-legal_form-mutual" checked>' not in chosen


def test_a_filter_value_named_like_markup_shows_as_written(client, settings):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 60
    sector = Sector.objects.create(name="Ateliers <count> & cie", slug="ateliers-count")
    EnterpriseFactory(sectors=[sector])

    response = client.get(LISTING)

    assert response.status_code == 200
    assert (
        '<label for="facet-sector-ateliers-count">Ateliers &lt;count&gt; &amp; cie '
        '<span class="facet-count"><span aria-hidden="true">1</span>'
        '<span class="visually-hidden">1 résultat</span>'
    ) in text(response)


def test_filters_are_labelled_checkbox_groups(client):
    enterprise = EnterpriseFactory(categories=[catering()], sectors=[Sector.objects.first()])
    EnterpriseLabel.objects.create(enterprise=enterprise, label=Label.objects.first())

    page = text(client.get("/en/repertoire/"))

    legends = re.findall(r'<fieldset class="facet"[^>]*>\s*<legend>([^<]+)</legend>', page)
    assert legends == [
        "Products and services", "Region", "Sector", "Legal form", "Label", "Verification"
    ]
    assert '<label for="facet-category-traiteur">' in page
    assert 'id="result-summary" class="result-summary" role="status" aria-live="polite"' in page


def test_title_and_heading_reflect_the_filters(client):
    EnterpriseFactory(region=region("06"), categories=[catering()])

    page = text(client.get("/en/repertoire/", {"region": "06", "category": "traiteur"}))

    heading = "Social economy enterprises: Catering and buffets, Montréal"
    assert f"<title>{heading} ·" in page
    assert f'<h1 id="directory-heading" tabindex="-1">{heading}</h1>' in page


def test_zero_results_offer_to_remove_each_filter(client):
    EnterpriseFactory(region=region("06"), legal_form=Enterprise.LegalForm.COOPERATIVE)
    EnterpriseFactory(region=region("03"), legal_form=Enterprise.LegalForm.MUTUAL)

    response = client.get("/en/repertoire/", {"region": "06", "legal_form": "mutual"})

    page = text(response)
    assert "No enterprise matches all these choices" in page
    assert [link["query"] for link in response.context["removal_links"]] == [
        "legal_form=mutual",
        "region=06",
    ]
    assert 'href="?legal_form=mutual"' in page
    assert 'href="?region=06"' in page


def test_zero_results_show_the_search_suggestion(client, monkeypatch):
    monkeypatch.setattr("enterprises.views.suggest", lambda q: "traiteur")

    page = text(client.get("/en/repertoire/", {"q": "traitteur"}))

    assert "Did you mean:" in page
    assert 'href="?q=traiteur"' in page


def test_listing_links_to_the_export_with_the_current_filters(client):
    EnterpriseFactory(region=region("06"))

    page = text(client.get(LISTING, {"region": "06", "page": "1"}))

    export = reverse("enterprises:export")
    assert f'href="{export}?format=csv&amp;region=06"' in page
    assert f'href="{export}?format=xlsx&amp;region=06"' in page


def test_page_size_and_pagination(client):
    EnterpriseFactory.create_batch(51)

    first = client.get(LISTING, {"per_page": "50"})
    last = client.get(LISTING, {"per_page": "50", "page": "2"})

    assert len(first.context["enterprises"]) == 50
    assert len(last.context["enterprises"]) == 1
    assert 'rel="next"' in text(first)
    assert client.get(LISTING, {"per_page": "50", "page": "3"}).status_code == 404


def test_listing_sorted_by_newest(client):
    older = EnterpriseFactory(name="Ancienne")
    newer = EnterpriseFactory(name="Nouvelle")
    Enterprise.objects.filter(pk=older.pk).update(published_at=newer.published_at.replace(year=2020))

    assert result_names(client.get(LISTING, {"sort": "newest"})) == ["Nouvelle", "Ancienne"]
    assert result_names(client.get(LISTING, {"sort": "name"})) == ["Ancienne", "Nouvelle"]


def test_htmx_request_gets_the_results_fragment_and_varies_on_it(client):
    EnterpriseFactory(name="Coop du Plateau", region=region("06"))

    full = client.get(LISTING, {"region": "06"})
    fragment = client.get(LISTING, {"region": "06"}, headers={"HX-Request": "true"})

    assert "<html" in text(full)
    assert "<html" not in text(fragment)
    assert "Coop du Plateau" in text(fragment)
    assert 'id="facets" hx-swap-oob="innerHTML"' in text(fragment)
    assert "HX-Request" in full["Vary"]
    assert "HX-Request" in fragment["Vary"]


def test_htmx_history_restore_gets_the_full_page(client):
    response = client.get(
        LISTING, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert "<html" in text(response)


def test_listing_works_without_javascript(client):
    page = text(client.get(LISTING))

    assert re.search(r'<form id="directory-form"[^>]*method="get" action="/repertoire/"', page)
    assert '<button class="primary" type="submit">' in page
    assert "onclick" not in page and "<script>" not in page


def test_listing_query_count_does_not_grow_with_the_page_size(
    client, django_assert_max_num_queries
):
    sector = Sector.objects.first()
    label = Label.objects.first()
    for number in range(100):
        enterprise = EnterpriseFactory(
            categories=[catering()], sectors=[sector], service_area=[region("13")]
        )
        if number % 2:
            EnterpriseLabel.objects.create(enterprise=enterprise, label=label)
    query = {"region": "06", "category": "alimentation", "sector": sector.slug}
    # The directory's revision; the directory index, which the tests build for every request
    # (published enterprises, service areas, categories, sectors, labels, then the category
    # tree, regions with their MRCs, sectors and labels): 9; the category tree for the category
    # filter; the page of results; its categories; the chosen category's procurement sheet (a
    # section of the programs app). From a built index, 9 go. The chosen region, category and
    # sector are checked against the index's lists, without a query.
    expected = 1 + 9 + 1 + 1 + 1 + 1
    with django_assert_max_num_queries(expected):
        small = client.get(LISTING, {**query, "per_page": "20"})
    with django_assert_max_num_queries(expected):
        large = client.get(LISTING, {**query, "per_page": "100"})
    # A text search ranked by relevance: the synonyms staff keep (search) and its matches with
    # their ranks, from the search index, instead of the category tree; the page fetched by id.
    with django_assert_max_num_queries(expected + 1):
        ranked = client.get(LISTING, {**query, "q": "traiteur", "per_page": "100"})

    assert len(small.context["enterprises"]) == 20
    assert len(large.context["enterprises"]) == 100
    assert len(ranked.context["enterprises"]) == 100


def test_a_chosen_filter_value_unknown_to_the_directory_is_reported_not_applied(client):
    EnterpriseFactory(name="Coop du port", region=region("06"), categories=[catering()])
    EnterpriseFactory(name="Atelier des îles", region=region("11"))

    response = client.get(LISTING, {"region": ["06", "99"], "category": "alimentation"})

    assert response.status_code == 200
    assert "99" in str(response.context["form"].errors["region"])
    # The region filter is left out; the valid category still applies.
    assert [e.name for e in response.context["enterprises"]] == ["Coop du port"]
    assert [c.slug for c in response.context["filterset"].active_filters["category"]] == [
        "alimentation"
    ]


# The enterprise page


def complete_enterprise():
    enterprise = EnterpriseFactory(
        name="Coop </script><script>alert(1)</script>",
        slug="coop-complete",
        neq="1164512345",
        description_fr="Repas & traiteur.",
        description_en="Meals & catering.",
        categories=[catering()],
        sectors=[Sector.objects.get(slug="agroalimentaire")],
        service_area=[region("13"), region("15")],
        address="1 rue Principale",
        city="Montréal",
        postal_code="H2X 1Y4",
        phone="+1 514-555-1234",
        email="info@example.org",
        website="https://coop.example.org",
        year_founded=1999,
        verification_status=Enterprise.Verification.VERIFIED,
        verified_on=date(2026, 3, 2),
    )
    EnterpriseLabel.objects.create(
        enterprise=enterprise,
        label=Label.objects.get(slug="entreprise-insertion"),
        awarded_on=date(2024, 5, 1),
        issuer="Collectif des entreprises d'insertion",
    )
    network = Network.objects.first()
    EnterpriseSource.objects.create(enterprise=enterprise, network=network, external_id="42")
    return enterprise


def test_enterprise_page_shows_every_public_field(client):
    enterprise = complete_enterprise()

    page = text(client.get("/en" + enterprise.get_absolute_url()))

    assert "Meals &amp; catering." in page
    assert "Catering and buffets" in page
    assert "Agri-food" in page
    assert "Laval" in page and "Laurentides" in page
    assert "Work integration social enterprise" in page
    assert "Collectif des entreprises d&#x27;insertion" in page and "May 1, 2024" in page
    assert 'href="tel:+1-514-555-1234"' in page
    assert 'href="https://coop.example.org"' in page
    assert "1164512345" in page
    assert Network.objects.first().name in page
    assert "March 2, 2026" in page
    assert '<meta property="og:title"' in page


def test_enterprise_page_names_a_renamed_source_network_at_once(client, settings):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600  # the page reads networks from the index
    enterprise = complete_enterprise()
    client.get(enterprise.get_absolute_url())
    network = Network.objects.first()
    network.name = "Réseau renommé"
    network.save()

    assert "Réseau renommé" in text(client.get(enterprise.get_absolute_url()))


def test_enterprise_page_and_card_name_a_renamed_municipality_at_once(client, settings):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600  # the page and the card are kept
    enterprise = EnterpriseFactory(name="Coop du bourg", municipality=municipality("Longueuil"))
    client.get(enterprise.get_absolute_url())
    client.get(LISTING)
    place = enterprise.municipality
    place.name = "Longueuil-la-Neuve"
    place.save()

    assert "Longueuil-la-Neuve" in text(client.get(enterprise.get_absolute_url()))
    assert "Longueuil-la-Neuve" in text(client.get(LISTING))


def test_enterprise_json_ld_cannot_close_its_script_element(client):
    enterprise = complete_enterprise()

    page = text(client.get(enterprise.get_absolute_url()))

    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1
    data = json.loads(scripts[0])
    assert data["@type"] == "Organization"
    assert data["name"] == enterprise.name
    assert data["telephone"] == "+1 514-555-1234"
    assert "<script>alert(1)" not in page


def test_website_without_http_is_not_a_link(client):
    enterprise = EnterpriseFactory()
    Enterprise.objects.filter(pk=enterprise.pk).update(website="javascript:alert(1)")

    page = text(client.get(enterprise.get_absolute_url()))

    assert enterprise.name in page
    assert "javascript:alert(1)" not in page


@pytest.mark.parametrize("status", [Enterprise.Status.DRAFT, Enterprise.Status.ARCHIVED])
def test_unpublished_enterprise_page_is_not_found(client, status):
    enterprise = EnterpriseFactory(status=status)

    assert client.get(enterprise.get_absolute_url()).status_code == 404


def test_enterprise_page_suggests_published_enterprises_with_the_same_products_nearby(client):
    enterprise = EnterpriseFactory(region=region("06"), categories=[catering()])
    EnterpriseFactory(name="Voisin traiteur", region=region("13"), service_area=[region("06")],
                      categories=[catering()])
    EnterpriseFactory(name="Brouillon traiteur", region=region("06"), categories=[catering()],
                      status=Enterprise.Status.DRAFT)
    EnterpriseFactory(name="Traiteur lointain", region=region("03"), categories=[catering()])

    response = client.get(enterprise.get_absolute_url())

    assert [other.name for other in response.context["similar"]] == ["Voisin traiteur"]


def test_a_text_search_lists_name_matches_before_description_matches(client):
    EnterpriseFactory(name="Atelier Rive-Sud", description_fr="Service de traiteur le midi.")
    EnterpriseFactory(name="Traiteur Rive-Nord", description_fr="Boîtes à lunch.")
    EnterpriseFactory(name="Traiteur brouillon", status=Enterprise.Status.DRAFT)

    first_page = client.get(LISTING, {"q": "traiteurs"})
    second_page = client.get(LISTING, {"q": "traiteurs", "per_page": "20", "page": "2"})

    assert result_names(first_page) == ["Traiteur Rive-Nord", "Atelier Rive-Sud"]
    assert first_page.context["total"] == 2
    assert second_page.status_code == 404


def test_enterprise_page_query_count_does_not_grow_with_what_it_lists(
    client, django_assert_max_num_queries
):
    enterprise = EnterpriseFactory(region=region("06"), categories=[catering()])
    awards = []
    for _ in range(3):
        awards.append(EnterpriseLabelFactory(enterprise=enterprise))
        EnterpriseSourceFactory(enterprise=enterprise)
        PurchaseFactory(enterprise=enterprise)
        EnterpriseFactory(region=region("06"), categories=[catering()])

    # The directory's revision; the enterprise with its municipality; whether its sections
    # have something to show; the ids of its categories, sectors, regions served, sources
    # and labels' awards; its buyers; the directory index, which the tests build for every
    # request: 9, and the networks it names; its neighbours.
    with django_assert_max_num_queries(1 + 1 + 1 + 1 + 1 + 9 + 1 + 1):
        response = client.get(enterprise.get_absolute_url())

    neighbours = [other.name for other in response.context["similar"]]
    assert len(neighbours) == 3 and neighbours == sorted(neighbours)  # by name
    assert all(award.label.name in text(response) for award in awards)


def test_enterprise_page_seen_before_in_this_revision_runs_one_query(
    client, settings, django_assert_num_queries
):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600
    enterprise = EnterpriseFactory(region=region("06"), categories=[catering()])
    client.get(EnterpriseFactory().get_absolute_url())  # builds the directory index

    # The directory's revision; the enterprise with its municipality; whether its sections
    # have something to show; the ids of its categories, sectors, regions served, sources
    # and labels' awards (the rows they name are the index's).
    with django_assert_num_queries(1 + 1 + 1 + 1):
        first = client.get(enterprise.get_absolute_url())
    # The directory's revision: the page is the one rendered for it.
    with django_assert_num_queries(1):
        again = client.get(enterprise.get_absolute_url())

    assert again.status_code == 200
    assert again.content == first.content


def test_enterprise_page_lists_its_relations_in_the_page_language_order(client):
    first, second = Sector.objects.order_by("name")[:2]
    enterprise = EnterpriseFactory(
        region=region("06"), sectors=[second, first], service_area=[region("13"), region("03")]
    )
    french = client.get(enterprise.get_absolute_url()).context
    english = client.get("/en" + enterprise.get_absolute_url()).context

    for context, language in ((french, "fr"), (english, "en")):
        with translation.override(language):
            for name in ("sectors", "service_area"):
                names = [row.localized_name for row in context[name]]
                assert names == sorted(names, key=fold), (language, name)
    assert {row.pk for row in french["service_area"]} == {region("13").pk, region("03").pk}


def test_a_section_registered_later_is_asked_about_each_enterprise(client, monkeypatch):
    monkeypatch.setattr(sections, "_sections", dict(sections._sections))
    labelled, bare = EnterpriseFactory(), EnterpriseFactory()
    EnterpriseLabelFactory(enterprise=labelled)
    client.get(bare.get_absolute_url())  # the sections' presence read with the ones known then

    sections.register_section(
        sections.ENTERPRISE_PAGE, "labels_held", "purchases/includes/enterprise_buyers.html",
        lambda enterprise, request: {
            "buyers": [{"name": "Section témoin", "purchase_count": 1}], "other_buyer_count": 0,
        },
        order=99,
        presence=Exists(EnterpriseLabel.objects.filter(enterprise=OuterRef("pk"))),
    )

    assert "Section témoin" in text(client.get(labelled.get_absolute_url()))
    assert "Section témoin" not in text(client.get(bare.get_absolute_url()))


def test_enterprise_page_seen_before_shows_an_edit_at_once(client, settings):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600
    enterprise = EnterpriseFactory(name="Coop du Plateau", region=region("06"))
    url = "/en" + enterprise.get_absolute_url()
    assert "Work integration social enterprise" not in text(client.get(url))

    enterprise.labels.add(Label.objects.get(slug="entreprise-insertion"))
    assert "Work integration social enterprise" in text(client.get(url))

    enterprise.name = "COOP DU PLATEAU-MONT-ROYAL"
    enterprise.save()
    assert "COOP DU PLATEAU-MONT-ROYAL" in text(client.get(url))


def test_enterprise_page_seen_before_in_french_is_rendered_again_in_english(client, settings):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600
    enterprise = EnterpriseFactory(name="Coop du Plateau", region=region("06"))

    french = text(client.get(enterprise.get_absolute_url()))
    english = text(client.get("/en" + enterprise.get_absolute_url()))

    assert "Produits et services" in french
    assert "Products and services" in english and "Produits et services" not in english


def test_enterprise_page_suggests_neighbours_under_their_current_names(client, settings):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600  # the page reads its neighbours from the index
    enterprise = EnterpriseFactory(region=region("06"), categories=[catering()])
    neighbour = EnterpriseFactory(name="Traiteur Alpha", region=region("06"),
                                  categories=[catering()])
    withdrawn = EnterpriseFactory(name="Traiteur Bêta", region=region("06"),
                                  categories=[catering()])
    assert "Traiteur Alpha" in text(client.get(enterprise.get_absolute_url()))

    neighbour.name = "Traiteur Gamma"
    neighbour.save()
    Enterprise.objects.filter(pk=withdrawn.pk).archive()

    page = text(client.get(enterprise.get_absolute_url()))
    assert "Traiteur Gamma" in page and neighbour.get_absolute_url() in page
    assert "Traiteur Alpha" not in page and "Traiteur Bêta" not in page


def test_enterprise_pages_suggest_four_neighbours_each_page_its_own(client):
    caterers = [
        EnterpriseFactory(name=f"Traiteur {n}", region=region("06"), categories=[catering()])
        for n in range(8)
    ]

    def suggested(enterprise):
        response = client.get(enterprise.get_absolute_url())
        return {other.name for other in response.context["similar"]}

    first, fifth = suggested(caterers[0]), suggested(caterers[4])
    assert len(first) == len(fifth) == 4
    assert "Traiteur 0" not in first and "Traiteur 4" not in fifth
    assert first != fifth


# Home, category, sector and region pages


def test_home_counts_published_enterprises_by_category_sector_and_region(client):
    EnterpriseFactory(categories=[catering()], sectors=[Sector.objects.get(slug="agroalimentaire")])
    EnterpriseFactory(categories=[catering()], status=Enterprise.Status.DRAFT)

    response = client.get("/en/")

    assert [(c["value"], c["count"]) for c in response.context["top_categories"]] == [
        ("alimentation", 1)
    ]
    assert [(s["value"], s["count"]) for s in response.context["sectors"]] == [
        ("agroalimentaire", 1)
    ]
    assert 'action="/en/repertoire/"' in text(response)


def test_category_page_lists_enterprises_offering_it_or_a_subcategory(client):
    EnterpriseFactory(name="Traiteur", region=region("06"), categories=[catering()])
    EnterpriseFactory(name="Traiteur de Québec", region=region("03"), categories=[catering()])
    EnterpriseFactory(name="Imprimerie", categories=[Category.objects.get(slug="imprimerie")])

    parent = client.get("/par-produit-et-service/alimentation/")
    in_montreal = client.get("/par-produit-et-service/alimentation/", {"region": "06"})

    assert result_names(parent) == ["Traiteur", "Traiteur de Québec"]
    assert result_names(in_montreal) == ["Traiteur"]
    assert ("traiteur", 2) in [(c["value"], c["count"]) for c in parent.context["subcategories"]]


def test_category_index_lists_the_tree(client):
    EnterpriseFactory(categories=[catering()])

    page = text(client.get("/par-produit-et-service/"))

    assert 'href="/par-produit-et-service/alimentation/"' in page
    assert 'href="/par-produit-et-service/traiteur/"' in page


def test_sector_and_region_pages_list_their_enterprises(client):
    sector = Sector.objects.get(slug="agroalimentaire")
    EnterpriseFactory(name="Ferme", region=region("03"), sectors=[sector])
    EnterpriseFactory(name="Atelier", region=region("06"), service_area=[region("03")])

    assert result_names(client.get(f"/secteurs/{sector.slug}/")) == ["Ferme"]
    capitale = Region.objects.get(code="03")
    assert result_names(client.get(f"/regions/{capitale.slug}/")) == ["Atelier", "Ferme"]


@pytest.mark.parametrize(
    "url", ["/par-produit-et-service/inconnue/", "/secteurs/inconnu/", "/regions/inconnue/"]
)
def test_unknown_category_sector_or_region_is_not_found(client, url):
    assert client.get(url).status_code == 404


def test_the_mrcs_an_enterprise_serves_show_on_its_kept_page_as_soon_as_they_change(
    client, settings
):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600
    enterprise = EnterpriseFactory(region=region("06"))
    client.get(enterprise.get_absolute_url())  # the page is kept for this revision
    served = Mrc.objects.order_by("name").first()

    enterprise.mrcs_served.set([served])

    assert served.name in client.get(enterprise.get_absolute_url()).content.decode()
