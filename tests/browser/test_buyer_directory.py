"""The buyer's directory in a real browser, at phone (390×844) and desktop (1280×800) sizes, in
French and English: the first result within the first screen on a phone, the address bar and
the results kept in step through search, filters, pages and Back, the focus on the results'
heading after each live update, no console error (CSP included), and axe-core finding no
violation of any impact on each kind of public page, with the phone's filters open too.
Screenshots of the listing, a profile, the repertory and the signatories page are kept in
var/screenshots/ (buyer-*)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.urls import reverse
from playwright.sync_api import expect

from enterprises.filters import EnterpriseFilterSet
from enterprises.models import Category, Enterprise, Region, Sector
from purchases.models import MemberOrganization
from tests.browser.conftest import SCREENSHOTS, VIEWPORTS
from tests.browser.focus_ring import focus_ring
from tests.factories import (
    EnterpriseFactory,
    EnterpriseSourceFactory,
    EventFactory,
    MemberOrganizationFactory,
    MembershipFactory,
    NetworkFactory,
    ProcurementSheetFactory,
    PurchaseFactory,
    RegistrationFactory,
    VideoCapsuleFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = {"fr": "", "en": "/en"}


@pytest.fixture
def directory():
    """70 published enterprises in two regions and two categories (« traiteur » in Montréal
    fills three pages of 20), one of them verified, listed by a network and bought from; two
    signatories."""
    cache.clear()
    catering, printing = Category.objects.filter(slug__in=["traiteur", "imprimerie"]).order_by(
        "-slug"
    )
    food = Sector.objects.get(slug="agroalimentaire")
    quebec, montreal = Region.objects.get(code="03"), Region.objects.get(code="06")
    featured = EnterpriseFactory(
        name="Café « Le Détour »",
        slug="cafe-le-detour",
        legal_form=Enterprise.LegalForm.SOLIDARITY_COOPERATIVE,
        description_fr="Café, traiteur et boîtes à lunch pour les réunions et les événements.",
        description_en="Café, caterer and box lunches for meetings and events.",
        region=quebec,
        city="Québec",
        phone="+1 418-555-0123",
        email="info@ledetour.coop",
        website="https://ledetour.coop",
        categories=[catering],
        sectors=[food],
        service_area=[quebec, montreal],
        verification_status=Enterprise.Verification.VERIFIED,
        verified_on=datetime.date(2026, 3, 12),
        confirmed_on=datetime.date(2026, 5, 2),
    )
    EnterpriseSourceFactory(enterprise=featured, network=NetworkFactory(name="Réseau témoin"))
    for number in range(69):
        EnterpriseFactory(
            name=f"Traiteur solidaire {number:02d}" if number % 5 else f"Imprimerie {number:02d}",
            description_fr="Une entreprise d'économie sociale de la région.",
            region=montreal if number % 4 else quebec,
            categories=[catering if number % 5 else printing],
            sectors=[food],
        )
    membership = MembershipFactory()
    for month in (1, 2, 3):
        PurchaseFactory(
            organization=membership.organization, enterprise=featured, category=catering,
            amount=Decimal("15000.00") * month,
            award_date=datetime.date(datetime.date.today().year, month, 10),
        )
    MemberOrganizationFactory(
        name="Ville de Québec", region=quebec, declaration_signed_on=datetime.date(2024, 2, 1),
        kind=MemberOrganization.Kind.MUNICIPALITY,
    )
    MemberOrganizationFactory(
        name="Ville de Montréal", region=montreal,
        declaration_signed_on=datetime.date(2024, 3, 1),
    )
    return {"enterprise": featured, "catering": catering, "food": food, "region": montreal}


@pytest.fixture
def console_errors(page):
    """Every error the page writes to its console (CSP refusals included) or throws."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def found(query_string):
    """How many enterprises the directory's filters find for the query."""
    return EnterpriseFilterSet(
        QueryDict(query_string), queryset=Enterprise.objects.published()
    ).qs.count()


