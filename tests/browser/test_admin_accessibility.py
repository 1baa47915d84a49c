"""Staff pages of the project's own admin: axe-core finds no violation of any impact, at desktop
and phone widths, in French and in English (issue 17: select2's search boxes had no name,
breadcrumbs and messages too little contrast)."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from enterprises.models import Enterprise
from tests.browser.conftest import VIEWPORTS
from tests.browser.helpers import log_in
from tests.factories import (
    EnterpriseFactory,
    ImportReviewItemFactory,
    PurchaseFactory,
    StaffFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def staff_pages():
    """The admin pages staff work in, about rows that have a history to show."""
    enterprise = EnterpriseFactory(status=Enterprise.Status.ARCHIVED)
    enterprise.status = Enterprise.Status.PUBLISHED
    enterprise.save()
    purchase = PurchaseFactory(enterprise=enterprise)
    ImportReviewItemFactory(enterprise=enterprise)
    return {
        "enterprise-list": ("admin:enterprises_enterprise_changelist", []),
        "enterprise-form": ("admin:enterprises_enterprise_change", [enterprise.pk]),
        "enterprise-history": ("admin:enterprises_enterprise_history", [enterprise.pk]),
        "purchase-list": ("admin:purchases_purchase_changelist", []),
        "purchase-form": ("admin:purchases_purchase_change", [purchase.pk]),
        "purchase-history": ("admin:purchases_purchase_history", [purchase.pk]),
        "review-queue": ("admin:enterprises_importreviewitem_changelist", []),
    }


def all_violations(page):
    """Every axe-core violation in the page, whatever its impact, one line each."""
    results = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' '))})))"
    )
    return [f"{page.url} {page.viewport_size['width']}px: {v['impact']} {v['id']} → "
            f"{json.dumps(v['nodes'][:4])}" for v in results]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_staff_admin_pages_have_no_accessibility_violation_at_either_width(
    page, live_server, staff_pages, axe_source, language
):
    log_in(page.context, live_server, StaffFactory(username="curator"))
    problems = []
    for name, args in staff_pages.values():
        with translation.override(language):
            path = reverse(name, args=args)
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        for viewport in VIEWPORTS.values():
            page.set_viewport_size(viewport)
            page.evaluate(axe_source)
            problems += all_violations(page)
        page.set_viewport_size(VIEWPORTS["desktop"])
    assert problems == [], "\n".join(problems)


def test_select2_search_boxes_are_named_by_their_field(page, live_server, staff_pages):
    """The enterprise form's autocomplete fields (select2) open a search box that a screen
    reader announces with the field's label."""
    log_in(page.context, live_server, StaffFactory(username="curator"))
    name, args = staff_pages["enterprise-form"]
    page.goto(live_server.url + reverse(name, args=args))
    page.wait_for_load_state("networkidle")
    boxes = page.locator(".select2-search__field")
    assert boxes.count() >= 1
    for index in range(boxes.count()):
        assert boxes.nth(index).get_attribute("aria-label"), boxes.nth(index).evaluate(
            "e => e.outerHTML"
        )
