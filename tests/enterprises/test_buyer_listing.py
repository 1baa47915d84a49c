"""What a buyer sees on the listing and the profiles: filter lists led by the chosen and the
largest values, removable chips for the active filters, the verified badge and filter, the
profile's dates and sources, and lists in the page's language (server side; the browser tests
cover phones, focus and live updates)."""

import html
import re
from datetime import date

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from enterprises.models import Category, Enterprise, Sector
from enterprises.views import FACET_LEAD
from tests.factories import (
    EnterpriseFactory,
    EnterpriseSourceFactory,
    MemberOrganizationFactory,
    NetworkFactory,
    region,
)

pytestmark = pytest.mark.django_db

LISTING = "/repertoire/"
VERIFIED = Enterprise.Verification.VERIFIED


def text(response):
    """The page, its no-break spaces (French typography) read as spaces."""
    return response.content.decode().replace("\xa0", " ")


def facet(response, name):
    """The values of a filter list as the page shows them: ``(first, behind "show all")``."""
    block = re.search(
        rf'<fieldset class="facet" id="facet-{name}">(.*?)</fieldset>', text(response), re.S
    ).group(1)
    first, _, more = block.partition("<details")
    values = rf'name="{name}" value="([^"]+)"'
    return re.findall(values, first), re.findall(values, more)


def labels(response, name):
    block = re.search(
        rf'<fieldset class="facet" id="facet-{name}">(.*?)</fieldset>', text(response), re.S
    ).group(1)
    return [label.strip() for label in re.findall(r'<label for="[^"]+">([^<]+)<', block)]


def test_a_long_filter_list_shows_the_chosen_then_the_largest_and_the_rest_behind_show_all(
    client,
):
    # Regions 01 to 12: region NN holds NN enterprises, so the largest are 12, 11, 10…
    codes = [f"{number:02d}" for number in range(1, 13)]
    for number, code in enumerate(codes, start=1):
        EnterpriseFactory.create_batch(number, region=region(code))

    response = client.get(LISTING, {"region": "01"})

    first, more = facet(response, "region")
    assert first == ["01", "12", "11", "10", "09", "08", "07", "06", "05"]
    assert len(first) == 1 + FACET_LEAD
    assert set(more) == {"02", "03", "04"}
    page = text(response)
    assert "Tout afficher (12)" in page
    # No inner scrolling box hides a chosen value: it is listed first, checked.
    assert re.search(r'<ul class="facet-list">\s*<li>\s*<input type="checkbox" name="region" '
                     r'value="01" id="facet-region-01" checked>', page)


def test_a_short_filter_list_shows_every_value_in_the_pages_language_order(client):
    for slug in ("habitation", "fabrication", "medias"):
        EnterpriseFactory(sectors=[Sector.objects.get(slug=slug)])

    english, french = client.get("/en" + LISTING), client.get(LISTING)

    assert facet(english, "sector")[1] == [] and facet(french, "sector")[1] == []
    assert labels(english, "sector") == ["Community media", "Housing", "Manufacturing"]
    assert labels(french, "sector") == [
        "Fabrication et transformation", "Habitation", "Médias communautaires"
    ]


def test_the_category_index_sorts_accented_names_among_their_letter(client):
    for slug in ("evenements-culture", "impression"):
        EnterpriseFactory(categories=[Category.objects.get(slug=slug).children.first()])

    page = text(client.get(reverse("enterprises:category_index")))

    assert page.index("Événements, culture et loisirs") < page.index("Impression et communic")


def test_the_categories_list_gets_a_box_to_narrow_it(client):
    leaves = Category.objects.filter(children__isnull=True).order_by("pk")[:25]
    for category in leaves:
        EnterpriseFactory(categories=[category])

    page = text(client.get(LISTING))

    assert 'data-facet-filter' in page
    assert page.count("data-facet-filter") == 1  # the short lists need none