def first_result_top(page):
    return page.evaluate(
        "document.querySelector('.result-list > li').getBoundingClientRect().top"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_on_a_phone_the_first_result_starts_within_the_first_screen(
    page, live_server, directory, language, console_errors
):
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(f"{live_server.url}{LANGUAGES[language]}{reverse('enterprises:list')}")

    # The header's links wait behind a menu button, the filters behind « Filters (n) ».
    expect(page.locator(".site-menu nav")).to_be_hidden()
    expect(page.locator("#facets")).to_be_hidden()
    assert first_result_top(page) < VIEWPORTS["phone"]["height"]

    page.click(".site-menu > summary")
    expect(page.locator(".site-menu nav a").first).to_be_visible()
    page.click(".site-menu > summary")
    page.click(".filters-toggle")
    page.check("#facet-region-03")
    expect(page.locator("#filter-count")).to_have_text("(1)")
    expect(page.locator(".chips .chip")).to_have_count(1)
    assert console_errors == []


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_search_filter_page_and_back_keep_the_address_and_the_results_in_step(
    page, live_server, directory, language, size, console_errors, every_axe_violation
):
    page.set_viewport_size(VIEWPORTS[size])
    listing = f"{live_server.url}{LANGUAGES[language]}{reverse('enterprises:list')}"
    page.goto(listing)
    heading = page.locator("#directory-heading")

    caterers, in_montreal = found("q=traiteur"), found("q=traiteur&region=06")
    assert in_montreal > 40  # three pages

    page.fill("#id_q", "traiteur")
    page.press("#id_q", "Enter")
    expect(page).to_have_url(f"{listing}?q=traiteur")
    summary = page.locator("#result-summary")
    expect(summary).to_contain_text(str(caterers))
    # A screen reader reads a live region's new text, not a region put in the old one's place.
    expect(summary).to_have_attribute("aria-live", "polite")
    page.evaluate("window.resultSummary = document.getElementById('result-summary')")
    summary_kept = "document.getElementById('result-summary') === window.resultSummary"

    if size == "phone":
        page.click(".filters-toggle")  # « Filtres (n) »
    page.check("#facet-region-06")
    expect(page).to_have_url(f"{listing}?q=traiteur&region=06")
    expect(heading).to_be_focused()
    expect(summary).to_contain_text(str(in_montreal))
    assert page.evaluate(summary_kept)
    # The new filters come in without closing the phone's disclosure, and pass axe-core.
    expect(page.locator("#facet-region-06")).to_be_visible()
    assert every_axe_violation(page) == []

    page.click(".pagination a[rel=next]")
    expect(page).to_have_url(f"{listing}?q=traiteur&region=06&page=2")
    expect(heading).to_be_focused()
    expect(heading).to_be_in_viewport()
    expect(page.locator(".result-list > li")).to_have_count(20)
    assert page.evaluate(summary_kept)
    first_on_page_two = page.locator(".result-list h3").first.inner_text()

    # The address bar is never a page behind: reloading shows the same page.
    page.reload()
    expect(page.locator(".result-list h3").first).to_have_text(first_on_page_two)
    expect(page.locator(".pagination a[aria-current=page]")).to_have_text("2")

    page.go_back()
    expect(page).to_have_url(f"{listing}?q=traiteur&region=06")
    expect(page.locator(".pagination a[aria-current=page]")).to_have_text("1")
    page.go_back()
    expect(page).to_have_url(f"{listing}?q=traiteur")
    expect(summary).to_contain_text(str(caterers))

    # A chip removes its filter, live, and says so with the address.
    page.check("#facet-region-06")
    expect(page).to_have_url(f"{listing}?q=traiteur&region=06")
    page.click(".chips a.chip >> nth=1")
    expect(page).to_have_url(f"{listing}?q=traiteur")
    expect(heading).to_be_focused()
    assert console_errors == []


def test_the_skip_link_leads_to_the_results_and_the_focus_ring_shows_on_every_background(
    page, live_server, directory
):
    page.goto(live_server.url + reverse("enterprises:list") + "?region=06")

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link[href='#results']")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('.result-list, .chips, .results')")
    assert focused is not None

    # Once the keyboard is in use, focusing by script shows the ring as a Tab would.
    rings = {}
    for where, selector in {
        "dark header": ".site-header .brand",
        "chip": ".chips a.chip",
        "white": ".result-list h3 a",
        "light band": ".site-footer a",
    }.items():
        element = page.locator(selector).first
        element.focus()
        rings[where] = focus_ring(element)
        assert rings[where]["focusVisible"] and rings[where]["style"] == "solid", where
        assert not rings[where]["clipped"], where
    contrasts = {where: round(ring["contrast"], 2) for where, ring in rings.items()}
    assert min(contrasts.values()) >= 3, contrasts


def test_the_category_list_narrows_as_one_types_without_sending_the_form(
    page, live_server, directory
):
    for category in Category.objects.filter(children__isnull=True).order_by("pk")[:24]:
        EnterpriseFactory(categories=[category])
    cache.clear()
    page.goto(live_server.url + reverse("enterprises:list"))
    box = page.locator("#facet-filter-category")
    expect(box).to_be_visible()

    box.fill("traiteur")
    box.press("Enter")

    visible = page.locator("#facet-category li:visible label")
    expect(visible.first).to_contain_text("Traiteur")
    assert all("raiteur" in label for label in visible.all_inner_texts())
    assert "?" not in page.url  # the box is not a filter


