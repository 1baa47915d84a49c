"""The public repertory: its statistics equal the validated, published purchases exactly."""

import csv
import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import translation

from enterprises.models import Category, Region, Sector
from purchases.models import MemberOrganization, Purchase, PurchaseSummary
from purchases.stats import RepertoryStatistics
from tests.factories import EnterpriseFactory, MemberOrganizationFactory, PurchaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def purchases():
    """Purchases across sectors, categories, years, regions and kinds, published or not."""
    food, culture = Sector.objects.order_by("pk")[:2]
    catering = Category.objects.get(slug="traiteur")
    other_category = Category.objects.exclude(pk=catering.pk).order_by("pk").first()
    city = MemberOrganizationFactory(region=Region.objects.get(code="06"))
    university = MemberOrganizationFactory(
        kind=MemberOrganization.Kind.UNIVERSITY, region=Region.objects.get(code="03")
    )
    both_sectors = EnterpriseFactory(sectors=[food, culture])
    food_only = EnterpriseFactory(sectors=[food])
    no_sector = EnterpriseFactory()
    rows = [
        (city, both_sectors, catering, "12000", datetime.date(2024, 3, 1), "validated", True),
        (city, food_only, other_category, "40000", datetime.date(2024, 6, 1), "validated", True),
        (university, food_only, catering, "150000", datetime.date(2025, 1, 5), "validated", True),
        (university, no_sector, catering, "900", datetime.date(2025, 2, 5), "validated", True),
        (university, None, catering, "5000", datetime.date(2025, 2, 7), "validated", True),
        (city, both_sectors, catering, "7000", datetime.date(2025, 3, 1), "validated", False),
        (city, both_sectors, catering, "8000", datetime.date(2025, 3, 1), "submitted", True),
    ]
    for organization, enterprise, category, amount, day, status, consent in rows:
        PurchaseFactory(
            organization=organization, enterprise=enterprise, category=category,
            supplier_name="" if enterprise else "Fournisseur hors répertoire",
            amount=Decimal(amount), award_date=day, status=status, consent_to_publish=consent,
        )
    return {"food": food, "culture": culture, "catering": catering, "city": city,
            "university": university}


def expected(purchases):
    figures = purchases.aggregate(count=Count("pk"), total=Sum("amount"))
    return figures["count"], figures["total"] or Decimal("0")


FILTER_CASES = [
    {},
    {"year": 2025},
    {"bracket": "small"},
    {"member_kind": "university"},
    {"region": "03"},
    {"sector": "food"},
    {"category": "catering"},
    {"category": "catering", "sector": "food", "year": 2024},
]


@pytest.mark.parametrize("filters", FILTER_CASES)
def test_statistics_equal_the_published_purchases(purchases, filters):
    resolved = {
        name: purchases[value] if name in ("sector", "category") else (
            Region.objects.get(code=value) if name == "region" else value)
        for name, value in filters.items()
    }
    statistics = RepertoryStatistics(**resolved)
    published = Purchase.objects.published()
    if "sector" in resolved:
        published = published.filter(enterprise__sectors=resolved["sector"])
    if "category" in resolved:
        published = published.filter(category=resolved["category"])
    if "year" in resolved:
        published = published.filter(award_date__year=resolved["year"])
    if "bracket" in resolved:
        published = published.filter(contract_size_bracket=resolved["bracket"])
    if "member_kind" in resolved:
        published = published.filter(organization__kind=resolved["member_kind"])
    if "region" in resolved:
        published = published.filter(organization__region=resolved["region"])

    assert (statistics.total.count, statistics.total.total) == expected(published)
    for line in statistics.by_bracket:
        assert (line.count, line.total) == expected(
            published.filter(contract_size_bracket=line.key)
        )
    for line in statistics.by_year:
        assert (line.count, line.total) == expected(published.filter(award_date__year=line.key))
    sectors = {sector.localized_name: sector for sector in Sector.objects.all()}
    for row in statistics.by_sector:
        assert (row.count, row.total) == expected(
            published.filter(enterprise__sectors=sectors[row.label])
        )


def test_food_sector_counts_a_purchase_from_an_enterprise_in_two_sectors(purchases):
    rows = {row.label: row for row in RepertoryStatistics().by_sector}
    assert rows[purchases["food"].localized_name].total == Decimal("202000")
    assert rows[purchases["culture"].localized_name].total == Decimal("12000")


def test_summary_follows_a_validation_and_a_withdrawal_of_consent(purchases):
    before = RepertoryStatistics().total.total
    submitted = Purchase.objects.get(status="submitted")
    submitted.status = Purchase.Status.VALIDATED
    submitted.save()
    assert RepertoryStatistics().total.total == before + Decimal("8000")
    submitted.consent_to_publish = False
    submitted.save()
    assert RepertoryStatistics().total.total == before


