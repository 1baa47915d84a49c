"""The dashboard's summary stays equal to the organization's validated purchases through writes."""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.utils.translation import gettext as _

from enterprises.models import Category, Sector
from purchases.models import (
    ContractSizeThreshold,
    OrganizationPurchaseSummary,
    Purchase,
)
from purchases.stats import OrganizationDashboard
from purchases.summaries import recount_once
from tests.factories import EnterpriseFactory, MemberOrganizationFactory, PurchaseFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)


@pytest.fixture
def organization():
    """Purchases of one organization across two years, sectors, categories and statuses."""
    food, culture = Sector.objects.order_by("pk")[:2]
    catering = Category.objects.get(slug="traiteur")
    other_category = Category.objects.exclude(pk=catering.pk).order_by("pk").first()
    organization = MemberOrganizationFactory()
    both_sectors = EnterpriseFactory(sectors=[food, culture])
    food_only = EnterpriseFactory(sectors=[food])
    rows = [
        (both_sectors, catering, "12000", datetime.date(2025, 3, 1), "validated"),
        (food_only, other_category, "40000", datetime.date(2025, 3, 9), "validated"),
        (food_only, None, "150000", datetime.date(2025, 1, 5), "validated"),
        (None, catering, "900", datetime.date(2025, 2, 5), "validated"),
        (both_sectors, catering, "7000", datetime.date(2024, 12, 1), "validated"),
        (both_sectors, catering, "8000", datetime.date(2025, 3, 1), "submitted"),
        (food_only, catering, "3000", datetime.date(2025, 4, 1), "draft"),
    ]
    for enterprise, category, amount, day, status in rows:
        PurchaseFactory(
            organization=organization, enterprise=enterprise, category=category,
            supplier_name="" if enterprise else "Fournisseur hors répertoire",
            amount=Decimal(amount), award_date=day, status=status,
        )
    PurchaseFactory(enterprise=food_only, amount=Decimal("5555"), award_date=TODAY)  # not ours
    return organization


def shown(organization):
    """What the dashboard shows, as plain figures."""
    dashboard = OrganizationDashboard(organization, today=TODAY)
    return {
        "totals": (dashboard.totals["total"], dashboard.totals["count"],
                   dashboard.totals["last_year_total"], dashboard.totals["last_year_count"],
                   dashboard.totals["enterprises"]),
        "month": {line.key: (line.count, line.total) for line in dashboard.by_month
                  if line.count},
        "bracket": {line.key: (line.count, line.total) for line in dashboard.by_bracket
                    if line.count},
        "sector": {str(line.label): (line.count, line.total) for line in dashboard.by_sector},
        "category": {str(line.label): (line.count, line.total) for line in dashboard.by_category},
        "status": {line.key: line.count for line in dashboard.status_counts if line.count},
    }


def counted(organization):
    """The same figures counted from the organization's validated purchases one by one."""
    validated = Purchase.objects.for_organization(organization).validated()
    this_year = list(validated.filter(award_date__year=TODAY.year)
                     .select_related("category").prefetch_related("enterprise__sectors"))
    last_year = list(validated.filter(award_date__year=TODAY.year - 1))
    margins = {name: defaultdict(lambda: [0, Decimal("0")])
               for name in ("month", "bracket", "sector", "category")}

    def add(margin, key, purchase):
        margins[margin][key][0] += 1
        margins[margin][key][1] += purchase.amount

    for purchase in this_year:
        add("month", purchase.award_date.month, purchase)
        add("bracket", purchase.contract_size_bracket, purchase)
        add("category", purchase.category.name if purchase.category else _("No category"),
            purchase)
        sectors = purchase.enterprise.sectors.all() if purchase.enterprise else []
        for sector in sectors:
            add("sector", sector.name, purchase)
        if not sectors:
            add("sector", _("No sector (supplier outside the directory or unclassified)"),
                purchase)
    return {
        "totals": (sum((p.amount for p in this_year), Decimal("0")), len(this_year),
                   sum((p.amount for p in last_year), Decimal("0")), len(last_year),
                   len({p.enterprise_id for p in this_year} - {None})),
        **{name: {key: tuple(value) for key, value in margin.items()}
           for name, margin in margins.items()},
        "status": dict(Counter(Purchase.objects.for_organization(organization)
                               .values_list("status", flat=True))),
    }


def summary_rows():
    return sorted(OrganizationPurchaseSummary.objects.values_list(
        "organization", "year", "breakdown", "month", "contract_size_bracket", "sector",
        "category", "status", "purchase_count", "total_amount", "enterprise_count",
    ), key=str)


def assert_exact(organization):
    assert shown(organization) == counted(organization)
    kept = summary_rows()
    OrganizationPurchaseSummary.objects.rebuild()
    assert kept == summary_rows()


def test_dashboard_equals_the_validated_purchases(organization):
    figures = shown(organization)
    assert figures["totals"] == (Decimal("202900"), 4, Decimal("7000"), 1, 2)
    assert figures["sector"][Sector.objects.order_by("pk").first().name] == (3, Decimal("202000"))
    assert figures["sector"][_("No sector (supplier outside the directory or unclassified)")] == (
        1, Decimal("900")
    )
    assert figures["category"][_("No category")] == (1, Decimal("150000"))
    assert_exact(organization)


