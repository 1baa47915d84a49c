"""In a real browser, a capsule page asks no other host for anything until the visitor clicks;
the click brings the privacy-enhanced player, which the site's CSP lets in. The play button
shows its focus ring to the keyboard. The sheet and capsule pages pass axe-core too, and a
sheet's two columns never cut an enterprise in two."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from enterprises.models import Category
from tests.browser.focus_ring import focus_ring
from tests.factories import (
    EnterpriseFactory,
    ProcurementSheetFactory,
    VideoCapsuleFactory,
    region,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def capsule():
    return VideoCapsuleFactory(
        slug="capsule-navigateur", video_id="ecparDemo01", enterprises=[EnterpriseFactory()]
    )


def record_third_party_requests(page, live_server):
    """Every request to another host is noted and aborted (the tests run offline)."""
    own_host = urlsplit(live_server.url).netloc
    requested = []

    def handle(route):
        if urlsplit(route.request.url).netloc == own_host:
            route.continue_()
        else:
            requested.append(route.request.url)
            route.abort()

    page.route("**/*", handle)
    return requested


def test_the_player_loads_only_after_the_click(page, live_server, capsule, check_accessibility):
    requested = record_third_party_requests(page, live_server)
    page.goto(live_server.url + capsule.get_absolute_url())
    page.wait_for_load_state("networkidle")

    button = page.locator("button.video-play")
    assert button.is_visible()
    assert page.locator("iframe").count() == 0
    assert requested == []
    check_accessibility(page)

    button.click()
    iframe = page.locator(".video-frame iframe")
    iframe.wait_for(state="attached")
    page.wait_for_timeout(500)

    assert iframe.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/")
    assert any(url.startswith("https://www.youtube-nocookie.com/embed/ecparDemo01")
               for url in requested)


def test_the_play_button_reached_by_keyboard_shows_a_ring_of_3_to_1_inside_its_frame(
    page, live_server, capsule
):
    record_third_party_requests(page, live_server)
    page.goto(live_server.url + capsule.get_absolute_url())
    button = page.locator("button.video-play")

    for _ in range(40):
        page.keyboard.press("Tab")
        if button.evaluate("button => button === document.activeElement"):
            break
    expect(button).to_be_focused()

    ring = focus_ring(button)
    assert ring["focusVisible"] and ring["style"] == "solid" and ring["width"] >= 2
    # The frame hides what overflows it (its rounded corners), so a ring drawn around the
    # button, which fills the frame, would not show at all.
    assert not ring["clipped"]
    assert ring["contrast"] >= 3, ring


def test_without_javascript_only_the_link_to_the_host_shows(browser, live_server, capsule):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    requested = record_third_party_requests(page, live_server)
    page.goto(live_server.url + capsule.get_absolute_url())

    assert not page.locator(".video-frame").is_visible()
    link = page.locator(".video figcaption a").first
    assert link.is_visible()
    assert link.get_attribute("href") == "https://www.youtube.com/watch?v=ecparDemo01"
    assert requested == []
    context.close()


def test_the_sheet_page_has_no_serious_accessibility_violation(
    page, live_server, check_accessibility
):
    catering = Category.objects.get(slug="traiteur")
    EnterpriseFactory.create_batch(3, categories=[catering])
    sheet = ProcurementSheetFactory(category=catering)

    page.goto(live_server.url + sheet.get_absolute_url())

    check_accessibility(page)


def test_a_sheets_two_columns_never_cut_an_enterprise_in_two_on_screen_or_on_paper(
    page, live_server
):
    # Nine entries of two lines: balanced columns would break in the middle of the fifth.
    catering = Category.objects.get(slug="traiteur")
    for number in range(9):
        EnterpriseFactory(
            name=f"Coopérative de solidarité en alimentation et services de traiteur {number}",
            city="Saint-Jean-sur-Richelieu", phone="+1 450-555-0100", region=region("16"),
            categories=[catering],
        )
    sheet = ProcurementSheetFactory(category=catering)
    page.goto(live_server.url + sheet.get_absolute_url())

    for media in ("screen", "print"):
        page.emulate_media(media=media)
        entries = page.evaluate(
            "[...document.querySelectorAll('.sheet-enterprises li')].map(li => ({"
            " pieces: li.getClientRects().length, left: li.getClientRects()[0].left}))"
        )
        assert len(entries) == 9
        assert len({entry["left"] for entry in entries}) == 2, media  # two columns
        assert [entry["pieces"] for entry in entries] == [1] * 9, media
