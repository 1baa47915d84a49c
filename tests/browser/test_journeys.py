"""What buyers, members and curators do on the site, in a real browser, from click to database."""

import csv
import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from enterprises.models import Category, Enterprise, ImportRun, Network, Region
from purchases.models import Purchase
from tests.browser.helpers import log_in
from tests.factories import EnterpriseFactory, MembershipFactory, StaffFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SAMPLES = Path(settings.BASE_DIR) / "fixtures" / "imports"
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def test_buyer_searches_filters_opens_an_enterprise_and_exports_the_results(page, live_server):
    catering = Category.objects.get(slug="traiteur")
    quebec, montreal = Region.objects.get(code="03"), Region.objects.get(code="06")
    for number in range(2):
        EnterpriseFactory(
            name=f"Traiteur solidaire de Québec {number}", region=quebec, categories=[catering],
            description_fr="Traiteur pour vos réunions.",
        )
    for number in range(3):
        EnterpriseFactory(
            name=f"Traiteur du Plateau {number}", region=montreal, categories=[catering],
            description_fr="Traiteur pour vos réunions.",
        )
    EnterpriseFactory(name="Imprimerie coopérative", region=quebec)

    page.goto(live_server.url + reverse("enterprises:home"))
    page.fill("#home-q", "traiteur")
    page.press("#home-q", "Enter")
    expect(page.locator(".result-list > li")).to_have_count(5)

    page.check("#facet-region-03")  # htmx replaces the results without a page load
    expect(page.locator(".result-list > li")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"region=03"))

    with page.expect_download() as download_info:
        page.click(".export a:text-is('CSV')")
    with open(download_info.value.path(), encoding="utf-8-sig", newline="") as export:
        rows = list(csv.DictReader(export))
    assert sorted(row["Nom"] for row in rows) == [
        "Traiteur solidaire de Québec 0",
        "Traiteur solidaire de Québec 1",
    ]

    page.click(".result-list a:text-is('Traiteur solidaire de Québec 1')")
    expect(page.locator("h1")).to_have_text("Traiteur solidaire de Québec 1")
    assert page.url.endswith(
        Enterprise.objects.get(name="Traiteur solidaire de Québec 1").get_absolute_url()
    )


def test_member_records_and_submits_a_purchase_then_sees_it_counted_once_validated(
    browser, page, live_server
):
    membership = MembershipFactory()
    EnterpriseFactory(name="Coop Les Saveurs")
    today = datetime.date.today()

    page.goto(live_server.url + reverse("purchases:dashboard"))
    page.fill("#id_username", membership.user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(live_server.url + reverse("purchases:dashboard"))

    page.click(f".portal-nav a[href='{reverse('purchases:purchase_create')}']")
    page.fill("#id_supplier", "Coop Les Saveurs")
    page.select_option("#id_category", label=Category.objects.get(slug="traiteur").name)
    page.fill("#id_description", "Traiteur pour l'assemblée générale")
    page.fill("#id_amount", "30000.00")
    page.fill("#id_award_date", today.isoformat())
    page.select_option("#id_procurement_method", Purchase.ProcurementMethod.DIRECT)
    page.check("#id_consent_to_publish")
    page.click("form.purchase-form button[type=submit]")

    purchase = Purchase.objects.get()
    expect(page).to_have_url(live_server.url + reverse("purchases:purchase_detail",
                                                       args=[purchase.pk]))
    page.click(f"form[action='{reverse('purchases:purchase_submit', args=[purchase.pk])}'] button")
    expect(page.locator(".status")).to_have_class(re.compile(r"status-submitted"))

    staff = browser.new_context()
    log_in(staff, live_server, StaffFactory())
    admin_page = staff.new_page()
    admin_page.goto(live_server.url + reverse("admin:purchases_purchase_changelist"))
    admin_page.check(f"input[name=_selected_action][value='{purchase.pk}']")
    admin_page.select_option("select[name=action]", "validate")
    admin_page.click("button[name=index]")
    expect(admin_page.locator(".messagelist .success")).to_be_visible()
    staff.close()

    purchase.refresh_from_db()
    assert (purchase.status, purchase.enterprise.name) == (
        Purchase.Status.VALIDATED, "Coop Les Saveurs"
    )
    page.goto(live_server.url + reverse("purchases:dashboard"))
    figures = page.locator(".figures dd")
    expect(figures.nth(0)).to_have_text(re.compile(r"^30\D?000\s\$$"))
    expect(figures.nth(2)).to_have_text("1")
    assert purchase.amount == Decimal("30000.00")


def test_curator_imports_a_network_file_through_the_admin_after_a_dry_run(page, live_server):
    log_in(page.context, live_server, StaffFactory())
    cesim = Network.objects.get(slug="cesim")

    page.goto(live_server.url + reverse("admin:enterprises_importrun_upload"))
    page.select_option("#id_network", label=cesim.name)
    page.set_input_files("#id_file", SAMPLES / "cesim.csv")
    page.click("input[type=submit]")

    # Step 2: the columns, suggested from their names; "Nom" feeds the name.
    expect(page.get_by_label("Nom", exact=True)).to_have_value("name")
    page.click("input[type=submit]")

    # Step 3: the dry run shows what would change and writes nothing.
    expect(page.locator("#content")).to_contain_text("Santropol Roulant")
    assert not Enterprise.objects.exists()
    run = ImportRun.objects.get(dry_run=True)

    page.click(f"form[action='{reverse('admin:enterprises_importrun_apply', args=[run.pk])}'] "
               "input[type=submit]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert Enterprise.objects.count() == 3

    page.goto(live_server.url + reverse("admin:enterprises_enterprise_changelist"))
    for name in ("Coopérative de travail Interface", "Santropol Roulant",
                 "Mutuelle d'achats solidaires"):
        expect(page.locator("#result_list")).to_contain_text(name)
