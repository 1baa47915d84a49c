"""The loop from search to recorded purchase, in a real browser, in French and in English:
shortlist → request to three enterprises → one quotes, one declines, one never answers → the
buyer chooses → a draft purchase appears pre-filled → submitted → validated by staff →
counted in the public repertory."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from enterprises.models import Category
from procurement import links
from procurement.models import EnterprisePreference, QuoteRequest
from purchases.models import Purchase
from tests.browser.helpers import log_in
from tests.factories import (
    BuyerProfileFactory,
    EnterpriseFactory,
    MembershipFactory,
    QuoteInvitationFactory,
    QuoteRequestFactory,
    StaffFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WORDS = {
    "fr-ca": {
        "save": "Enregistrer dans une liste",
        "ask": "Demander des prix à ces entreprises",
        "confirm": "Confirmer mon choix",
        "prepare": "Préparer le brouillon d'achat",
        "sent": "Votre demande a été envoyée.",
        "quoted": "Soumission envoyée",
        "repertory": "Demandes de prix passées par le répertoire",
    },
    "en": {
        "save": "Save to a shortlist",
        "ask": "Ask these enterprises for a quote",
        "confirm": "Confirm my choice",
        "prepare": "Prepare the draft purchase",
        "sent": "Your request was sent.",
        "quoted": "Quote sent",
        "repertory": "Requests for quotes through the directory",
    },
}


def url(language, name, *args):
    with translation.override(language):
        return reverse(name, args=args)


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_a_buyer_goes_from_a_shortlist_to_a_validated_purchase_counted_in_the_repertory(
    browser, page, live_server, task_worker, language, check_accessibility, screenshot
):
    words = WORDS[language]
    catering = Category.objects.get(slug="traiteur")
    member = MembershipFactory(user__email="acheteuse@ville.example")
    quoting, declining, silent = [
        EnterpriseFactory(name=name, email=email, categories=[catering])
        for name, email in [
            ("Traiteur Solidaire", "traiteur@solidaire.example"),
            ("Cuisine Collective", "cuisine@collective.example"),
            ("Buffet Coop", "buffet@coop.example"),
        ]
    ]
    # Two earlier requests in the same category and place, never answered: the repertory
    # shows no category or region with fewer than three requests.
    for _ in range(2):
        QuoteRequestFactory(category=catering)
    # The declining enterprise reads English, the others French: each mail in its language.
    EnterprisePreference.objects.create(enterprise=declining, language="en")
    context = page.context
    log_in(context, live_server, member.user)
    site = live_server.url

    # Saved from a result card, then from two enterprise pages.
    page.goto(site + url(language, "enterprises:list"))
    card = page.locator(".enterprise-card", has_text="Traiteur Solidaire")
    card.get_by_role("link", name=re.compile(words["save"])).click()
    page.fill("#id_new_name", "Traiteurs pour la fête de quartier")
    page.locator("main form button[type=submit]").click()
    for enterprise in (declining, silent):
        page.goto(site + url(language, "enterprises:detail", enterprise.slug))
        page.get_by_role("link", name=words["save"]).click()
        page.select_option("#id_shortlist", label="Traiteurs pour la fête de quartier")
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".shortlist-entries > li")).to_have_count(3)
    check_accessibility(page)

    page.get_by_role("link", name=words["ask"]).click()
    page.fill("#id_title", "Repas pour 80 personnes")
    page.select_option("#id_category", str(catering.pk))
    page.fill("#id_description", "Un buffet chaud pour la fête de quartier.")
    page.fill("#id_municipality", "Longueuil")
    page.fill("#id_answer_by", (datetime.date.today() + datetime.timedelta(days=10)).isoformat())
    for checkbox in page.locator("input[name=recipients]").all():
        checkbox.check()
    check_accessibility(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(words["sent"])
    quote_request = QuoteRequest.objects.get(buyer=member.user)

    task_worker()
    mails = {message.to[0]: message for message in mail.outbox}
    assert mails[quoting.email].subject == "Demande de prix : Repas pour 80 personnes"
    assert mails[declining.email].subject == "Request for quotes: Repas pour 80 personnes"
    assert silent.email in mails

    # The enterprises answer from their emails, with no account.
    enterprise_context = browser.new_context()
    answering = enterprise_context.new_page()
    answering.goto(link_in(mails[quoting.email]))
    check_accessibility(answering)
    assert screenshot(answering, f"procurement-respond-{language}") == []
    answering.check("input[name=answer][value=quoted]")
    answering.fill("#id_amount", "4 250,50")
    answering.fill("#id_delay", "2 semaines")
    answering.click("button[name=answer-submit]")
    expect(answering.locator(".messages")).to_be_visible()
    answering.goto(link_in(mails[declining.email]))
    expect(answering.locator("html")).to_have_attribute("lang", re.compile("^en"))
    answering.check("input[name=answer][value=declined]")
    answering.select_option("#id_decline_reason", "too_busy")
    answering.click("button[name=answer-submit]")
    expect(answering.locator(".messages")).to_be_visible()
    enterprise_context.close()

    # The buyer sees the answers, the answering enterprises' addresses only, and chooses.
    page.goto(site + url(language, "procurement:request_detail", quote_request.pk))
    expect(page.locator(f"#answer-{quote_request.invitations.get(enterprise=quoting).pk}"))\
        .to_contain_text(words["quoted"])
    expect(page.locator("main")).to_contain_text(declining.email)
    expect(page.locator("main")).not_to_contain_text(silent.email)
    assert screenshot(page, f"procurement-request-{language}") == []
    page.get_by_label(re.compile("^Traiteur Solidaire")).check()
    page.get_by_role("button", name=words["confirm"]).click()
    page.get_by_role("button", name=words["prepare"]).click()

    purchase = Purchase.objects.get()
    expect(page).to_have_url(site + url(language, "purchases:purchase_update", purchase.pk))
    expect(page.locator("#id_supplier")).to_have_value("Traiteur Solidaire")
    expect(page.locator("#id_amount")).to_have_value(re.compile(r"4\D?250[.,]50"))
    expect(page.locator("#id_category")).to_have_value(str(catering.pk))
    expect(page.locator("#id_award_date")).to_have_value(datetime.date.today().isoformat())
    expect(page.locator("#id_procurement_method")).to_have_value("invitation")
    page.check("#id_consent_to_publish")
    page.click("form.purchase-form button[type=submit]")
    page.click(f"form[action='{url(language, 'purchases:purchase_submit', purchase.pk)}'] button")
    expect(page.locator(".status")).to_have_class(re.compile(r"status-submitted"))

    # Submitted is not converted yet: the repertory counts only what staff validated.
    page.goto(site + url(language, "purchases:repertory"))
    tables = page.locator(".quote-request-counts table")
    expect(tables).to_have_count(2)
    for table in tables.all():
        expect(table.locator("tbody tr td")).to_have_text(["3", "1", "0"])

    staff = browser.new_context()
    log_in(staff, live_server, StaffFactory())
    admin_page = staff.new_page()
    admin_page.goto(site + reverse("admin:purchases_purchase_changelist"))
    admin_page.check(f"input[name=_selected_action][value='{purchase.pk}']")
    admin_page.select_option("select[name=action]", "validate")
    admin_page.click("button[name=index]")
    expect(admin_page.locator(".messagelist .success")).to_be_visible()
    staff.close()

    purchase.refresh_from_db()
    quote_request.refresh_from_db()
    assert purchase.status == Purchase.Status.VALIDATED
    assert quote_request.purchase == purchase

    page.goto(site + url(language, "purchases:repertory"))
    expect(page.locator(".figures dd").first).to_have_text("1")
    requests_section = page.locator(".quote-request-counts")
    expect(requests_section.locator("h2")).to_have_text(words["repertory"])
    # Sent, answered, converted: the three requests, in their category and their region.
    tables = requests_section.locator("table")
    expect(tables).to_have_count(2)
    for table in tables.all():
        expect(table.locator("tbody tr td")).to_have_text(["3", "1", "1"])
    check_accessibility(page)


def link_in(message):
    return re.search(r"https?://\S+", message.body).group()


NOTICE_WORDS = {
    "fr-ca": {
        "question": "Arrêter les avis de réponse\u00a0?",
        "stop": "Arrêter les avis",
        "stopped": "Vous ne recevrez plus d'avis",
        "resume": "Réactiver les avis",
        "resumed": "Vous recevrez un courriel pour chaque réponse.",
    },
    "en": {
        "question": "Stop the notices of answers?",
        "stop": "Stop the notices",
        "stopped": "You will receive no more notices",
        "resume": "Turn the notices back on",
        "resumed": "You will receive an email for each answer.",
    },
}


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_a_buyer_signs_in_to_their_shortlists_unsubscribes_from_a_notice_and_turns_it_back_on(
    browser, page, live_server, task_worker, language, check_accessibility, screenshot
):
    words = NOTICE_WORDS[language]
    buyer = BuyerProfileFactory(
        user__username="achats@clinique.example", user__email="achats@clinique.example"
    ).user
    quote_request = QuoteRequestFactory(buyer=buyer, language=language[:2])
    invitations = [QuoteInvitationFactory(request=quote_request) for _ in range(3)]
    site = live_server.url

    # Signing in with no page to go back to leads to the buyer's shortlists and requests.
    page.goto(site + url(language, "purchases:login"))
    page.fill("#id_username", buyer.username)
    page.fill("#id_password", "correct horse battery staple")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(site + url(language, "procurement:shortlist_list"))

    def enterprise_answers(invitation):
        answering = browser.new_context().new_page()
        answering.goto(site + url(
            language, "procurement:respond", links.make_token(links.RESPOND, invitation.pk)
        ))
        answering.check("input[name=answer][value=interested]")
        answering.click("button[name=answer-submit]")
        expect(answering.locator(".messages")).to_be_visible()
        answering.context.close()
        task_worker()

    enterprise_answers(invitations[0])
    [notice] = mail.outbox
    unsubscribe = re.findall(r"https?://\S+", notice.body)[-1]
    mail.outbox.clear()

    # The unsubscribe link works with no sign-in, in the email's language: it asks first,
    # then its button stops the notices.
    stranger = browser.new_context().new_page()
    stranger.goto(unsubscribe)
    expect(stranger.locator("h1")).to_have_text(words["question"])
    check_accessibility(stranger)
    assert screenshot(stranger, f"procurement-unsubscribe-{language}") == []
    stranger.get_by_role("button", name=words["stop"]).click()
    expect(stranger.locator("h1")).to_have_text(words["stopped"])
    expect(stranger.locator("html")).to_have_attribute("lang", re.compile(f"^{language[:2]}"))
    check_accessibility(stranger)
    assert screenshot(stranger, f"procurement-unsubscribed-{language}") == []
    stranger.context.close()
    enterprise_answers(invitations[1])
    assert mail.outbox == []

    page.goto(site + url(language, "procurement:request_list"))
    check_accessibility(page)
    page.get_by_role("button", name=words["resume"]).click()
    expect(page.locator(".messages")).to_contain_text(words["resumed"])
    enterprise_answers(invitations[2])
    assert [message.to for message in mail.outbox] == [[buyer.email]]


STAFF_CHART = """(id) => {
  const chart = Chart.getChart(document.querySelector(`canvas[data-chart="${id}"]`));
  return {
    ticks: chart.scales.y.ticks.map((tick) => tick.label),
    legend: chart.legend.options.display && chart.legend.legendItems.map((item) => item.text),
    colours: chart.data.datasets.map((dataset) => dataset.backgroundColor),
  };
}"""


@pytest.mark.parametrize("language", ["fr", "en"])
def test_staff_read_the_request_charts_as_counts_with_a_legend_and_a_colour_per_series(
    page, live_server, language, check_accessibility, screenshot
):
    for answered in range(3):
        quote_request = QuoteRequestFactory()
        QuoteInvitationFactory(request=quote_request, answer="declined" if answered else "pending")
    log_in(page.context, live_server, StaffFactory())
    with translation.override(language):
        page.goto(live_server.url + reverse("admin:procurement_statistics"))
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))"
    )

    chart = page.evaluate(STAFF_CHART, "chart-categories")
    # Whole counts on the axis (3 requests sent), no currency and no fractions.
    assert chart["ticks"] and not any(re.search(r"[$.,]", tick) for tick in chart["ticks"])
    assert "3" in chart["ticks"]
    assert chart["legend"] == (
        ["Envoyé", "Avec réponse", "Devenues des achats"] if language == "fr"
        else ["Sent", "Answered", "Converted to purchases"]
    )
    assert len(set(chart["colours"])) == 3
    check_accessibility(page)
    assert screenshot(page, f"procurement-statistics-{language}") == []
