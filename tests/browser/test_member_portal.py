"""The member portal in Chromium, in both languages, at desktop and phone sizes: amounts read as
typed, a bulk upload the member fixes alone, a truthful dashboard, an email sign-in, tables that
fit a phone, and no axe-core violation of any impact on any portal page."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from enterprises.models import Category, Sector
from purchases.models import Invitation, Membership, Purchase
from purchases.uploads import start_job, store
from tests.browser.conftest import VIEWPORTS
from tests.browser.helpers import log_in
from tests.factories import (
    EnterpriseFactory,
    InvitationFactory,
    MembershipFactory,
    PurchaseFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

UPLOAD = (
    "NEQ du fournisseur;Nom du fournisseur;Produit ou service;Description;"
    "Montant avant taxes ($);Date d'attribution;Mode d'attribution;Région de livraison;"
    "Peut être publié\r\n"
    ";Coop A;Traiteur;Repas;12,500;14/06/2026;gré à gré;99;oui\r\n"
    ";Coop B;Traiteur;Repas;1 200,50;2026-01-10;gré à gré;Montréal;oui\r\n"
)
VALID_UPLOAD = UPLOAD.splitlines()[0] + "\r\n" + UPLOAD.splitlines()[2] + "\r\n"


@pytest.fixture
def portal():
    """A manager whose organization passed its target (152 %), with purchases of every status,
    a colleague and an open invitation."""
    cache.clear()
    membership = MembershipFactory(role=Membership.Role.MANAGER)
    organization = membership.organization
    organization.yearly_target = Decimal("10000")
    organization.save()
    enterprise = EnterpriseFactory(name="Coop Les Saveurs",
                                   sectors=[Sector.objects.order_by("pk").first()])
    catering = Category.objects.get(slug="traiteur")
    today = datetime.date.today()
    validated = PurchaseFactory(
        organization=organization, enterprise=enterprise, category=catering,
        amount=Decimal("15200"), status=Purchase.Status.VALIDATED,
        award_date=today.replace(month=1, day=10),
    )
    draft, _submitted = (
        PurchaseFactory(organization=organization, enterprise=None,
                        supplier_name="Traiteur du quartier, coopérative de solidarité",
                        category=catering, amount=Decimal("1250.50"), status=status,
                        award_date=today.replace(month=1, day=12))
        for status in (Purchase.Status.DRAFT, Purchase.Status.SUBMITTED)
    )
    MembershipFactory(organization=organization)
    invitation = InvitationFactory(organization=organization)
    return {"member": membership.user, "purchase": validated, "draft": draft,
            "invitation": invitation}


def url(name, language="fr", **kwargs):
    with translation.override(language):
        return reverse(f"purchases:{name}", kwargs=kwargs or None)


def open_page(page, live_server, path):
    response = page.goto(live_server.url + path)
    assert response.status == 200, path
    page.wait_for_load_state("networkidle")


def fill_purchase(page, supplier, amount):
    page.fill("#id_supplier", supplier)
    page.fill("#id_amount", amount)
    page.fill("#id_award_date", datetime.date.today().replace(month=1, day=5).isoformat())
    page.select_option("#id_procurement_method", Purchase.ProcurementMethod.DIRECT)
    page.click("form.purchase-form button[type=submit]")


def violations_at_both_widths(page, every_axe_violation):
    problems = []
    for viewport in VIEWPORTS.values():
        page.set_viewport_size(viewport)
        problems += every_axe_violation(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            problems.append(f"{page.url}: {width}px wide in a {viewport['width']}px window")
    page.set_viewport_size(VIEWPORTS["desktop"])
    return problems


def test_every_portal_page_has_no_axe_violation_at_either_width(
    page, live_server, portal, every_axe_violation, tmp_path
):
    """One test for every page and step (each browser test costs a database flush)."""
    problems = []
    member = portal["member"]
    reset = {"uidb64": urlsafe_base64_encode(force_bytes(member.pk)),
             "token": default_token_generator.make_token(member)}
    for language in ("fr", "en"):
        # The reset link trades its token for the session and shows the new password's form.
        for path in (url("login", language), url("password_reset", language),
                     url("password_reset_done", language),
                     url("password_reset_confirm", language, **reset),
                     url("password_reset_complete", language),
                     url("invitation", language, token=portal["invitation"].token),
                     url("repertory", language)):
            open_page(page, live_server, path)
            problems += violations_at_both_widths(page, every_axe_violation)

    log_in(page.context, live_server, member)
    status = start_job(Membership.objects.get(user=member), "uploads/achats.csv", "achats.csv",
                       dry_run=True, language="fr")
    for language in ("fr", "en"):
        for path in (url("dashboard", language), url("purchase_list", language),
                     url("purchase_create", language), url("purchase_upload", language),
                     url("team", language), url("target", language),
                     url("purchase_detail", language, pk=portal["purchase"].pk),
                     url("purchase_update", language, pk=portal["draft"].pk),
                     url("upload_status", language, token=status)):
            open_page(page, live_server, path)
            problems += violations_at_both_widths(page, every_axe_violation)

    # The form's errors, the amount's confirmation, the upload's problems and its confirm step.
    open_page(page, live_server, url("purchase_create"))
    fill_purchase(page, "Coop A", "1250050")
    page.wait_for_selector("#id_confirm_amount")
    problems += violations_at_both_widths(page, every_axe_violation)
    for content in (UPLOAD, VALID_UPLOAD):
        spreadsheet = tmp_path / "achats.csv"
        spreadsheet.write_text(content, encoding="utf-8")
        open_page(page, live_server, url("purchase_upload"))
        page.set_input_files("#id_file", spreadsheet)
        page.click("main form[enctype] button[type=submit]")
        page.wait_for_selector(".import-result")
        problems += violations_at_both_widths(page, every_axe_violation)

    assert not problems, "\n".join(problems)


def test_a_large_files_status_page_shows_the_result_in_place_once_checked(
    page, live_server, portal, task_worker
):
    """The status page waits without reloading itself (a timed reload interrupts a screen
    reader and cannot be stopped): its script asks again and shows the outcome where the
    waiting message was."""
    log_in(page.context, live_server, portal["member"])
    membership = Membership.objects.get(user=portal["member"])
    stored = store(SimpleUploadedFile("achats.csv", VALID_UPLOAD.encode("utf-8")))
    token = start_job(membership, stored, "achats.csv", dry_run=True, language="fr")
    open_page(page, live_server, url("upload_status", token=token))
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    expect(page.locator("#upload-status [role=status]")).to_contain_text("en cours de vérification")

    task_worker()

    expect(page.locator("#upload-outcome-heading")).to_contain_text("Le fichier est valide")
    expect(page.locator("#upload-outcome-heading")).to_be_focused()
    assert page.locator("#upload-status[data-waiting]").count() == 0


def test_a_french_amount_is_saved_as_typed_and_a_huge_one_only_once_confirmed(
    page, live_server, portal
):
    log_in(page.context, live_server, portal["member"])
    open_page(page, live_server, url("purchase_create"))
    assert page.get_attribute("#id_amount", "inputmode") == "decimal"
    fill_purchase(page, "Coop A", "12500,50")
    page.wait_for_url(re.compile(r"/membres/achats/\d+/$"))
    assert Purchase.objects.get(supplier_name="Coop A").amount == Decimal("12500.50")
    assert "12\u00a0500,50\u00a0$" in page.inner_text("h1")

    open_page(page, live_server, url("purchase_create"))
    fill_purchase(page, "Coop B", "1250050")
    error = page.inner_text("#id_amount_error")
    assert "1\u00a0250\u00a0050\u00a0$" in error and "plus grande taille de contrat" in error
    assert not Purchase.objects.filter(supplier_name="Coop B").exists()
    page.check("#id_confirm_amount")
    page.click("form.purchase-form button[type=submit]")
    page.wait_for_url(re.compile(r"/membres/achats/\d+/$"))
    assert Purchase.objects.get(supplier_name="Coop B").amount == Decimal("1250050")


def test_an_ambiguous_amount_on_an_english_page_says_how_to_write_it(page, live_server, portal):
    log_in(page.context, live_server, portal["member"])
    open_page(page, live_server, url("purchase_create", "en"))
    fill_purchase(page, "Coop A", "12,50")
    assert "could be read as 12.50 or as 1,250.00" in page.inner_text("#id_amount_error")


def test_upload_lists_every_problem_then_saves_without_choosing_the_file_again(
    page, live_server, portal, tmp_path
):
    log_in(page.context, live_server, portal["member"])
    spreadsheet = tmp_path / "achats.csv"
    spreadsheet.write_text(UPLOAD, encoding="utf-8")
    open_page(page, live_server, url("purchase_upload"))
    page.set_input_files("#id_file", spreadsheet)
    page.click("main form[enctype] button[type=submit]")
    rows = page.locator(".upload-errors tbody tr")
    cells = [rows.nth(index).locator("td").all_inner_texts() for index in range(rows.count())]
    assert [cell[:3] for cell in cells] == [
        ["2", "Montant avant taxes ($)", "12,500"],
        ["2", "Date d'attribution", "14/06/2026"],
        ["2", "Région de livraison", "99"],
    ]
    assert "2026-06-14" in cells[1][3]

    spreadsheet.write_text(VALID_UPLOAD, encoding="utf-8")
    page.set_input_files("#id_file", spreadsheet)
    page.click("main form[enctype] button[type=submit]")
    page.click("text=Enregistrer cet achat comme brouillon")
    page.wait_for_url(re.compile(r"/membres/achats/$"))
    assert Purchase.objects.filter(supplier_name="Coop B", amount=Decimal("1200.50")).exists()


@pytest.mark.parametrize(("language", "figure"), [("fr", "152\u00a0%"), ("en", "152%")])
def test_a_passed_target_shows_its_real_percentage_and_a_full_bar(
    page, live_server, portal, language, figure
):
    log_in(page.context, live_server, portal["member"])
    open_page(page, live_server, url("dashboard", language))
    assert figure in page.inner_text("#target-progress")
    assert page.get_attribute("progress", "value") == "100"


@pytest.mark.parametrize(("language", "label"), [("fr", "Courriel"), ("en", "Email")])
def test_the_sign_in_asks_for_the_email(page, live_server, language, label):
    user = UserFactory(username="membre@example.org", email="membre@example.org")
    user.set_password("demo-demo-demo")
    user.save()
    MembershipFactory(user=user)
    open_page(page, live_server, url("login", language))
    page.get_by_label(label).fill("membre@example.org")
    page.fill("#id_password", "demo-demo-demo")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/membres/$"))


def test_on_a_phone_the_purchases_are_cards_with_amount_and_status_in_view(
    page, live_server, portal
):
    log_in(page.context, live_server, portal["member"])
    page.set_viewport_size(VIEWPORTS["phone"])
    open_page(page, live_server, url("purchase_list"))
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
    for label in ("Montant", "Statut"):
        cell = page.locator(f"table.stacked td[data-label='{label}']").first
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS["phone"]["width"], label
        assert cell.is_visible()


def test_on_a_phone_the_repertory_table_scrolls_from_the_keyboard(page, live_server, portal):
    page.set_viewport_size(VIEWPORTS["phone"])
    open_page(page, live_server, url("repertory"))
    region = page.get_by_role("region", name=re.compile("^Nombre d'achats et valeur"))
    assert region.get_attribute("tabindex") == "0"
    assert page.locator(".scroll-hint").is_visible()
    region.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # The browser may scroll smoothly: wait for the region to have moved, up to 5 s.
    page.wait_for_function(
        "element => element.scrollLeft > 0", arg=region.element_handle(), timeout=5000
    )


def test_an_invitation_page_is_a_form_a_phone_can_fill(page, live_server, portal):
    page.set_viewport_size(VIEWPORTS["phone"])
    invitation = portal["invitation"]
    assert invitation.state == Invitation.State.PENDING
    open_page(page, live_server, url("invitation", token=invitation.token))
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