def test_staff_rejecting_published_purchases_in_bulk_takes_them_out_of_the_repertory(purchases):
    rejected = Purchase.objects.published().order_by("-amount").first()
    before = RepertoryStatistics().total.total

    Purchase.objects.filter(pk=rejected.pk).reject("Fournisseur hors de l'économie sociale")

    assert RepertoryStatistics().total.total == before - rejected.amount


def test_summary_follows_a_change_of_the_enterprise_sectors(purchases):
    enterprise = Purchase.objects.get(amount=Decimal("900")).enterprise
    enterprise.sectors.add(purchases["culture"])
    rows = {row.label: row for row in RepertoryStatistics().by_sector}
    assert rows[purchases["culture"].localized_name].total == Decimal("12900")


def test_rebuilt_summary_equals_the_one_kept_on_write(purchases):
    kept = sorted(PurchaseSummary.objects.values_list(
        "year", "region", "member_kind", "contract_size_bracket", "sector", "category",
        "purchase_count",
        "total_amount",
    ), key=str)
    PurchaseSummary.objects.rebuild()
    rebuilt = sorted(PurchaseSummary.objects.values_list(
        "year", "region", "member_kind", "contract_size_bracket", "sector", "category",
        "purchase_count",
        "total_amount",
    ), key=str)
    assert kept == rebuilt


def test_repertory_page_filters_and_shows_the_sector_table(client, purchases,
                                                          django_assert_num_queries):
    cache.clear()
    # Sectors, categories and regions for the filter selects; summary rows by year and bracket,
    # by sector and bracket; sector names; open requests for quotes by category and by region
    # (procurement's section).
    with django_assert_num_queries(8):
        response = client.get(reverse("purchases:repertory"), {"year": "2025"})
        content = response.content.decode()
    # The rendered filters are cached: the statistics are counted afresh.
    with django_assert_num_queries(5):
        again = client.get(reverse("purchases:repertory"), {"year": "2025"})
    assert 'name="sector"' in again.text
    assert again.context["statistics"].total.total == Decimal("155900")
    assert response.status_code == 200
    assert response.context["statistics"].total.total == Decimal("155900")
    assert purchases["food"].localized_name in content


def test_unknown_filter_values_are_ignored(client, purchases):
    response = client.get(reverse("purchases:repertory"), {"year": "abc", "sector": "nope"})
    assert response.status_code == 200
    assert response.context["statistics"].total.count == 5


