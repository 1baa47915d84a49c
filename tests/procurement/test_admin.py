"""The purchase's admin page names the request for quotes it came from, through the hook the
procurement app registers with the purchases' admin."""

import re

import pytest
from django.urls import reverse

from tests.factories import PurchaseFactory, QuoteRequestFactory

pytestmark = pytest.mark.django_db


def test_a_purchase_s_admin_page_links_to_the_request_it_came_from(staff_client, member):
    purchase = PurchaseFactory(organization=member.organization)
    QuoteRequestFactory(buyer=member.user, organization=member.organization,
                        title="Repas pour 80 personnes", purchase=purchase)
    typed_in = PurchaseFactory(organization=member.organization)

    page = staff_client.get(reverse("admin:purchases_purchase_change", args=[purchase.pk]))
    other = staff_client.get(reverse("admin:purchases_purchase_change", args=[typed_in.pk]))
    added = staff_client.get(reverse("admin:purchases_purchase_add"))

    request_url = reverse(
        "admin:procurement_quoterequest_change", args=[purchase.quote_request.pk]
    )
    assert f'<a href="{request_url}">' in page.content.decode()
    assert "Repas pour 80 personnes" in page.content.decode()
    assert not re.search(r"/admin/procurement/quoterequest/\d+/change/", other.content.decode())
    assert other.status_code == added.status_code == 200
    assert staff_client.get(request_url).status_code == 200
