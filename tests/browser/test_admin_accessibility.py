"""Staff pages of the project's own admin: axe-core finds no violation of any impact, at desktop
and phone widths, in French and in English (issue 17: select2's search boxes had no name,
breadcrumbs and messages too little contrast)."""

import json

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from enterprises.models import Category, Enterprise
from events.models import Event, Registration
from tests.browser.conftest import VIEWPORTS
from tests.browser.helpers import log_in
from tests.factories import (
    EnterpriseFactory,
    EventFactory,
    ImportReviewItemFactory,
    PurchaseFactory,
    RegistrationFactory,
    StaffFactory,
    region,
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
    event = matchmaking_event_with_registrants()
    return {
        "admin-index": ("admin:index", []),
        "event-form": ("admin:events_event_change", [event.pk]),
        "matchmaking": ("admin:events_event_matchmaking", [event.pk]),
        "enterprise-list": ("admin:enterprises_enterprise_changelist", []),
        "enterprise-form": ("admin:enterprises_enterprise_change", [enterprise.pk]),
        "enterprise-history": ("admin:enterprises_enterprise_history", [enterprise.pk]),
        "purchase-list": ("admin:purchases_purchase_changelist", []),
        "purchase-form": ("admin:purchases_purchase_change", [purchase.pk]),
        "purchase-history": ("admin:purchases_purchase_history", [purchase.pk]),
        "review-queue": ("admin:enterprises_importreviewitem_changelist", []),
    }


def matchmaking_event_with_registrants():
    """A matchmaking event whose registrants have long names and addresses (a phone's width
    is what they test), with a buyer and an enterprise that share a category: one pair."""
    event = EventFactory(kind=Event.Kind.MATCHMAKING, meeting_minutes=20, capacity=20)
    catering = list(Category.objects.filter(slug="traiteur"))
    for role, name in ((Registration.Role.BUYER, "Centre intégré de santé et de services "
                        "sociaux de la Montérégie-Centre"),
                       (Registration.Role.ENTERPRISE, "Coopérative de solidarité des "
                        "traiteurs et des boîtes à lunch du Vieux-Longueuil")):
        RegistrationFactory(
            event=event, role=role, organization_name=name, region=region("16"),
            email=f"approvisionnement.responsable.{role}@organisation-tres-longue.example.org",
            categories=catering,
        )
    return event


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


def test_on_a_phone_each_registrant_of_an_event_is_a_card_in_view(page, live_server, staff_pages):
    """Issue 17: the event's registrants were a table wider than a phone; under 600 px each one
    is a card whose values (e-mail and status included) stay inside the screen."""
    log_in(page.context, live_server, StaffFactory(username="curator"))
    name, args = staff_pages["event-form"]
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(live_server.url + reverse(name, args=args))

    cards = page.locator(".registrants tbody tr.form-row")
    assert cards.count() == 2
    for cell in ("td.field-email", "td.field-status", "td.field-organization_name"):
        box = cards.first.locator(cell).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS["phone"]["width"], cell
    # Each value is shown under its column's name, since the table's header is hidden.
    label = cards.first.locator("td.field-status").evaluate(
        "cell => getComputedStyle(cell, '::before').content"
    )
    assert label.strip('"') in ("Statut", "Status")
    assert not page.locator(".registrants thead").is_visible() or page.locator(
        ".registrants thead"
    ).bounding_box()["width"] <= 1

    # The registrants' inline still posts its management form: the event saves as before.
    page.click('input[name="_continue"]')
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert page.locator(".registrants tbody tr.form-row").count() == 2


def test_on_a_phone_the_matchmaking_pairs_scroll_in_a_focusable_region_with_a_hint(
    page, live_server, staff_pages
):
    log_in(page.context, live_server, StaffFactory(username="curator"))
    name, args = staff_pages["matchmaking"]
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(live_server.url + reverse(name, args=args))

    region = page.locator(".pairs-scroll")
    assert page.locator("#pairs-hint").is_visible()
    region.focus()
    assert page.evaluate("document.activeElement.classList.contains('pairs-scroll')")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # Chromium scrolls for the keyboard smoothly: the region moves over a few frames.
    page.wait_for_function("document.querySelector('.pairs-scroll').scrollLeft > 0", timeout=5000)
    assert region.evaluate("r => r.scrollLeft") > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]


def test_an_opened_select2_dropdown_has_no_accessibility_violation(
    page, live_server, staff_pages, axe_source
):
    """The enterprise form's autocomplete (select2) once opened: its search box, its list of
    choices and their states."""
    log_in(page.context, live_server, StaffFactory(username="curator"))
    name, args = staff_pages["enterprise-form"]
    page.goto(live_server.url + reverse(name, args=args))
    page.wait_for_load_state("networkidle")
    page.locator(".select2-selection").first.click()
    page.locator(".select2-container--open .select2-results__option").first.wait_for()

    page.evaluate(axe_source)
    problems = all_violations(page)

    assert problems == [], "\n".join(problems)
