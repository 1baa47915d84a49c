"""Every step of an import in the admin (upload, columns, preview, progress) has no axe-core
violation of any impact and fits a phone, in both languages."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enterprises.models import ImportRun, Network
from tests.browser.conftest import VIEWPORTS
from tests.browser.helpers import log_in
from tests.factories import EnterpriseFactory, StaffFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# A canonical-style file (code headers such as postal_code) with a warning and an update,
# so that the preview shows field labels, warnings and both kinds of change.
NETWORK_FILE = (
    "slug,name,legal_form,region,address,postal_code,city\n"
    "coop-a,Coop A,cooperative,03,2 rue Y,G1R 1P5,Québec\n"
    "coop-c,Coop C,cooperative,03,3 rue Z,BAD,Nulle-Part\n"
)


# A sector nobody has mapped: the preview asks staff to map it (the values step).
UNKNOWN_VALUE_FILE = (
    "slug,name,legal_form,region,sectors\n"
    "coop-e,Coop E,cooperative,03,Emballage à façon\n"
)


def upload(page, live_server, tmp_path, prefix="", content=NETWORK_FILE):
    """Send a file (NETWORK_FILE unless told) through the upload step: the browser lands on
    the columns step."""
    upload_file = Path(tmp_path / "export.csv")
    upload_file.write_text(content, encoding="utf-8")
    page.goto(live_server.url + prefix + reverse("admin:enterprises_importrun_upload"))
    page.select_option("#id_network", label=Network.objects.get(slug="cesim").name)
    page.set_input_files("#id_file", upload_file)
    page.click("input[type=submit]")


def problems_at_both_widths(page, every_axe_violation):
    """Violations and sideways scrolling at desktop and phone widths."""
    problems = []
    for name, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        problems += every_axe_violation(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            problems.append(f"{name}: {page.url} is {width}px wide in {viewport['width']}px")
    page.set_viewport_size(VIEWPORTS["desktop"])
    return problems


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_every_import_step_is_accessible_and_fits_a_phone(
    page, live_server, tmp_path, every_axe_violation, prefix
):
    staff = StaffFactory()
    log_in(page.context, live_server, staff)
    EnterpriseFactory(slug="coop-a", name="Coop A", address="1 rue X")
    page.goto(live_server.url + prefix + reverse("admin:enterprises_importrun_upload"))
    problems = problems_at_both_widths(page, every_axe_violation)

    upload(page, live_server, tmp_path, prefix)
    expect(page.locator("#id_column_0")).to_be_visible()
    # Each select is named by its column: a screen reader says which column it maps.
    expect(page.get_by_label("postal_code", exact=True)).to_have_value("postal_code")
    problems += problems_at_both_widths(page, every_axe_violation)

    page.click("input[type=submit]")
    expect(page.locator("#content")).to_contain_text("Coop C")
    problems += problems_at_both_widths(page, every_axe_violation)

    running = ImportRun.objects.create(
        network=Network.objects.get(slug="cesim"), file_name="big.csv", dry_run=True,
        created_by=staff, state=ImportRun.State.RUNNING,
    )
    page.goto(live_server.url + prefix
              + reverse("admin:enterprises_importrun_change", args=[running.pk]))
    expect(page.locator("#import-progress")).to_be_visible()
    problems += problems_at_both_widths(page, every_axe_violation)

    assert not problems, "\n".join(problems)


def test_the_french_preview_names_fields_and_kinds_in_french(page, live_server, tmp_path):
    log_in(page.context, live_server, StaffFactory())
    EnterpriseFactory(slug="coop-a", name="Coop A", address="1 rue X")
    upload(page, live_server, tmp_path)
    page.click("input[type=submit]")

    changes = page.locator(".import-table")
    expect(changes).to_contain_text("Adresse")
    expect(changes).to_contain_text("Code postal « BAD »")
    expect(changes).to_contain_text("Mises à jour")
    for raw in ("postal_code", "address", "created", "updated"):
        expect(changes).not_to_contain_text(raw)


def test_on_a_phone_the_columns_step_shows_each_column_as_a_card(page, live_server, tmp_path):
    log_in(page.context, live_server, StaffFactory())
    upload(page, live_server, tmp_path)

    page.set_viewport_size(VIEWPORTS["phone"])

    select = page.locator("#id_column_0").bounding_box()
    reason = page.locator("#id_column_0_helptext").bounding_box()
    assert reason["y"] > select["y"]  # stacked under the select, not beside it
    assert select["x"] + select["width"] <= VIEWPORTS["phone"]["width"]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_values_step_is_accessible_and_fits_a_phone(
    page, live_server, tmp_path, every_axe_violation, prefix
):
    log_in(page.context, live_server, StaffFactory())
    upload(page, live_server, tmp_path, prefix, content=UNKNOWN_VALUE_FILE)
    page.click("input[type=submit]")

    value = page.locator("#id_value_0")
    expect(value).to_be_visible()
    # The box is named by the field and the value it maps.
    expect(page.get_by_label("Emballage à façon", exact=False)).to_be_visible()
    problems = problems_at_both_widths(page, every_axe_violation)

    assert not problems, "\n".join(problems)