@pytest.fixture
def programs_and_events(directory):
    """A catering sheet, a capsule of the featured enterprise, an upcoming event taking
    registrations and one registrant's private page."""
    event = EventFactory()
    return {
        "sheet": ProcurementSheetFactory(category=directory["catering"]),
        "capsule": VideoCapsuleFactory(enterprises=[directory["enterprise"]]),
        "event": event,
        "registration": RegistrationFactory(event=event),
    }


def accessibility_pages(data, more):
    return {
        "home": reverse("enterprises:home"),
        "listing": reverse("enterprises:list"),
        "search": reverse("enterprises:list") + "?q=traiteur&region=06",
        "category-index": reverse("enterprises:category_index"),
        "category": reverse("enterprises:category", args=[data["catering"].slug]),
        "sector": reverse("enterprises:sector", args=[data["food"].slug]),
        "region": reverse("enterprises:region", args=[data["region"].slug]),
        "profile": data["enterprise"].get_absolute_url(),
        "repertory": reverse("purchases:repertory"),
        "signatories": reverse("purchases:declaration"),
        "sheet-index": reverse("programs:sheet_index"),
        "sheet": more["sheet"].get_absolute_url(),
        "capsule-index": reverse("programs:capsule_index"),
        "capsule": more["capsule"].get_absolute_url(),
        "event-list": reverse("events:list"),
        "event": more["event"].get_absolute_url(),  # with its registration form
        "registration": more["registration"].get_absolute_url(),
        "programs-page": reverse("programs:page", args=["accessibilite"]),
        "not-found": "/aucune-page-de-ce-nom/",
    }


SCREENSHOT_PAGES = ("listing", "profile", "repertory", "signatories")


def test_every_public_page_type_has_no_accessibility_violation_in_both_languages_and_sizes(
    page, live_server, directory, programs_and_events, every_axe_violation, console_errors
):
    """One test for all the pages (each browser test costs a database flush)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for language, prefix in LANGUAGES.items():
        for name, path in accessibility_pages(directory, programs_and_events).items():
            for size, viewport in VIEWPORTS.items():
                page.set_viewport_size(viewport)
                response = page.goto(live_server.url + prefix + path)
                assert response.status == (404 if name == "not-found" else 200), path
                problems += every_axe_violation(page)
                # A template comment on two lines ({# … #} holds one) shows as text.
                if re.search(r"\{[#%{]", page.inner_text("body")):
                    problems.append(f"{page.url}: template syntax shown as text")
                if page.evaluate("document.documentElement.scrollWidth") > viewport["width"]:
                    problems.append(f"{page.url}: wider than the {size} window")
                if name in SCREENSHOT_PAGES:
                    page.screenshot(
                        path=SCREENSHOTS / f"buyer-{name}-{language}-{size}.png", full_page=True
                    )
                if size == "phone" and page.locator(".filters-toggle").count():
                    page.click(".filters-toggle")
                    problems += every_axe_violation(page)
                if size == "phone" and page.locator(".site-menu > summary").count():
                    page.click(".site-menu > summary")
                    problems += every_axe_violation(page)

    assert not problems, "axe-core:\n" + "\n".join(problems)
    # The 404 page's response is logged by Chromium as a failed resource: the only error.
    assert [error for error in console_errors if "404" not in error] == []


def test_without_javascript_the_menu_filters_and_chips_still_work_on_a_phone(
    browser, live_server, directory
):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORTS["phone"])
    page = context.new_page()
    listing = live_server.url + reverse("enterprises:list")
    page.goto(listing)

    page.click(".site-menu > summary")
    expect(page.locator(".site-menu nav a").first).to_be_visible()
    page.click(".site-menu > summary")  # the open menu lies over the page
    page.click(".filters-toggle")
    page.check("#facet-region-03")
    page.click(".filter-actions button[type=submit]")
    expect(page).to_have_url(re.compile(r"region=03"))
    expect(page.locator(".chips .chip")).to_have_count(1)
    expect(page.locator("#result-summary")).to_contain_text(str(found("region=03")))

    page.click(".chips .chip")
    expect(page).to_have_url(listing + "?sort=name&per_page=20")
    expect(page.locator(".chips")).to_have_count(0)
    context.close()
