"""The member dashboard's figures, and what it costs to render."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from enterprises.models import Sector
from purchases.models import ContractSizeBracket, Purchase
from purchases.stats import OrganizationDashboard
from tests.factories import (
    EnterpriseFactory,
    MemberOrganizationFactory,
    MembershipFactory,
    PurchaseFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)


@pytest.fixture
def organization():
    organization = MemberOrganizationFactory(yearly_target=Decimal("200000"))
    food = Sector.objects.order_by("pk").first()
    enterprise = EnterpriseFactory(sectors=[food])
    for amount, day, status in (
        ("10000", datetime.date(2025, 1, 10), "validated"),
        ("40000", datetime.date(2025, 3, 2), "validated"),
        ("50000", datetime.date(2025, 3, 20), "validated"),
        ("7000", datetime.date(2024, 11, 1), "validated"),
        ("99000", datetime.date(2025, 4, 1), "submitted"),
    ):
        PurchaseFactory(organization=organization, enterprise=enterprise,
                        amount=Decimal(amount), award_date=day, status=status)
    PurchaseFactory(organization=organization, enterprise=None, supplier_name="Hors répertoire",
                    amount=Decimal("1000"), award_date=datetime.date(2025, 2, 1))
    PurchaseFactory(amount=Decimal("123456"), award_date=datetime.date(2025, 2, 1))  # not ours
    return organization


def test_dashboard_figures_count_validated_purchases_only(organization):
    dashboard = OrganizationDashboard(organization, today=TODAY)
    assert dashboard.totals["total"] == Decimal("101000")
    assert dashboard.totals["count"] == 4
    assert dashboard.totals["enterprises"] == 1  # the unlinked supplier is not an enterprise
    assert dashboard.totals["last_year_total"] == Decimal("7000")
    assert dashboard.progress_percent == 51


def test_dashboard_breakdowns_add_up_to_the_total(organization):
    dashboard = OrganizationDashboard(organization, today=TODAY)
    for lines in (dashboard.by_month, dashboard.by_sector, dashboard.by_category,
                  dashboard.by_bracket):
        assert sum(line.total for line in lines) == Decimal("101000")
    assert [line.total for line in dashboard.by_month][:4] == [
        Decimal("10000"), Decimal("1000"), Decimal("90000"), Decimal("0")
    ]
    brackets = {line.key: line.total for line in dashboard.by_bracket}
    assert brackets[ContractSizeBracket.SMALL] == Decimal("11000")


def test_dashboard_status_counts(organization):
    counts = {line.key: line.count for line in OrganizationDashboard(organization).status_counts}
    assert counts[Purchase.Status.VALIDATED] == 5
    assert counts[Purchase.Status.SUBMITTED] == 1


def test_dashboard_page_query_count(client, organization, django_assert_num_queries):
    membership = MembershipFactory(organization=organization)
    client.force_login(membership.user)
    # Session, user, membership with organization; the summary rows (this year's totals,
    # distinct enterprises and breakdowns, last year's totals, every year's status counts);
    # the organization's requests for quotes, counted (procurement's section).
    with django_assert_num_queries(5):
        response = client.get(reverse("purchases:dashboard"))
    assert response.status_code == 200
    assert 'id="chart-month"' in response.text
    assert "<table" in response.text