def test_each_active_filter_is_a_chip_linking_to_the_results_without_it(client):
    catering = Category.objects.get(slug="traiteur")
    EnterpriseFactory(name="Traiteur de Montréal", region=region("06"), categories=[catering])
    EnterpriseFactory(name="Traiteur de Laval", region=region("13"), categories=[catering])

    response = client.get(LISTING, {"q": "traiteur", "region": ["06", "13"], "page": "1"})

    chips = {chip["value"]: chip["query"] for chip in response.context["chips"]}
    assert chips == {
        "traiteur": "region=06&region=13",
        "Montréal": "q=traiteur&region=13",
        "Laval": "q=traiteur&region=06",
    }
    page = text(response)
    assert '<a class="chip" href="?q=traiteur&amp;region=13">' in page
    assert "Région : Montréal" in page
    # The button that opens the filters on a phone counts the two regions, not the text.
    assert response.context["filter_count"] == 2
    assert '<span id="filter-count">(2)' in page


def test_a_chip_leaves_out_the_empty_fields_a_submitted_form_sends(client):
    EnterpriseFactory(region=region("06"))

    response = client.get(LISTING, {"q": "", "region": "06", "sort": "name", "page": "1"})

    assert [chip["query"] for chip in response.context["chips"]] == ["sort=name"]


def test_no_chip_without_filters(client):
    EnterpriseFactory()

    response = client.get(LISTING)

    assert response.context["chips"] == []
    assert 'class="chips"' not in text(response)


def test_verified_enterprises_carry_a_dated_badge_and_can_be_chosen_alone(client):
    EnterpriseFactory(name="Vérifiée", verification_status=VERIFIED, verified_on=date(2026, 3, 12))
    EnterpriseFactory(name="À revoir", verification_status=Enterprise.Verification.NEEDS_REVIEW)
    EnterpriseFactory(name="Jamais vue")

    everyone = client.get(LISTING)
    verified = client.get(LISTING, {"verification": "verified"})

    assert facet(everyone, "verification") == (["verified"], [])
    assert labels(everyone, "verification") == ["Vérifiée par le réseau"]
    assert re.search(r'Vérifiée par le réseau <span class="facet-count"><span aria-hidden="true">'
                     r'1</span>', text(everyone))
    assert [e.name for e in verified.context["enterprises"]] == ["Vérifiée"]
    assert "Vérifiée par le réseau le 12 mars 2026" in text(everyone)
    assert text(everyone).count('class="badge-verified"') == 1


def test_internal_review_states_never_show_in_public(client):
    for state in (Enterprise.Verification.UNVERIFIED, Enterprise.Verification.NEEDS_REVIEW):
        enterprise = EnterpriseFactory(verification_status=state)
        for page in (client.get(enterprise.get_absolute_url()), client.get(LISTING)):
            content = text(page)
            assert "Non vérifiée" not in content and "À réviser" not in content
            assert "badge-verified" not in content
    # Asking for them by URL is refused like any unknown choice, with a message.
    response = client.get(LISTING, {"verification": "needs_review"})
    assert "verification" in response.context["form"].errors


def test_the_profile_says_who_listed_it_when_it_was_verified_confirmed_and_updated(client):
    enterprise = EnterpriseFactory(
        verification_status=VERIFIED, verified_on=date(2026, 3, 12), confirmed_on=date(2026, 5, 2)
    )
    network = NetworkFactory(name="CESIM", directory_url="https://cesim.example.org/repertoire")
    EnterpriseSourceFactory(enterprise=enterprise, network=network)
    EnterpriseSourceFactory(enterprise=enterprise, network=NetworkFactory(name="Sans site",
                                                                         website=""))

    page = text(client.get(enterprise.get_absolute_url()))
    english = text(client.get("/en" + enterprise.get_absolute_url()))

    assert '<a href="https://cesim.example.org/repertoire" rel="noopener">CESIM</a>' in page
    assert "Sans site" in page and 'href="">' not in page
    assert "Vérifiée par le réseau le</dt>\n          <dd>12 mars 2026" in page
    assert "Confirmée par l'entreprise le</dt>\n          <dd>2 mai 2026" in page
    assert "Dernière mise à jour le" in page
    assert "Confirmed by the enterprise on</dt>\n          <dd>May 2, 2026" in english


def test_the_profile_shows_no_confirmation_date_the_enterprise_never_gave(client):
    enterprise = EnterpriseFactory()

    page = text(client.get(enterprise.get_absolute_url()))

    assert "Confirmée par l'entreprise" not in page
    assert "Vérifiée par le réseau" not in page