def test_summary_follows_a_new_validated_purchase(organization):
    PurchaseFactory(organization=organization, amount=Decimal("321"), award_date=TODAY)
    assert shown(organization)["totals"][0] == Decimal("203221")
    assert_exact(organization)


def test_summary_follows_a_validation_one_by_one_and_in_bulk(organization):
    submitted = Purchase.objects.get(status=Purchase.Status.SUBMITTED)
    submitted.status = Purchase.Status.VALIDATED
    submitted.save()
    assert shown(organization)["totals"][0] == Decimal("210900")
    assert Purchase.objects.filter(status=Purchase.Status.DRAFT).validate() == 1
    assert shown(organization)["totals"][0] == Decimal("213900")
    assert_exact(organization)


def test_summary_follows_a_rejection_of_a_validated_purchase(organization):
    Purchase.objects.filter(amount=Decimal("40000")).reject("Pas une entreprise d'économie sociale")
    assert shown(organization)["totals"][0] == Decimal("162900")
    assert_exact(organization)


def test_summary_follows_a_submission_withdrawn(organization):
    submitted = Purchase.objects.get(status=Purchase.Status.SUBMITTED)
    submitted.withdraw()
    assert_exact(organization)


def test_summary_follows_an_edit_of_amount_category_and_supplier(organization):
    purchase = Purchase.objects.get(amount=Decimal("12000"))
    purchase.amount = Decimal("30000")
    purchase.category = None
    purchase.enterprise = None
    purchase.supplier_name = "Fournisseur hors répertoire"
    purchase.save()
    assert shown(organization)["totals"][0] == Decimal("220900")
    assert_exact(organization)


def test_summary_follows_a_purchase_moved_to_last_year(organization):
    purchase = Purchase.objects.only("pk").get(amount=Decimal("40000"))
    purchase.award_date = datetime.date(2024, 5, 1)
    purchase.save(update_fields=["award_date"])
    assert shown(organization)["totals"][:4] == (Decimal("162900"), 3, Decimal("47000"), 2)
    assert_exact(organization)


def test_summary_follows_a_purchase_moved_to_another_organization(organization):
    elsewhere = MemberOrganizationFactory()
    purchase = Purchase.objects.get(amount=Decimal("40000"))
    purchase.organization = elsewhere
    purchase.save()
    assert shown(organization)["totals"][0] == Decimal("162900")
    assert shown(elsewhere)["totals"][0] == Decimal("40000")
    assert_exact(organization)
    assert_exact(elsewhere)


def test_summary_follows_a_deletion(organization):
    Purchase.objects.get(amount=Decimal("150000")).delete()
    Purchase.objects.only("pk").filter(amount=Decimal("900")).delete()
    assert shown(organization)["totals"][0] == Decimal("52000")
    assert_exact(organization)


def test_summary_follows_a_change_of_the_enterprise_sectors(organization):
    culture = Sector.objects.order_by("pk")[1]
    Purchase.objects.get(amount=Decimal("150000")).enterprise.sectors.add(culture)
    assert shown(organization)["sector"][culture.name] == (3, Decimal("202000"))
    assert_exact(organization)


def test_summary_follows_a_change_of_the_contract_size_thresholds(organization):
    before = shown(organization)["bracket"]
    thresholds = ContractSizeThreshold.objects.in_force_on(TODAY)
    thresholds.small_contract_ceiling = Decimal("1000")
    thresholds.save()
    assert shown(organization)["bracket"] != before
    assert_exact(organization)


def test_summary_follows_the_deletion_of_a_sector(organization):
    food = Sector.objects.order_by("pk").first()
    food.delete()
    no_sector = _("No sector (supplier outside the directory or unclassified)")
    assert shown(organization)["sector"][no_sector] == (3, Decimal("190900"))
    assert_exact(organization)


def test_status_counts_follow_drafts_created_submitted_withdrawn_and_deleted(organization):
    draft = PurchaseFactory(organization=organization, status=Purchase.Status.DRAFT,
                            award_date=datetime.date(2023, 5, 1))
    assert shown(organization)["status"][Purchase.Status.DRAFT] == 2
    draft.submit()
    assert shown(organization)["status"][Purchase.Status.SUBMITTED] == 2
    draft.withdraw()
    assert_exact(organization)
    draft.delete()
    assert shown(organization)["status"][Purchase.Status.DRAFT] == 1
    assert_exact(organization)


def test_bulk_entry_recounts_each_slice_once_at_the_end(organization):
    with recount_once():
        for _row in range(3):
            PurchaseFactory(organization=organization, status=Purchase.Status.DRAFT,
                            award_date=TODAY)
        PurchaseFactory(organization=organization, amount=Decimal("100"), award_date=TODAY)
        assert shown(organization)["status"][Purchase.Status.DRAFT] == 1
    assert shown(organization)["status"][Purchase.Status.DRAFT] == 4
    assert shown(organization)["totals"][0] == Decimal("203000")
    assert_exact(organization)
