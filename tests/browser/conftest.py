"""Browser tests: Debian's Chromium, driven by pytest-playwright, against a live server.

Every test here is marked ``browser`` and runs in a transactional database (the live server's
thread must see committed rows), which Django empties after each test: ``serialized_rollback``
restores the reference rows that the migrations load (regions, sectors, categories, networks…)
before each test, and ``database_beside_playwright`` puts them back at the end of the session,
so that ``--reuse-db`` finds a complete database next time.
"""

import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CHROMIUM = "/usr/bin/chromium"
AXE_SCRIPT = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# axe-core impacts that fail a page; "moderate" and "minor" ones are left to review.
BLOCKING_IMPACTS = ("serious", "critical")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests last, after every other sorting: each one empties the database, and pytest
    would otherwise move them beside any test that shares their session-wide browser."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session", autouse=True)
def database_beside_playwright(request, django_db_setup, django_db_blocker):
    """Django's database connections as the tests need them once Playwright runs.

    Playwright's sync API keeps an event loop running in the main thread: Django then refuses
    queries as made from async code (hence DJANGO_ALLOW_ASYNC_UNSAFE), and hands out new
    connection objects (per context rather than per thread), which lack the serialized
    reference rows that ``django_db_setup`` stored on the first ones.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        serialized = {
            connection.alias: connection._test_serialized_contents
            for connection in connections.all()
            if hasattr(connection, "_test_serialized_contents")
        }
        request.getfixturevalue("playwright")
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        yield
        # Each test ends with a flush: put the reference rows back for later runs (--reuse-db).
        with django_db_blocker.unblock():
            for alias, contents in serialized.items():
                connections[alias].creation.deserialize_db_from_string(contents)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: Playwright's own builds cannot be downloaded here. A missing browser
    fails these tests (CI installs it) rather than skipping them."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORTS["desktop"], "accept_downloads": True}


@pytest.fixture(scope="session")
def axe_source():
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture
def axe_violations(axe_source):
    """Run axe-core in the page (through the DevTools protocol, so the site's CSP, which allows
    no inline script, stays on): one line per serious or critical violation."""

    def run(page):
        page.evaluate(axe_source)
        results = page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' '))})))"
        )
        return [
            f"{page.url}: {v['impact']} {v['id']}: {v['help']} → {json.dumps(v['nodes'][:5])}"
            for v in results
            if v["impact"] in BLOCKING_IMPACTS
        ]

    return run


@pytest.fixture
def check_accessibility(axe_violations):
    """Fail on any serious or critical axe-core violation in the page."""

    def check(page):
        violations = axe_violations(page)
        assert not violations, "axe-core:\n" + "\n".join(violations)

    return check


@pytest.fixture
def screenshot():
    """Full-page screenshots at desktop and phone widths, kept under var/screenshots/; returns
    a line for each width at which the page is wider than the window (scrolls sideways)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        problems = []
        for width_name, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            # Charts redraw at the new width a few frames later (Chart.js watches their box):
            # a page that fits once they have gets the time to.
            try:
                page.wait_for_function(
                    "width => document.documentElement.scrollWidth <= width",
                    arg=viewport["width"], timeout=2000,
                )
            except PlaywrightTimeoutError:
                pass  # too wide for good: reported below
            # Read before the screenshot, at the width just waited for: a full-page screenshot
            # resizes the window to the whole page for a moment.
            page_width = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=SCREENSHOTS / f"{name}-{width_name}.png", full_page=True)
            if page_width > viewport["width"]:
                problems.append(f"{page.url}: {page_width}px wide in a {viewport['width']}px "
                                f"{width_name} window")
        page.set_viewport_size(VIEWPORTS["desktop"])
        return problems

    return take


# --- buyer-ui: axe-core without the "moderate"/"minor" allowance -----------------------------


@pytest.fixture
def every_axe_violation(axe_source):
    """axe-core's violations of any impact, one line each, with the window's width."""

    def run(page):
        page.evaluate(axe_source)
        results = page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
            " nodes: v.nodes.map(n => n.target.join(' '))})))"
        )
        width = page.viewport_size["width"]
        return [
            f"{page.url} ({width}px): {v['impact']} {v['id']} → {json.dumps(v['nodes'][:5])}"
            for v in results
        ]

    return run
