"""Hostile text stored in the directory and the purchases is shown as text everywhere.

Whatever reaches the database (through an import, a form or the admin), every page and export
renders it inert: no markup of ours is broken out of, and no link has another scheme than
http(s).
"""

import pytest
from django.urls import reverse

from enterprises.models import Category, Enterprise, Sector
from purchases.models import Purchase
from tests.factories import EnterpriseFactory, MembershipFactory, PurchaseFactory

PAYLOADS = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{ request.user.password }}{% debug %}",
]
HOSTILE = " ".join(PAYLOADS)
# What a payload would look like had it been rendered as markup rather than text.
LIVE_MARKUP = ["<script>alert(", "<img src=x", "<svg/onload", 'href="javascript:']

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile(client):
    """An enterprise, a purchase and a member whose every free-text field carries the payloads."""
    enterprise = EnterpriseFactory(
        name=f"Traiteur {PAYLOADS[0]}",
        description_fr=HOSTILE,
        description_en=HOSTILE,
        address=PAYLOADS[1],
        city=PAYLOADS[2],
        categories=[Category.objects.get(slug="traiteur")],
        sectors=[Sector.objects.first()],
    )
    # Bypasses validation, as a careless bulk write would: the page must still not link it.
    Enterprise.objects.filter(pk=enterprise.pk).update(website="javascript:alert(1)")
    membership = MembershipFactory(organization__name=f"Ville {PAYLOADS[1]}")
    purchase = PurchaseFactory(
        organization=membership.organization,
        enterprise=enterprise,
        description=HOSTILE,
        status=Purchase.Status.DRAFT,
    )
    PurchaseFactory(organization=membership.organization, enterprise=enterprise)
    return {"enterprise": enterprise, "membership": membership, "purchase": purchase}


def assert_inert(content):
    for markup in LIVE_MARKUP:
        assert markup not in content


def public_urls(enterprise):
    listing = reverse("enterprises:list")
    return [
        reverse("enterprises:home"),
        listing,
        f"{listing}?q={PAYLOADS[0]}",
        f"{listing}?q=traiteur",
        enterprise.get_absolute_url(),
        "/en" + enterprise.get_absolute_url(),
        reverse("enterprises:category", args=["traiteur"]),
        reverse("purchases:repertory"),
        reverse("purchases:declaration"),
    ]


def test_public_pages_show_hostile_text_as_text(client, hostile):
    for url in public_urls(hostile["enterprise"]):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode())


def test_the_api_serves_hostile_text_as_json_data(client, hostile):
    enterprise = hostile["enterprise"]
    for url in [f"/api/enterprises/{enterprise.slug}/", "/api/enterprises/?q=traiteur"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/json")
        assert response["X-Content-Type-Options"] == "nosniff"
    detail = client.get(f"/api/enterprises/{enterprise.slug}/").json()
    assert detail["name"] == enterprise.name  # kept as the data it is, for the client to escape


def test_the_enterprise_page_shows_the_name_escaped_and_links_no_script(client, hostile):
    page = client.get(hostile["enterprise"].get_absolute_url()).content.decode()
    assert "Traiteur &lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in page
    assert "{{ request.user.password }}" in page  # shown as typed, never evaluated


def test_portal_pages_show_hostile_text_as_text(client, hostile):
    client.force_login(hostile["membership"].user)
    purchase = hostile["purchase"]
    for url in [
        reverse("purchases:dashboard"),
        reverse("purchases:purchase_list"),
        reverse("purchases:purchase_detail", args=[purchase.pk]),
        reverse("purchases:purchase_update", args=[purchase.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode())


def test_admin_pages_show_hostile_text_as_text(staff_client, hostile):
    enterprise, purchase = hostile["enterprise"], hostile["purchase"]
    for url in [
        reverse("admin:enterprises_enterprise_changelist"),
        reverse("admin:enterprises_enterprise_change", args=[enterprise.pk]),
        reverse("admin:purchases_purchase_changelist"),
        reverse("admin:purchases_purchase_change", args=[purchase.pk]),
    ]:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode())


def test_exports_make_formula_and_markup_payloads_inert(client, hostile):
    Enterprise.objects.filter(pk=hostile["enterprise"].pk).update(city="=HYPERLINK(\"x\")")
    response = client.get(reverse("enterprises:export"), {"format": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in content
    assert ',"=HYPERLINK' not in content and ",=HYPERLINK" not in content
