"""Procurement sheets: the staff's advice, and the live lists read from the directory."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from enterprises.models import Category, Enterprise
from programs.models import ProcurementSheet
from purchases.models import Purchase
from tests.factories import (
    EnterpriseFactory,
    MemberOrganizationFactory,
    ProcurementSheetFactory,
    PurchaseFactory,
    region,
)

pytestmark = pytest.mark.django_db


def category(slug):
    return Category.objects.get(slug=slug)


def text(response):
    return response.content.decode()


@pytest.fixture
def food_sheet():
    """A sheet for the top-level « alimentation », whose children include « traiteur »."""
    return ProcurementSheetFactory(
        category=category("alimentation"), slug="alimentation", title="Alimentation",
        title_en="Food",
    )


def listed_names(response):
    return {
        enterprise.name
        for group in response.context["regions"]
        for enterprise in group["enterprises"]
    }


# The live enterprise list


def test_sheet_lists_published_enterprises_of_the_category_and_its_descendants(client, food_sheet):
    EnterpriseFactory(name="Traiteur publié", categories=[category("traiteur")])
    EnterpriseFactory(name="Boulangerie publiée", categories=[category("boulangerie-patisserie")])
    EnterpriseFactory(name="Alimentation directe", categories=[category("alimentation")])
    EnterpriseFactory(
        name="Traiteur brouillon", categories=[category("traiteur")],
        status=Enterprise.Status.DRAFT,
    )
    EnterpriseFactory(
        name="Traiteur archivé", categories=[category("traiteur")],
        status=Enterprise.Status.ARCHIVED,
    )
    EnterpriseFactory(name="Imprimeur", categories=[category("imprimerie")])

    response = client.get(food_sheet.get_absolute_url())

    assert response.status_code == 200
    assert listed_names(response) == {
        "Traiteur publié", "Boulangerie publiée", "Alimentation directe",
    }
    page = text(response)
    assert "Traiteur brouillon" not in page and "Imprimeur" not in page


def test_sheet_groups_enterprises_by_region_in_region_code_order(client, food_sheet):
    EnterpriseFactory(name="Zeste", region=region("06"), categories=[category("traiteur")])
    EnterpriseFactory(name="Arôme", region=region("06"), categories=[category("traiteur")])
    EnterpriseFactory(name="Boréal", region=region("02"), categories=[category("traiteur")])

    response = client.get(food_sheet.get_absolute_url())

    groups = [
        (group["region"].code, group["total"], [e.name for e in group["enterprises"]])
        for group in response.context["regions"]
    ]
    assert groups == [("02", 1, ["Boréal"]), ("06", 2, ["Arôme", "Zeste"])]
    page = text(response)
    assert page.index("Boréal") < page.index("Arôme") < page.index("Zeste")


def test_a_crowded_region_shows_its_first_enterprises_and_links_to_the_rest(
    client, food_sheet, monkeypatch
):
    monkeypatch.setattr(ProcurementSheet, "ENTERPRISES_PER_REGION", 2)
    for name in ("Delta", "Alpha", "Charlie", "Bravo"):
        EnterpriseFactory(name=name, region=region("06"), categories=[category("traiteur")])

    response = client.get(food_sheet.get_absolute_url())

    [group] = response.context["regions"]
    assert [e.name for e in group["enterprises"]] == ["Alpha", "Bravo"]
    assert group["total"] == 4
    assert "/par-produit-et-service/alimentation/?region=06" in text(response)


def test_sheet_says_so_when_no_enterprise_offers_it(client, food_sheet):
    response = client.get(food_sheet.get_absolute_url())

    assert response.context["regions"] == []
    assert 'class="sheet-region"' not in text(response)


# The purchases


def test_sheet_lists_only_validated_published_purchases_of_its_categories(client, food_sheet):
    buyer = MemberOrganizationFactory(name="Ville de Démonstration")
    PurchaseFactory(organization=buyer, description="visible", supplier_name="",
                    enterprise=EnterpriseFactory(name="Cuisine visible"))
    PurchaseFactory(organization=buyer, consent_to_publish=False,
                    enterprise=EnterpriseFactory(name="Cuisine discrète"))
    PurchaseFactory(organization=buyer, status=Purchase.Status.SUBMITTED,
                    enterprise=EnterpriseFactory(name="Cuisine en attente"))
    PurchaseFactory(organization=buyer, category=category("imprimerie"),
                    enterprise=EnterpriseFactory(name="Imprimerie ailleurs"))

    response = client.get(food_sheet.get_absolute_url())

    suppliers = [purchase.enterprise.name for purchase in response.context["purchases"]]
    assert suppliers == ["Cuisine visible"]
    assert response.context["purchase_totals"]["count"] == 1
    page = text(response)
    assert "Cuisine discrète" not in page and "Cuisine en attente" not in page


def test_sheet_page_takes_a_fixed_number_of_queries(
    client, food_sheet, django_assert_max_num_queries
):
    for code in ("01", "02", "06", "13"):
        for _number in range(5):
            enterprise = EnterpriseFactory(
                region=region(code), categories=[category("traiteur")]
            )
            PurchaseFactory(enterprise=enterprise)
    # The sheet and its category; the category tree for the enterprises; the enterprises with
    # their region and per-region rank and total (one windowed query); the category tree for
    # the purchases; the purchases' count and total; the latest purchases with their buyer
    # and supplier.
    with django_assert_max_num_queries(6):
        response = client.get(food_sheet.get_absolute_url())

    assert len(response.context["regions"]) == 4


# Publication, languages and printing


def test_unpublished_and_unknown_sheets_are_not_found(client):
    draft = ProcurementSheetFactory(is_published=False)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/fiches/cette-fiche-n-existe-pas/").status_code == 404
    assert client.get(reverse("programs:sheet_index")).context["sheets"].count() == 0


def test_staff_preview_an_unpublished_sheet(staff_client):
    draft = ProcurementSheetFactory(is_published=False)

    response = staff_client.get(draft.get_absolute_url())

    assert response.status_code == 200
    assert "unpublished-notice" in text(response)


def test_english_sheet_shows_the_english_texts_under_en(client, food_sheet):
    with translation.override("en"):
        url = food_sheet.get_absolute_url()

    response = client.get(url)

    assert url == "/en/fiches/alimentation/"
    page = text(response)
    assert "<h1>Food</h1>" in page and "The market in brief." in page
    # Missing English text falls back to the French one.
    assert "Le prestataire reprend la vaisselle." in page


def test_sheet_links_the_print_stylesheet(client, food_sheet):
    page = text(client.get(food_sheet.get_absolute_url()))

    [href] = re.findall(r'<link rel="stylesheet" href="([^"]*programs\.css)"', page)
    stylesheet = (Path(settings.BASE_DIR) / "static" / "css" / "programs.css").read_text()
    print_rules = stylesheet.split("@media print", 1)[1]
    assert href == "/static/css/programs.css"
    assert ".site-header" in print_rules and "form" in print_rules
    assert 'attr(href)' in print_rules
    assert "style=" not in page  # the CSP forbids inline styles


def top_level_rules(stylesheet):
    """(selectors, declarations) of each rule outside any @media block, which therefore holds
    on screen and on paper."""
    stylesheet = re.sub(r"/\*.*?\*/", "", stylesheet, flags=re.S)
    rules, depth, start = [], 0, 0
    for position, character in enumerate(stylesheet):
        if character == "{":
            if depth == 0:
                head, start = stylesheet[start:position].strip(), position + 1
            depth += 1
        elif character == "}":
            depth -= 1
            if depth == 0:
                if not head.startswith("@"):
                    selectors = {selector.strip() for selector in head.split(",")}
                    rules.append((selectors, stylesheet[start:position]))
                start = position + 1
    return rules


def test_a_sheet_never_splits_an_enterprise_across_two_columns_on_screen_or_paper(
    client, food_sheet
):
    EnterpriseFactory(name="Traiteur publié", city="Longueuil", categories=[category("traiteur")])
    page = text(client.get(food_sheet.get_absolute_url()))
    rules = top_level_rules(
        (Path(settings.BASE_DIR) / "static" / "css" / "programs.css").read_text()
    )

    # Each enterprise is one item of the two-column list: its name, town and phone.
    assert re.search(r'<ul class="sheet-enterprises">\s*<li><a [^>]*>Traiteur publié</a> · '
                     r"Longueuil", page)
    assert any(".sheet-enterprises" in selectors and re.search(r"\bcolumns:", declarations)
               for selectors, declarations in rules)
    assert any(".sheet-enterprises li" in selectors
               and re.search(r"break-inside:\s*avoid\b", declarations)
               for selectors, declarations in rules)


def test_sheet_index_lists_published_sheets_only(client, food_sheet):
    ProcurementSheetFactory(category=category("imprimerie"), title="Brouillon",
                            is_published=False)

    page = text(client.get(reverse("programs:sheet_index")))

    assert food_sheet.get_absolute_url() in page and "Brouillon" not in page


# Links from the directory


def test_category_page_links_its_published_sheet(client, food_sheet):
    ProcurementSheetFactory(category=category("imprimerie"), slug="impression-brouillon",
                            is_published=False)

    food = text(client.get(reverse("enterprises:category", args=["alimentation"])))
    printing = text(client.get(reverse("enterprises:category", args=["imprimerie"])))

    assert 'href="/fiches/alimentation/"' in food
    assert "impression-brouillon" not in printing


def test_directory_results_link_the_sheets_of_the_chosen_categories(client, food_sheet):
    EnterpriseFactory(categories=[category("traiteur")])

    filtered = text(client.get("/repertoire/", {"category": "alimentation"}))
    unfiltered = text(client.get("/repertoire/"))
    fragment = text(client.get(
        "/repertoire/", {"category": "alimentation"}, headers={"HX-Request": "true"}
    ))

    assert 'href="/fiches/alimentation/"' in filtered
    assert 'href="/fiches/alimentation/"' in fragment
    assert "/fiches/alimentation/" not in unfiltered.replace('href="/fiches/"', "")


def test_linking_the_sheet_adds_no_query_to_the_category_page(client):
    url = reverse("enterprises:category", args=["alimentation"])
    with CaptureQueriesContext(connection) as without_sheet:
        client.get(url)
    ProcurementSheetFactory(category=category("alimentation"))
    with CaptureQueriesContext(connection) as with_sheet:
        page = text(client.get(url))

    assert 'href="/fiches/' in page
    assert len(with_sheet) == len(without_sheet)


def test_sheet_index_groups_sheets_under_their_top_level_category_in_one_query(
    client, food_sheet, django_assert_num_queries
):
    ProcurementSheetFactory(category=category("traiteur"), title="Traiteur")
    ProcurementSheetFactory(category=category("imprimerie"), title="Imprimerie")

    with django_assert_num_queries(1):  # the sheets with their category and its parent
        page = text(client.get(reverse("programs:sheet_index")))

    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings == ["Alimentation et restauration", "Impression et communications"]
    assert page.index("Alimentation</a>") < page.index("Traiteur</a>") < page.index(
        "Imprimerie</a>"
    )
