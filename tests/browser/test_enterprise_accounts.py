"""Enterprises keep their own profiles, in a real browser: claiming, editing, staff review,
a buyer's report, and axe-core on the portal's pages at desktop and phone widths."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from enterprise_accounts.models import EnterpriseAccount, EnterpriseMembership, ErrorReport
from tests.browser.helpers import log_in
from tests.factories import (
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
    page.fill("#category-filter", "traiteur")
    expect(page.locator("#id_categories label:has-text('Traiteur')").first).to_be_visible()
    page.click("button:text-is('Enregistrer')")
    expect(page.locator(".messages")).to_contain_text("une fois approuvées")

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


def test_portal_pages_have_no_serious_accessibility_violation_and_fit_a_phone(
    page, live_server, enterprise, axe_violations, screenshot
):
    membership = EnterpriseMembership.objects.create(
        user=StaffFactory(username="lea@lespousses.coop", is_staff=False, is_superuser=False),
        enterprise=enterprise, role="owner",
    )
    QuoteInvitationFactory.create_batch(2, enterprise=enterprise)
    pages = {
        "claim": reverse("enterprise_accounts:claim", args=[enterprise.slug]),
        "report": reverse("enterprise_accounts:report", args=[enterprise.slug]),
        "portal-profile": reverse("enterprise_accounts:profile", args=[enterprise.pk]),
        "portal-files": reverse("enterprise_accounts:files", args=[enterprise.pk]),
        "portal-identity": reverse("enterprise_accounts:identity", args=[enterprise.pk]),
        "portal-team": reverse("enterprise_accounts:team", args=[enterprise.pk]),
        "portal-quote-requests": reverse("enterprise_accounts:page_quote_requests",
                                         args=[enterprise.pk]),
    }
    log_in(page.context, live_server, membership.user)
    problems = []
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        problems += axe_violations(page)
        problems += screenshot(page, f"enterprise-accounts-{name}")
        page.set_viewport_size({"width": 390, "height": 844})
        problems += axe_violations(page)
        page.set_viewport_size({"width": 1280, "height": 800})
    assert not problems, "\n".join(problems)