def test_repertory_csv_export_lists_the_filtered_published_purchases(client, purchases):
    response = client.get(reverse("purchases:repertory_export"), {"member_kind": "university"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 3


def test_enterprise_page_lists_its_buyers_from_published_purchases(
    client, purchases, settings, django_assert_max_num_queries
):
    settings.DIRECTORY_FACETS_CACHE_SECONDS = 600
    enterprise = Purchase.objects.get(amount=Decimal("12000")).enterprise
    client.get(EnterpriseFactory().get_absolute_url())  # builds the directory index
    # The directory's revision; the enterprise with its place and whether it has buyers or
    # capsules; its categories, sectors, regions served, labels' awards and sources; its
    # purchases counted by buyer, with their names.
    with django_assert_max_num_queries(1 + 1 + 5 + 1), translation.override("fr"):
        html = client.get(enterprise.get_absolute_url()).text
    assert purchases["city"].name in html
    assert "(1 achat)" in html  # the unpublished 7 000 $ and the submitted 8 000 $ are left out


def test_enterprise_page_shows_its_buyers_only_when_it_has_published_purchases(client, purchases):
    bought_from = Purchase.objects.get(amount=Decimal("12000")).enterprise
    # Its only purchase is submitted, not validated: nothing to show.
    unpublished_only = EnterpriseFactory()
    PurchaseFactory(enterprise=unpublished_only, organization=purchases["city"],
                    status="submitted", consent_to_publish=True)

    with translation.override("fr"):
        shown = client.get(bought_from.get_absolute_url()).text
        hidden = client.get(unpublished_only.get_absolute_url()).text

    assert purchases["city"].name in shown and "(1 achat)" in shown
    assert purchases["city"].name not in hidden


def test_enterprise_page_names_its_ten_most_frequent_buyers_and_counts_the_others(client):
    enterprise = EnterpriseFactory()
    frequent = MemberOrganizationFactory(name="Ville de Québec")
    PurchaseFactory.create_batch(3, enterprise=enterprise, organization=frequent)
    for buyer in MemberOrganizationFactory.create_batch(11):
        PurchaseFactory(enterprise=enterprise, organization=buyer)

    with translation.override("fr"):
        page = client.get(enterprise.get_absolute_url()).text

    buyers = page[page.index("Organisations ayant acheté"):]
    assert buyers.index("Ville de Québec") < buyers.index("(1 achat)")
    assert "(3 achats)" in buyers and buyers.count("(1 achat)") == 9
    assert "Et 2 autres organisations." in buyers


def test_declaration_page_groups_signatories_by_kind(client):
    MemberOrganizationFactory(
        name="Ville de Lévis", declaration_signed_on=datetime.date(2023, 5, 1),
        preferential_margin_percent=Decimal("10"), declaration_commitments="Marge de 10 %",
    )
    MemberOrganizationFactory(name="Pas signataire")
    response = client.get(reverse("purchases:declaration"))
    assert "Ville de Lévis" in response.text
    assert "Pas signataire" not in response.text
    assert "Municipality" in response.text or "Municipalité" in response.text


def test_the_declaration_shows_the_commitments_in_english_on_english_pages(client):
    MemberOrganizationFactory(
        name="Ville de Lévis", declaration_signed_on=datetime.date(2023, 5, 1),
        declaration_commitments="Inviter une entreprise d'économie sociale à chaque appel.",
        declaration_commitments_en="Invite a social economy enterprise to every call.",
    )
    MemberOrganizationFactory(
        name="Ville de Laval", declaration_signed_on=datetime.date(2023, 6, 1),
        declaration_commitments="Rendre compte chaque année de ses achats.",
    )
    with translation.override("en"):
        english = client.get(reverse("purchases:declaration")).text
    french = client.get(reverse("purchases:declaration")).text

    assert '<div class="commitments" lang="en"><p>Invite a social economy' in english
    assert "Inviter une entreprise" not in english
    # Without an English text, the French one is shown, marked so that it is read as French.
    assert '<div class="commitments" lang="fr"><p>Rendre compte chaque année' in english
    assert "Inviter une entreprise d&#x27;économie sociale" in french
    assert "Invite a social economy" not in french


def test_summary_follows_a_buyer_that_moves_to_another_region(purchases):
    capitale = Region.objects.get(code="03")
    city = purchases["city"]
    city.region = capitale
    city.save()
    assert RepertoryStatistics(region=capitale).total.total == Decimal("207900")
    assert RepertoryStatistics(region=Region.objects.get(code="06")).total.count == 0


def test_summary_drops_a_deleted_sector_and_keeps_every_purchase(purchases):
    before = RepertoryStatistics().total
    purchases["culture"].delete()
    statistics = RepertoryStatistics()
    assert (statistics.total.count, statistics.total.total) == (before.count, before.total)
    assert [row.label for row in statistics.by_sector] == [purchases["food"].localized_name]


def repertory_csv(client, language, **filters):
    with translation.override(language):
        response = client.get(reverse("purchases:repertory_export"), filters)
    rows = list(csv.reader(
        b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    ))
    return response["Content-Disposition"], rows


@pytest.mark.parametrize(("language", "filename", "header", "row"), [
    ("en", "purchase-repertory-",
     ["Buyer", "Kind of buyer", "Buyer's region", "Supplier"],
     ["University", "03 Capitale-Nationale", "Catering and buffets", "Small contract",
      "Direct award"]),
    ("fr", "repertoire-achats-",
     ["Acheteur", "Type d'acheteur", "Région de l'acheteur", "Fournisseur"],
     ["Université", "03 Capitale-Nationale", "Traiteur et buffets", "Petit contrat",
      "Contrat de gré à gré"]),
])
def test_the_repertory_csv_is_in_the_pages_language_with_labels_not_codes(
    client, purchases, language, filename, header, row
):
    disposition, rows = repertory_csv(client, language, member_kind="university", bracket="small")

    assert f'filename="{filename}' in disposition
    assert rows[0][:4] == header
    # The 900 $ purchase: a university's, catering, a small contract given by direct award.
    (purchase,) = [cells for cells in rows[1:] if cells[7] == "900.00"]
    assert [purchase[1], purchase[2], purchase[6], purchase[8], purchase[10]] == row
    assert not {"university", "small", "direct", "03"} & set(purchase)


@pytest.mark.parametrize(("language", "value"), [("fr", "202\u00a0000"), ("en", "202,000")])
def test_the_sector_table_writes_values_as_the_language_does(client, purchases, language, value):
    cache.clear()
    with translation.override(language):
        page = client.get(reverse("purchases:repertory")).text

    # Food's published purchases in every size: 12 000 + 40 000 + 150 000 $.
    table = page[page.index('id="sector-table-caption"'):]
    assert f'<td class="number">{value}</td>' in table
