"""The whole loop through the test client: shortlist → request → answers → choice → draft
purchase, with the emails each party receives."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from enterprises.models import Category
from procurement.models import EnterprisePreference, QuoteInvitation, QuoteRequest, Shortlist
from purchases.models import Purchase
from tests.factories import (
    EnterpriseFactory,
    MembershipFactory,
    PurchaseFactory,
    QuoteRequestFactory,
)

from .conftest import links_in

pytestmark = pytest.mark.django_db


def request_data(recipients, **overrides):
    return {
        "title": "Repas pour 80 personnes",
        "category": Category.objects.get(slug="traiteur").pk,
        "description": "Un buffet chaud, végétarien en partie.",
        "quantity": "80 couverts",
        "municipality": "Longueuil",
        "wanted_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "answer_by": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "budget": "under_5k",
        "recipients": [enterprise.pk for enterprise in recipients],
        **overrides,
    }


def send_request(client, shortlist, recipients, **overrides):
    return client.post(
        reverse("procurement:request_create", args=[shortlist.pk]),
        request_data(recipients, **overrides),
    )


def test_a_buyer_saves_an_enterprise_from_its_card_link_to_a_new_shortlist(client, member):
    enterprise = EnterpriseFactory(name="Traiteur Solidaire")
    client.force_login(member.user)
    save_url = reverse("procurement:save", args=[enterprise.slug])

    page = client.get(save_url)
    response = client.post(save_url, {"new_name": "Fête de quartier", "note": "Menu végé ?"})

    assert "Enregistrer Traiteur Solidaire dans une liste" in page.content.decode()
    shortlist = Shortlist.objects.get(owner=member.user, name="Fête de quartier")
    assert response.url == shortlist.get_absolute_url()
    assert list(shortlist.entries.values_list("enterprise__name", "note")) == [
        ("Traiteur Solidaire", "Menu végé ?")
    ]


def test_an_anonymous_visitor_is_offered_to_sign_in_or_sign_up_then_comes_back(client):
    enterprise = EnterpriseFactory(name="Traiteur Solidaire")
    save_url = reverse("procurement:save", args=[enterprise.slug])

    response = client.get(save_url, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("procurement:buyer_signup"))
    assert "<h1>Créer un compte d" in html
    login_link = reverse("purchases:login") + "?next=" + save_url
    assert login_link in html


def test_a_sign_in_link_never_leads_to_another_site(client):
    response = client.get(reverse("procurement:buyer_signup") + "?next=https://evil.example/")

    login_links = re.findall(
        r'href="' + reverse("purchases:login") + r'\?next=([^"]*)"', response.content.decode()
    )
    assert login_links == [reverse("procurement:shortlist_list")]


def test_saving_twice_to_the_same_shortlist_keeps_one_entry(client, shortlist, member):
    enterprise = shortlist.enterprises.first()
    client.force_login(member.user)

    client.post(reverse("procurement:save", args=[enterprise.slug]), {"shortlist": shortlist.pk})

    assert shortlist.entries.filter(enterprise=enterprise).count() == 1


def test_the_result_card_links_to_the_save_page_with_no_form(client, three_enterprises):
    response = client.get(reverse("enterprises:list"))

    html = response.content.decode()
    assert reverse("procurement:save", args=[three_enterprises[0].slug]) in html
    assert "Enregistrer dans une liste" in html


def test_the_enterprise_page_links_to_the_save_page(client, three_enterprises):
    enterprise = three_enterprises[0]

    response = client.get(enterprise.get_absolute_url())

    assert reverse("procurement:save", args=[enterprise.slug]) in response.content.decode()


def test_the_shared_link_shows_the_list_and_notes_read_only(client, shortlist):
    shortlist.entries.update(note="Appeler avant jeudi")

    response = client.get(shortlist.get_share_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Traiteur Solidaire" in html and "Appeler avant jeudi" in html
    assert "<form method=\"post\"" not in html
    assert "traiteur@solidaire.example" not in html


@pytest.mark.parametrize(
    ("language", "header"), [("fr-ca", "Entreprise"), ("en", "Enterprise")]
)
def test_the_shortlist_exports_in_the_page_language_with_profile_urls(
    client, shortlist, member, language, header
):
    client.force_login(member.user)
    with translation.override(language):
        url = reverse("procurement:shortlist_export", args=[shortlist.pk])

    response = client.get(url + "?format=csv")

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith(header)
    assert len(lines) == 4
    assert "http://testserver/" in lines[1] and shortlist.enterprises.first().slug in text


def test_a_note_changed_on_the_shortlist_is_saved_and_shown(client, shortlist, member):
    entry = shortlist.entries.get(enterprise__name="Cuisine Collective")
    client.force_login(member.user)

    response = client.post(
        reverse("procurement:entry", args=[shortlist.pk, entry.pk]),
        {f"entry-{entry.pk}-note": "Demander le menu végétarien"}, follow=True,
    )

    entry.refresh_from_db()
    assert entry.note == "Demander le menu végétarien"
    html = response.content.decode()
    assert "Demander le menu végétarien" in html and "La note a été enregistrée." in html


def test_removing_an_enterprise_deletes_only_its_entry(client, shortlist, member):
    entry = shortlist.entries.get(enterprise__name="Cuisine Collective")
    client.force_login(member.user)

    client.post(reverse("procurement:entry", args=[shortlist.pk, entry.pk]), {"remove": ""})

    assert sorted(shortlist.entries.values_list("enterprise__name", flat=True)) == [
        "Buffet Coop", "Traiteur Solidaire"
    ]
    assert "Cuisine Collective" not in client.get(shortlist.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("language", "headers"), [
    ("fr-ca", ["Entreprise", "Région", "Municipalité", "Note", "Fiche"]),
    ("en", ["Enterprise", "Region", "Municipality", "Note", "Profile"]),
])
def test_the_shortlist_exports_as_a_workbook_in_the_page_language_with_profile_urls(
    client, shortlist, member, language, headers
):
    shortlist.entries.filter(enterprise__name="Buffet Coop").update(note="Appeler jeudi")
    client.force_login(member.user)
    with translation.override(language):
        url = reverse("procurement:shortlist_export", args=[shortlist.pk])
        profile = "http://testserver" + EnterpriseFactory._meta.model.objects.get(
            name="Buffet Coop"
        ).get_absolute_url()

    response = client.get(url + "?format=xlsx")

    assert response["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == headers
    assert len(rows) == 4
    [buffet] = [row for row in rows if row[0] == "Buffet Coop"]
    assert buffet[3] == "Appeler jeudi" and buffet[4] == profile


def test_the_whole_loop_ends_in_a_draft_purchase_prefilled_from_the_quote(
    client, shortlist, member, three_enterprises, outbox
):
    quoting, declining, silent = three_enterprises
    EnterprisePreference.objects.create(enterprise=declining, language="en")
    client.force_login(member.user)

    response = send_request(client, shortlist, three_enterprises)

    quote_request = QuoteRequest.objects.get()
    assert response.url == quote_request.get_absolute_url()
    assert quote_request.organization == member.organization
    mails = {message.to[0]: message for message in outbox()}
    assert set(mails) == {enterprise.email for enterprise in three_enterprises}
    assert mails[quoting.email].subject == "Demande de prix : Repas pour 80 personnes"
    assert mails[declining.email].subject == "Request for quotes: Repas pour 80 personnes"
    respond_fr, preferences_fr = links_in(mails[quoting.email])
    respond_en, _preferences_en = links_in(mails[declining.email])
    assert respond_fr.startswith("http://testserver/demandes-de-prix/reponse/")
    assert preferences_fr.startswith("http://testserver/demandes-de-prix/preferences/")
    assert respond_en.startswith("http://testserver/en/quote-requests/answer/")

    # The buyer sees no contact address before an answer.
    assert quoting.email not in client.get(quote_request.get_absolute_url()).content.decode()

    enterprise_client = client_class_for(client)
    page = enterprise_client.get(respond_fr)
    assert page.status_code == 200 and "Repas pour 80 personnes" in page.content.decode()
    enterprise_client.post(respond_fr, {
        "answer": "quoted", "amount": "4 250,50", "delay": "2 semaines", "message": "Avec plaisir",
        "language": "fr",
    })
    enterprise_client.get(respond_en)
    enterprise_client.post(respond_en, {
        "answer": "declined", "decline_reason": "too_busy", "language": "en",
    })

    quoted = QuoteInvitation.objects.get(enterprise=quoting)
    assert quoted.answer == "quoted" and quoted.amount == Decimal("4250.50")
    assert QuoteInvitation.objects.get(enterprise=silent).answer == "pending"
    notices = [message for message in outbox() if message.to == [member.user.email]]
    assert len(notices) == 2
    page = client.get(quote_request.get_absolute_url()).content.decode()
    assert quoting.email in page and declining.email in page
    assert silent.email not in page

    client.post(reverse("procurement:choose", args=[quote_request.pk]), {"invitation": quoted.pk})
    response = client.post(reverse("procurement:record_purchase", args=[quote_request.pk]))

    quote_request.refresh_from_db()
    purchase = quote_request.purchase
    assert response.url == reverse("purchases:purchase_update", args=[purchase.pk])
    assert (purchase.status, purchase.organization, purchase.enterprise, purchase.amount) == (
        Purchase.Status.DRAFT, member.organization, quoting, Decimal("4250.50")
    )
    assert purchase.category.slug == "traiteur"
    assert purchase.procurement_method == Purchase.ProcurementMethod.INVITATION
    assert purchase.award_date == timezone.localdate()
    assert purchase.recorded_by == member.user
    assert client.post(
        reverse("procurement:record_purchase", args=[quote_request.pk])
    ).status_code == 403

    # The purchase links back to its request, for the buyer who sent it.
    detail = client.get(reverse("purchases:purchase_detail", args=[purchase.pk])).content.decode()
    assert f'href="{quote_request.get_absolute_url()}"' in detail


def test_a_purchase_names_its_request_and_links_to_it_for_its_sender_only(client, member):
    colleague = MembershipFactory(organization=member.organization)
    purchase = PurchaseFactory(organization=member.organization, status="draft")
    quote_request = QuoteRequestFactory(
        buyer=member.user, organization=member.organization, purchase=purchase,
        title="Repas pour 80 personnes",
    )
    other = PurchaseFactory(organization=member.organization, status="draft")
    with translation.override("en"):
        detail = reverse("purchases:purchase_detail", args=[purchase.pk])
        link = f'href="{quote_request.get_absolute_url()}"'
        without = reverse("purchases:purchase_detail", args=[other.pk])

    client.force_login(member.user)
    mine = client.get(detail).content.decode()
    unrelated = client.get(without).content.decode()
    client.force_login(colleague.user)
    theirs = client.get(detail).content.decode()

    assert "follows the request for quotes “Repas pour 80 personnes”" in mine and link in mine
    assert "follows the request for quotes" in theirs and link not in theirs
    assert f"Only its sender, {member.user.email}, can open it." in theirs
    assert "request for quotes" not in unrelated


def client_class_for(client):
    """A fresh, anonymous client: the enterprise has no account."""
    return type(client)()


def test_a_follow_up_question_is_mailed_and_the_reply_reaches_the_buyer(
    client, shortlist, member, three_enterprises, outbox
):
    client.force_login(member.user)
    send_request(client, shortlist, three_enterprises[:1])
    quote_request = QuoteRequest.objects.get()
    invitation = quote_request.invitations.get()
    outbox().clear()

    client.post(
        reverse("procurement:ask", args=[quote_request.pk, invitation.pk]),
        {f"ask-{invitation.pk}-body": "Pouvez-vous livrer à 11 h ?"},
    )

    [question] = outbox()
    assert "Pouvez-vous livrer à 11 h ?" in question.body
    respond_url = links_in(question)[0]
    anonymous = client_class_for(client)
    anonymous.post(respond_url, {"reply": "", "reply-body": "Oui, sans problème."})
    reply = outbox()[-1]
    assert reply.to == [member.user.email]
    assert "Oui, sans problème." in reply.body
    assert "Oui, sans problème." in client.get(quote_request.get_absolute_url()).content.decode()


def test_a_quote_without_amount_or_a_refusal_without_reason_is_refused_with_a_message(
    client, shortlist, member, three_enterprises, outbox
):
    client.force_login(member.user)
    send_request(client, shortlist, three_enterprises[:1])
    respond_url = links_in(outbox()[0])[0]
    anonymous = client_class_for(client)

    no_amount = anonymous.post(respond_url, {"answer": "quoted", "language": "fr"})
    no_reason = anonymous.post(respond_url, {"answer": "declined", "language": "fr"})
    bad_amount = anonymous.post(
        respond_url, {"answer": "quoted", "amount": "douze", "language": "fr"}
    )

    assert no_amount.status_code == no_reason.status_code == bad_amount.status_code == 400
    assert "Un devis doit indiquer son montant." in no_amount.content.decode()
    assert "pourquoi, en un mot." in no_reason.content.decode()
    assert QuoteInvitation.objects.get().answer == "pending"


def test_closing_without_a_supplier_offers_no_purchase(
    client, shortlist, member, three_enterprises
):
    client.force_login(member.user)
    send_request(client, shortlist, three_enterprises)
    quote_request = QuoteRequest.objects.get()

    client.post(reverse("procurement:choose", args=[quote_request.pk]), {"invitation": "none"})

    quote_request.refresh_from_db()
    assert quote_request.status == QuoteRequest.Status.CLOSED
    assert client.post(
        reverse("procurement:record_purchase", args=[quote_request.pk])
    ).status_code == 403


def test_an_enterprise_that_did_not_answer_cannot_be_chosen(
    client, shortlist, member, three_enterprises
):
    client.force_login(member.user)
    send_request(client, shortlist, three_enterprises)
    quote_request = QuoteRequest.objects.get()
    pending = quote_request.invitations.first()

    client.post(reverse("procurement:choose", args=[quote_request.pk]), {"invitation": pending.pk})

    quote_request.refresh_from_db()
    assert quote_request.is_open


def test_an_outside_buyer_chooses_but_gets_no_member_purchase(
    client, outside_buyer, three_enterprises
):
    shortlist = Shortlist.objects.create(owner=outside_buyer, name="Liste")
    for enterprise in three_enterprises:
        shortlist.entries.create(enterprise=enterprise)
    client.force_login(outside_buyer)
    send_request(client, shortlist, three_enterprises[:1])
    quote_request = QuoteRequest.objects.get()
    QuoteInvitation.objects.update(answer="quoted", amount=100, answered_at=timezone.now())

    client.post(
        reverse("procurement:choose", args=[quote_request.pk]),
        {"invitation": quote_request.invitations.get().pk},
    )
    page = client.get(quote_request.get_absolute_url()).content.decode()

    assert quote_request.organization is None
    assert "Préparer le brouillon" not in page
    assert not Purchase.objects.exists()


def test_the_enterprises_that_answered_learn_the_decision_in_their_language(
    client, shortlist, member, three_enterprises, outbox
):
    chosen, other, silent = three_enterprises
    EnterprisePreference.objects.create(enterprise=other, language="en")
    client.force_login(member.user)
    send_request(client, shortlist, three_enterprises)
    quote_request = QuoteRequest.objects.get()
    quote_request.invitations.exclude(enterprise=silent).update(
        answer="quoted", amount=100, answered_at=timezone.now()
    )
    outbox().clear()

    client.post(
        reverse("procurement:choose", args=[quote_request.pk]),
        {"invitation": quote_request.invitations.get(enterprise=chosen).pk},
    )

    subjects = {message.to[0]: message.subject for message in outbox()}
    assert subjects == {
        chosen.email: "Vous avez été choisie : Repas pour 80 personnes",
        other.email: "Request closed: Repas pour 80 personnes",
    }


def test_a_buyer_who_wrote_in_english_is_told_of_answers_in_english(
    client, shortlist, member, three_enterprises, outbox
):
    client.force_login(member.user)
    with translation.override("en"):
        client.post(
            reverse("procurement:request_create", args=[shortlist.pk]),
            request_data(three_enterprises[:1]),
        )
    respond_url = links_in(outbox()[0])[0]

    type(client)().post(respond_url, {"answer": "interested", "language": "fr"})

    notice = outbox()[-1]
    assert notice.to == [member.user.email]
    assert notice.subject == "Traiteur Solidaire answered your request for quotes"
    assert "/en/quote-requests/" in links_in(notice)[0]


def test_the_english_result_cards_link_to_the_english_save_page(client, three_enterprises):
    with translation.override("en"):
        response = client.get(reverse("enterprises:list"))
        save_url = reverse("procurement:save", args=[three_enterprises[0].slug])

    html = response.content.decode()
    assert save_url.startswith("/en/shortlists/save/")
    assert save_url in html and "Save to a shortlist" in html


def test_the_request_form_offers_every_reachable_enterprise_checked(
    client, shortlist, member, three_enterprises
):
    unreachable = three_enterprises[2]
    unreachable.email = ""
    unreachable.save()
    client.force_login(member.user)

    html = client.get(reverse("procurement:request_create", args=[shortlist.pk])).content.decode()

    checked = re.findall(
        r'<input type="checkbox" name="recipients" value="(\d+)"[^>]*checked', html
    )
    assert sorted(map(int, checked)) == sorted(e.pk for e in three_enterprises[:2])
