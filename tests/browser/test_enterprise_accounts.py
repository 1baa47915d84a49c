"""Enterprises keep their own profiles, in a real browser: claiming, editing, staff review,
a buyer's report, and axe-core on every page and state of the claim and the portal, in French
and English, at desktop and phone widths."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from enterprise_accounts import claims
from enterprise_accounts.models import (
    Claim,
    EnterpriseAccount,
    EnterpriseMembership,
    ErrorReport,
)
from tests.browser.helpers import log_in
from tests.factories import (
    ClaimFactory,
    EnterpriseFactory,
    EnterpriseMembershipFactory,
    LabelFactory,
    QuoteInvitationFactory,
    StaffFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Pousses-de-tournesol-2026"


@pytest.fixture
def enterprise():
    cache.clear()
    return EnterpriseFactory(
        name="Coop Les Pousses", slug="coop-les-pousses", website="https://lespousses.coop",
        description_fr="Une coopérative maraîchère.",
    )


def link_in_last_mail(live_server, task_worker):
    task_worker()
    url = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    return live_server.url + re.sub(r"^https?://[^/]+", "", url)


def claim(page, enterprise, email):
    page.click("text=C'est mon entreprise")
    page.fill("#id_name", "Léa Tremblay")
    page.fill("#id_role_title", "Directrice générale")
    page.fill("#id_email", email)
    page.click("button:text-is('Envoyer')")


def choose_password(page):
    expect(page.locator("h1")).to_have_text("Choisissez votre mot de passe")
    page.fill("#id_new_password1", PASSWORD)
    page.fill("#id_new_password2", PASSWORD)
    page.click("button:text-is('Enregistrer le mot de passe')")
    expect(page.locator("h1")).to_have_text("Votre fiche")


def test_a_person_claims_by_domain_email_edits_and_the_text_appears_after_review(
    page, live_server, enterprise, task_worker
):
    page.goto(live_server.url + enterprise.get_absolute_url())
    claim(page, enterprise, "lea@lespousses.coop")
    expect(page.locator("[role=status]")).to_contain_text("lea@lespousses.coop")

    page.goto(link_in_last_mail(live_server, task_worker))
    page.click("button:text-is('Confirmer')")
    choose_password(page)

    page.fill("#id_description_fr", "Légumes bio livrés aux cafétérias.")
    page.fill("#id_integration_workers", "7")
    # The tree narrows to the match, under its parent; the rest hides until the box is cleared.
    categories = page.locator("#id_categories")
    page.fill("#category-filter", "traiteur")
    expect(categories.get_by_label("Traiteur et buffets")).to_be_visible()
    expect(categories.get_by_label("Alimentation et restauration")).to_be_visible()
    expect(categories.get_by_label("Boîtes à lunch")).to_be_hidden()
    expect(categories.get_by_label("Impression et communications")).to_be_hidden()
    expect(page.locator("#category-filter-status")).to_contain_text("2")
    categories.get_by_label("Traiteur et buffets").check()
    page.fill("#category-filter", "")
    expect(categories.get_by_label("Boîtes à lunch")).to_be_visible()
    page.click("button:text-is('Enregistrer')")
    expect(page.locator(".messages")).to_contain_text("une fois approuvées")
    assert list(enterprise.categories.values_list("slug", flat=True)) == ["traiteur"]

    public = live_server.url + enterprise.get_absolute_url()
    page.goto(public)
    expect(page.locator(".enterprise-own-profile")).to_contain_text("7")
    expect(page.locator(".description")).not_to_contain_text("cafétérias")

    log_in(page.context, live_server, StaffFactory(username="curator"))
    page.goto(live_server.url + reverse("admin:enterprise_accounts_queue"))
    page.click("a:text-is('Examiner')")
    expect(page.locator("ins").first).to_contain_text("cafétérias")
    page.click("input[name=approve]")
    page.goto(public)
    expect(page.locator(".description")).to_contain_text("Légumes bio livrés aux cafétérias.")


def test_a_claim_from_another_domain_is_approved_by_staff_and_a_trusted_change_is_live_at_once(
    page, live_server, enterprise, task_worker
):
    page.goto(live_server.url + enterprise.get_absolute_url())
    claim(page, enterprise, "lea.tremblay@gmail.com")
    expect(page.locator("[role=status]")).to_contain_text("L'équipe du réseau vérifiera")
    assert not EnterpriseMembership.objects.exists()

    staff = page.context.browser.new_context()
    staff_page = staff.new_page()
    log_in(staff, live_server, StaffFactory(username="curator"))
    staff_page.goto(live_server.url + reverse("admin:enterprise_accounts_queue"))
    staff_page.click("a:text-is('Décider')")
    staff_page.click("input[name=approve]")
    expect(staff_page.locator(".messagelist")).to_contain_text("approuvée")
    staff.close()

    page.goto(link_in_last_mail(live_server, task_worker))
    page.click("button:text-is('Confirmer')")
    choose_password(page)

    EnterpriseAccount.objects.filter(enterprise=enterprise).update(trusted=True)
    page.fill("#id_description_fr", "Paniers de légumes toute l'année.")
    page.click("button:text-is('Enregistrer')")
    expect(page.locator(".messages")).to_contain_text("votre fiche est à jour")
    page.goto(live_server.url + enterprise.get_absolute_url())
    expect(page.locator(".description")).to_contain_text("Paniers de légumes toute l'année.")
    expect(page.locator(".enterprise-own-profile")).to_be_visible()


def test_staff_correct_a_proposed_legal_form_and_labels_then_the_profile_shows_theirs(
    page, live_server, enterprise
):
    organic, fair, insertion = (LabelFactory(name=name) for name in (
        "Maraîcher certifié", "Équitable local", "Insertion maraîchère"))
    membership = EnterpriseMembershipFactory(enterprise=enterprise, role="owner")
    log_in(page.context, live_server, membership.user)
    page.goto(live_server.url + reverse("enterprise_accounts:identity", args=[enterprise.pk]))
    page.select_option("#id_legal_form", "solidarity_cooperative")
    page.get_by_label("Maraîcher certifié").check()
    page.get_by_label("Équitable local").check()
    page.click("button:text-is('Envoyer la demande')")

    staff = page.context.browser.new_context()
    staff_page = staff.new_page()
    log_in(staff, live_server, StaffFactory(username="curator"))
    staff_page.goto(live_server.url + reverse("admin:enterprise_accounts_queue"))
    staff_page.click("a:text-is('Examiner')")
    # The form holds the proposal; staff keep one label, swap the other, fix the form.
    expect(staff_page.locator("#id_legal_form")).to_have_value("solidarity_cooperative")
    expect(staff_page.locator("#id_labels option:checked")).to_have_text(
        ["Maraîcher certifié", "Équitable local"])
    staff_page.select_option("#id_labels", [str(organic.pk), str(insertion.pk)])
    staff_page.select_option("#id_legal_form", "worker_cooperative")
    staff_page.click("input[name=approve]")
    expect(staff_page.locator(".messagelist")).to_contain_text("la fiche affiche la modification")
    staff.close()

    page.goto(live_server.url + enterprise.get_absolute_url())
    expect(page.locator(".lead")).to_contain_text("Coopérative de travailleurs")
    expect(page.locator(".label-list")).to_contain_text("Insertion maraîchère")
    expect(page.locator(".label-list")).to_contain_text("Maraîcher certifié")
    expect(page.locator(".label-list")).not_to_contain_text("Équitable local")


def test_a_buyer_report_reaches_the_staff_queue(page, live_server, enterprise):
    page.goto(live_server.url + enterprise.get_absolute_url())
    page.click("text=Signaler une erreur")
    page.fill("#id_message", "Le numéro de téléphone ne répond plus.")
    page.click("button:text-is('Envoyer')")
    expect(page.locator("[role=status]")).to_contain_text("Merci")
    assert ErrorReport.objects.get().enterprise == enterprise

    log_in(page.context, live_server, StaffFactory(username="curator"))
    page.goto(live_server.url + reverse("admin:enterprise_accounts_queue"))
    expect(page.locator("#content-main")).to_contain_text("Le numéro de téléphone ne répond plus.")


def submit(page):
    page.click("form.account-form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_portal_page_and_state_passes_axe_and_fits_a_phone(
    page, live_server, enterprise, every_axe_violation, screenshot, task_worker, language
):
    """Every page of the claim and the portal, empty, refused (form errors) and done, at desktop
    and phone widths: no axe-core violation of any impact, nothing wider than the window."""
    person = StaffFactory(username="lea@lespousses.coop", is_staff=False, is_superuser=False)
    EnterpriseMembership.objects.create(user=person, enterprise=enterprise, role="owner")
    # A second enterprise: the portal's home lists both instead of opening the only one.
    EnterpriseMembership.objects.create(user=person, enterprise=EnterpriseFactory(), role="owner")
    QuoteInvitationFactory.create_batch(2, enterprise=enterprise)
    approved = ClaimFactory(enterprise=enterprise, state=Claim.State.APPROVED)
    with translation.override(language):
        def url(name, *args):
            return live_server.url + reverse(f"enterprise_accounts:{name}", args=args)
        claim_url, report_url = url("claim", enterprise.slug), url("report", enterprise.slug)
        welcome_url = url("welcome", claims.welcome_token(approved))
        portal_urls = {name: url(name, enterprise.pk) for name in (
            "profile", "files", "identity", "team", "page_quote_requests")}
        set_password_url, portal_url = url("set_password"), url("portal")
    problems = []

    def check(name):
        for width in ({"width": 1280, "height": 800}, {"width": 390, "height": 844}):
            page.set_viewport_size(width)
            problems.extend(every_axe_violation(page))
        page.set_viewport_size({"width": 1280, "height": 800})
        problems.extend(screenshot(page, f"enterprise-accounts-{language}-{name}"))

    for name, address in (("claim", claim_url), ("report", report_url)):
        page.goto(address)
        check(name)
        submit(page)  # empty: the required fields say so
        expect(page.locator(".errorlist").first).to_be_visible()
        check(f"{name}-errors")
    page.fill("#id_message", "Le numéro ne répond plus.")
    submit(page)
    expect(page.locator("[role=status]")).to_be_visible()
    check("report-sent")
    page.goto(claim_url)
    page.fill("#id_name", "Léa Tremblay")
    page.fill("#id_role_title", "Directrice")
    page.fill("#id_email", "lea@lespousses.coop")
    submit(page)
    expect(page.locator("[role=status]")).to_be_visible()
    check("claim-sent")
    page.goto(link_in_last_mail(live_server, task_worker))
    expect(page.locator("main form button")).to_be_visible()  # a valid link: its button
    check("claim-link")
    page.goto(welcome_url)
    expect(page.locator("main form button")).to_be_visible()
    check("welcome")

    log_in(page.context, live_server, person)
    page.goto(portal_url)
    expect(page.locator(f"a[href='{portal_urls['profile'].removeprefix(live_server.url)}']"))\
        .to_be_visible()
    check("portal-home")
    page.goto(set_password_url)
    check("set-password")
    submit(page)
    expect(page.locator(".errorlist").first).to_be_visible()
    check("set-password-errors")
    for name, address in portal_urls.items():
        page.goto(address)
        check(name)
    # Each portal form refusing what it was sent.
    page.goto(portal_urls["profile"])
    page.fill("#id_email", "pas-une-adresse")
    submit(page)
    expect(page.locator(".errorlist").first).to_be_visible()
    check("profile-errors")
    page.goto(portal_urls["files"])
    page.select_option("#id_kind", "logo")
    page.set_input_files("#id_file", {
        "name": "logo.svg", "mimeType": "image/svg+xml",
        "buffer": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'})
    submit(page)
    expect(page.locator(".errorlist").first).to_contain_text("SVG")
    check("files-errors")
    page.goto(portal_urls["identity"])
    page.fill("#id_name", "")
    submit(page)
    expect(page.locator(".errorlist").first).to_be_visible()
    check("identity-errors")
    page.goto(portal_urls["team"])
    page.fill("#id_email", "pas-une-adresse")
    submit(page)
    expect(page.locator(".errorlist").first).to_be_visible()
    check("team-errors")
    assert not problems, "\n".join(problems)