def test_a_count_reads_one_result_not_one_results(client):
    EnterpriseFactory(region=region("06"))

    page = text(client.get(LISTING))
    english = text(client.get("/en" + LISTING))

    assert "1 résultats" not in page and "1 résultat<" in page
    assert "1 entreprise trouvée" in page
    assert "1 results" not in english and "1 result<" in english


def test_a_region_without_enterprises_is_named_but_not_linked(client):
    EnterpriseFactory(region=region("06"))

    page = text(client.get(reverse("enterprises:home")))

    assert 'href="/regions/montreal/"' in page or "/montreal/" in page
    nord = region("10")
    assert nord.localized_name in page
    assert f'/{nord.slug}/"' not in page


def test_the_category_index_links_only_categories_with_enterprises(client):
    catering = Category.objects.get(slug="traiteur")
    EnterpriseFactory(categories=[catering])

    page = text(client.get(reverse("enterprises:category_index")))

    assert reverse("enterprises:category", args=["traiteur"]) in page
    assert reverse("enterprises:category", args=["imprimerie"]) not in page


def test_every_page_links_the_footer_pages_and_the_icons(client):
    page = text(client.get(reverse("enterprises:home")))

    for slug in ("a-propos", "contact", "accessibilite", "confidentialite"):
        assert f'href="/pages/{slug}/"' in page
        assert client.get(f"/pages/{slug}/").status_code == 200
        assert client.get(f"/en/pages/{slug}/").status_code == 200
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert 'rel="apple-touch-icon"' in page
    # « À propos » moved to the footer: no pill for it among the home page's programs.
    assert 'class="chip-list"><li><a href="/pages/a-propos/"' not in page


def test_messages_are_a_status_region_holding_a_list(rf):
    page = render_to_string("base.html", {"messages": ["Fiche enregistrée."]}, rf.get("/"))

    assert re.search(r'<div class="messages" role="status">\s*<ul>\s*<li class="message '
                     r'message-">Fiche enregistrée.</li>', page)


def test_the_signatories_page_counts_searches_and_names_regions(client, django_assert_num_queries):
    MemberOrganizationFactory(name="Ville de Québec", region=region("03"),
                              declaration_signed_on="2024-02-01")
    MemberOrganizationFactory(name="Ville de Montréal", region=region("06"),
                              declaration_signed_on="2024-03-01")
    MemberOrganizationFactory(name="Ville de Laval", region=region("13"))  # not a signatory

    # The signatories with their region; the capsules section (programs app): 2.
    with django_assert_num_queries(2):
        everyone = text(client.get(reverse("purchases:declaration")))
    found = text(client.get(reverse("purchases:declaration"), {"q": "quebec"}))

    assert "2 organisations ont signé la déclaration" in everyone
    assert "Capitale-Nationale" in everyone and "03 Capitale" not in everyone
    assert "Écrivez-nous pour signer la déclaration" in everyone
    assert "Ville de Québec" in found and "Ville de Montréal" not in found
    assert "1 signataire correspond à « quebec »." in found


def test_the_profile_lists_its_sectors_and_regions_in_the_pages_language_order(client):
    enterprise = EnterpriseFactory(
        sectors=[Sector.objects.get(slug=slug) for slug in ("habitation", "fabrication", "medias")]
    )

    path = enterprise.get_absolute_url()  # reversed before a request activates English

    english = text(client.get("/en" + path))
    french = text(client.get(path))

    assert english.index("Community media") < english.index("Housing") < english.index(
        "Manufacturing"
    )
    assert french.index("Fabrication et") < french.index("Habitation") < french.index(
        "Médias communautaires"
    )


def test_english_pages_quote_the_declaration_with_english_quotation_marks(client):
    english = html.unescape(text(client.get("/en/pages/pourquoi-acheter-economie-sociale/")))
    french = html.unescape(text(client.get("/pages/pourquoi-acheter-economie-sociale/")))

    assert "“J'achète!” signatories" in english
    assert "the “L'économie sociale, j'achète!” declaration" in english
    assert "«" not in english.split("<main")[1]
    # French spacing inside the quotes and before "!" (no-break spaces, read as spaces).
    assert "Signataires de « J'achète ! »" in french
    assert "la déclaration « L'économie sociale, j'achète! »" in french
