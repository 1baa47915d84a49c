"""axe-core finds no serious or critical violation on the pages most people see; each page is
also photographed at desktop and phone widths for review (var/screenshots/)."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from enterprises.models import Category, Enterprise, Region, Sector
from purchases.models import Membership
from tests.browser.helpers import log_in
from tests.factories import EnterpriseFactory, MembershipFactory, PurchaseFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def directory():
    """A handful of enterprises across regions and categories, and a member's validated,
    published purchases: enough for every block of the pages to show."""
    cache.clear()
    printing, catering = Category.objects.filter(slug__in=["imprimerie", "traiteur"]).order_by(
        "slug"
    )
    food = Sector.objects.order_by("pk").first()
    featured = EnterpriseFactory(
        name="Café « Le Détour »",
        slug="cafe-le-detour",
        legal_form=Enterprise.LegalForm.SOLIDARITY_COOPERATIVE,
        description_fr="Café, traiteur et boîtes à lunch pour les réunions et les événements.",
        region=Region.objects.get(code="03"),
        city="Québec",
        address="123, rue Saint-Jean",
        postal_code="G1R 1N4",
        phone="+1 418-555-0123",
        email="info@ledetour.coop",
        website="https://ledetour.coop",
        categories=[catering],
        sectors=[food],
        service_area=Region.objects.filter(code__in=["03", "12"]),
    )
    for number in range(6):
        EnterpriseFactory(
            city="Montréal", categories=[printing if number % 2 else catering], sectors=[food]
        )
    membership = MembershipFactory(role=Membership.Role.MANAGER)
    for month in (1, 2, 3):
        PurchaseFactory(
            organization=membership.organization,
            enterprise=featured,
            category=catering,
            amount=Decimal("15000.00") * month,
            award_date=datetime.date(datetime.date.today().year, month, 10),
        )
    return {"enterprise": featured, "member": membership.user}


PAGES = {
    "home": lambda data: reverse("enterprises:home"),
    "listing": lambda data: reverse("enterprises:list"),
    "enterprise": lambda data: data["enterprise"].get_absolute_url(),
    "repertory": lambda data: reverse("purchases:repertory"),
    "dashboard": lambda data: reverse("purchases:dashboard"),
}


def test_main_pages_have_no_serious_accessibility_violation_and_fit_a_phone(
    page, live_server, directory, axe_violations, screenshot
):
    """One test for all the pages: each browser test costs a database flush."""
    problems = []
    for name, url in PAGES.items():
        if name == "dashboard":
            log_in(page.context, live_server, directory["member"])
        path = url(directory)
        response = page.goto(live_server.url + path)
        assert (response.status, page.url) == (200, live_server.url + path)
        page.wait_for_load_state("networkidle")
        problems += axe_violations(page)
        problems += screenshot(page, name)

    assert not problems, "\n".join(problems)
