"""Signed links, limits, opt-outs, attachments and the contact address a buyer may see."""

import io
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail as djmail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfWriter

from procurement import links
from procurement.models import EnterprisePreference, QuoteInvitation, QuoteRequest
from purchases.models import OutgoingMail
from tests.factories import BuyerProfileFactory, QuoteInvitationFactory, QuoteRequestFactory

from .conftest import links_in
from .test_loop import request_data, send_request

pytestmark = pytest.mark.django_db


def pdf_bytes():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# Signed links ---------------------------------------------------------------------------------


def test_a_tampered_response_link_gets_a_clear_page(client):
    invitation = QuoteInvitationFactory()
    token = links.make_token(links.RESPOND, invitation.pk)
    forged = token.replace(token.split(":")[0], links.make_token(links.RESPOND, 999).split(":")[0])

    response = client.get(reverse("procurement:respond", args=[forged]))

    assert response.status_code == 400
    assert "Ce lien ne fonctionne pas" in response.content.decode()


@pytest.mark.parametrize("token", ["nimporte-quoi", "MQ:x:y", "%00", "a" * 300, "e30:1a:zz"])
def test_garbage_in_a_signed_link_is_a_400_never_a_500(client, token):
    for name in ("respond", "respond_attachment", "preferences"):
        assert client.get(reverse(f"procurement:{name}", args=[token])).status_code == 400
    assert client.get(reverse("procurement:buyer_confirm", args=[token])).status_code == 400


def test_an_expired_response_link_says_it_expired_in_english_too(client):
    invitation = QuoteInvitationFactory()
    made_at = time.time() - timedelta(days=46).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=made_at):
        token = links.make_token(links.RESPOND, invitation.pk)

    french = client.get(reverse("procurement:respond", args=[token]))
    with translation.override("en"):
        english = client.get(reverse("procurement:respond", args=[token]))

    assert french.status_code == english.status_code == 410
    assert "Ce lien est expiré" in french.content.decode()
    assert "This link has expired" in english.content.decode()


def test_a_tampered_or_expired_confirmation_link_activates_nothing_whatever_is_posted(client):
    profile = BuyerProfileFactory(confirmed_at=None, user__is_active=False)
    made_at = time.time() - timedelta(days=4).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=made_at):
        expired = links.make_token(links.CONFIRM_BUYER, profile.pk)
    token = links.make_token(links.CONFIRM_BUYER, profile.pk)
    tampered = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    password = {"password1": "le mot de passe choisi", "password2": "le mot de passe choisi"}

    with translation.override("en"):
        english = client.post(reverse("procurement:buyer_confirm", args=[expired]), password)
    french = client.post(reverse("procurement:buyer_confirm", args=[tampered]), password)

    assert english.status_code == 410 and "This link has expired" in english.content.decode()
    assert french.status_code == 400 and "Ce lien ne fonctionne pas" in french.content.decode()
    profile.user.refresh_from_db()
    assert not profile.user.is_active and not profile.user.check_password(password["password1"])


def test_a_link_made_for_preferences_does_not_open_the_response_page(client):
    invitation = QuoteInvitationFactory()
    preferences_token = links.make_token(links.PREFERENCES, invitation.enterprise_id)
    # Same number, other purpose: an enterprise's preference link must not answer a request.
    assert client.get(
        reverse("procurement:respond", args=[links.make_token(links.PREFERENCES, invitation.pk)])
    ).status_code == 400
    assert client.get(
        reverse("procurement:preferences", args=[preferences_token])
    ).status_code == 200


def test_a_response_link_opens_only_its_own_invitation(client):
    mine = QuoteInvitationFactory(request__title="Ma demande")
    QuoteInvitationFactory(request__title="Une autre demande")

    page = client.get(
        reverse("procurement:respond", args=[links.make_token(links.RESPOND, mine.pk)])
    ).content.decode()

    assert "Ma demande" in page and "Une autre demande" not in page


# Limits -----------------------------------------------------------------------------------


@override_settings(PROCUREMENT_REQUESTS_PER_BUYER_PER_DAY=2)
def test_a_buyer_sends_at_most_the_daily_limit_then_reads_why(
    client, shortlist, member, three_enterprises
):
    client.force_login(member.user)
    send_request(client, shortlist, three_enterprises[:1])
    send_request(client, shortlist, three_enterprises[1:2])

    refused = send_request(client, shortlist, three_enterprises[2:])

    assert refused.status_code == 200
    assert "Vous avez envoyé 2 demandes dans les dernières 24 heures" in refused.content.decode()
    assert QuoteRequest.objects.count() == 2
    QuoteRequest.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    assert send_request(client, shortlist, three_enterprises[2:]).status_code == 302


@override_settings(PROCUREMENT_REQUESTS_PER_ENTERPRISE_PER_WEEK=1)
def test_an_enterprise_that_got_its_weekly_requests_cannot_be_chosen(
    client, shortlist, member, three_enterprises
):
    busy = three_enterprises[0]
    QuoteInvitationFactory(enterprise=busy)
    client.force_login(member.user)

    form = client.get(reverse("procurement:request_create", args=[shortlist.pk]))
    refused = send_request(client, shortlist, [busy])

    assert "a reçu le nombre maximal de demandes cette semaine" in form.content.decode()
    assert refused.status_code == 200 and not QuoteRequest.objects.filter(buyer=member.user)
    QuoteInvitation.objects.update(sent_at=timezone.now() - timedelta(days=7, minutes=1))
    assert send_request(client, shortlist, [busy]).status_code == 302


@override_settings(PROCUREMENT_REQUESTS_PER_ENTERPRISE_PER_WEEK=1)
def test_a_request_withdrawn_before_it_reached_the_enterprise_leaves_its_weekly_limit_alone(
    client, shortlist, member, three_enterprises, task_worker
):
    paused = three_enterprises[0]
    client.force_login(member.user)
    send_request(client, shortlist, [paused])
    Client().post(queued_preferences_link(paused), {"choice": "pause", "language": "fr"})
    task_worker()
    EnterprisePreference.objects.filter(enterprise=paused).update(paused_until=None)
    QuoteRequest.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))

    form = client.get(reverse("procurement:request_create", args=[shortlist.pk]))

    assert "a reçu le nombre maximal de demandes cette semaine" not in form.content.decode()
    assert send_request(client, shortlist, [paused]).status_code == 302
    assert QuoteInvitation.objects.filter(enterprise=paused).count() == 2


def test_more_than_ten_enterprises_are_refused(client, member):
    from tests.factories import ShortlistEntryFactory, ShortlistFactory

    shortlist = ShortlistFactory(owner=member.user)
    entries = [ShortlistEntryFactory(shortlist=shortlist) for _ in range(11)]
    client.force_login(member.user)

    response = send_request(client, shortlist, [entry.enterprise for entry in entries])

    assert response.status_code == 200
    assert "Choisissez au plus 10 entreprises." in response.content.decode()


# Opt-outs -------------------------------------------------------------------------------


def test_the_unsubscribe_link_in_the_email_stops_requests_at_once(
    client, shortlist, member, three_enterprises, outbox
):
    enterprise = three_enterprises[0]
    client.force_login(member.user)
    send_request(client, shortlist, [enterprise])
    preferences_url = links_in(outbox()[0])[1]
    anonymous = type(client)()

    anonymous.post(preferences_url, {"choice": "stop", "language": "fr"})
    form = client.get(reverse("procurement:request_create", args=[shortlist.pk]))
    refused = send_request(client, shortlist, [enterprise])

    assert EnterprisePreference.objects.get(enterprise=enterprise).opted_out
    assert "ne reçoit pas de demandes pour le moment" in form.content.decode()
    assert refused.status_code == 200
    assert QuoteInvitation.objects.filter(enterprise=enterprise).count() == 1


def queued_preferences_link(enterprise):
    """The preferences link of the request e-mail still waiting for the worker, as the
    enterprise's mail client would read it from its ``List-Unsubscribe``."""
    stored = OutgoingMail.objects.get(recipient=enterprise.email)
    return stored.headers["List-Unsubscribe"].strip("<>")


def test_a_request_still_queued_when_its_enterprise_stops_or_pauses_requests_is_not_sent(
    client, shortlist, member, three_enterprises, task_worker
):
    stops, pauses, keeps = three_enterprises
    client.force_login(member.user)
    send_request(client, shortlist, three_enterprises)

    # Before the worker's turn: one stops with its mail client's button, one pauses.
    Client(enforce_csrf_checks=True).post(
        queued_preferences_link(stops), {"List-Unsubscribe": "One-Click"}
    )
    Client().post(queued_preferences_link(pauses), {"choice": "pause", "language": "fr"})
    task_worker()

    assert [message.to for message in djmail.outbox] == [[keeps.email]]
    assert dict(OutgoingMail.objects.values_list("recipient", "status")) == {
        stops.email: OutgoingMail.Status.WITHDRAWN,
        pauses.email: OutgoingMail.Status.WITHDRAWN,
        keeps.email: OutgoingMail.Status.SENT,
    }


def test_after_stopping_requests_an_enterprise_hears_about_one_it_received_not_one_it_never_got(
    client, shortlist, member, three_enterprises, task_worker
):
    received, never = three_enterprises[:2]
    client.force_login(member.user)
    send_request(client, shortlist, [received, never])
    Client().post(queued_preferences_link(never), {"List-Unsubscribe": "One-Click"})
    task_worker()
    [request_mail] = djmail.outbox
    respond_url, preferences_url = links_in(request_mail)[:2]
    Client().post(respond_url, {"answer": "interested", "decline_reason": "", "language": "fr"})
    Client().post(preferences_url, {"List-Unsubscribe": "One-Click"})
    task_worker()  # the buyer's notice of the answer
    djmail.outbox.clear()
    quote_request = QuoteRequest.objects.get()
    invitations = {
        invitation.enterprise: invitation for invitation in quote_request.invitations.all()
    }

    def ask(enterprise):
        invitation = invitations[enterprise]
        with translation.override("en"):
            url = reverse("procurement:ask", args=[quote_request.pk, invitation.pk])
        return client.post(url, {f"ask-{invitation.pk}-body": "Livrez-vous le samedi ?"},
                           follow=True)

    with translation.override("en"):
        page = client.get(quote_request.get_absolute_url()).content.decode()
    refused = ask(never)
    ask(received)
    client.post(reverse("procurement:choose", args=[quote_request.pk]),
                {"invitation": invitations[received].pk})
    task_worker()

    # The buyer's page says which enterprise never got the request, and offers no question.
    assert page.count("it stopped receiving requests before yours was sent") == 1
    assert f'id="id_ask-{invitations[never].pk}-body"' not in page
    assert f'id="id_ask-{invitations[received].pk}-body"' in page
    assert "stopped receiving requests before yours was sent" in refused.content.decode()
    assert not invitations[never].follow_ups.exists()
    # The question and the decision about the request it answered still reach it.
    assert [(message.to, "Livrez-vous le samedi ?" in message.body)
            for message in djmail.outbox] == [([received.email], True), ([received.email], False)]


def test_a_paused_enterprise_receives_requests_again_after_thirty_days(
    client, shortlist, member, three_enterprises
):
    enterprise = three_enterprises[0]
    token = links.make_token(links.PREFERENCES, enterprise.pk)
    client.post(
        reverse("procurement:preferences", args=[token]), {"choice": "pause", "language": "en"}
    )
    client.force_login(member.user)

    assert send_request(client, shortlist, [enterprise]).status_code == 200
    preference = EnterprisePreference.objects.get(enterprise=enterprise)
    assert preference.paused_until == timezone.localdate() + timedelta(days=30)
    EnterprisePreference.objects.update(paused_until=timezone.localdate() - timedelta(days=1))
    assert send_request(client, shortlist, [enterprise]).status_code == 302
    assert EnterprisePreference.objects.get(enterprise=enterprise).language == "en"


def test_an_enterprise_without_an_email_address_is_listed_as_unreachable(
    client, shortlist, member, three_enterprises
):
    three_enterprises[0].email = ""
    three_enterprises[0].save()
    client.force_login(member.user)

    page = client.get(reverse("procurement:request_create", args=[shortlist.pk])).content.decode()

    assert "aucune adresse courriel dans le répertoire" in page


# Attachments ----------------------------------------------------------------------------


def test_a_pdf_attachment_is_kept_and_served_as_a_download(
    client, shortlist, member, three_enterprises, outbox
):
    client.force_login(member.user)
    attachment = SimpleUploadedFile("cahier.pdf", pdf_bytes(), content_type="application/pdf")

    client.post(
        reverse("procurement:request_create", args=[shortlist.pk]),
        {**request_data(three_enterprises[:1]), "attachment": attachment},
    )
    respond_url = links_in(outbox()[0])[0]
    download = type(client)().get(respond_url + "piece-jointe/")

    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize(("name", "content"), [
    ("faux.pdf", b"<html><script>alert(1)</script></html>"),
    ("tronque.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\n"),
    ("image.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100),
])
def test_a_file_that_is_not_a_pdf_is_refused_whatever_its_name(
    client, shortlist, member, three_enterprises, name, content
):
    client.force_login(member.user)

    response = client.post(
        reverse("procurement:request_create", args=[shortlist.pk]),
        {**request_data(three_enterprises[:1]),
         "attachment": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )

    assert response.status_code == 200
    assert "n&#x27;est pas un document PDF" in response.content.decode()
    assert not QuoteRequest.objects.exists()


@override_settings(PROCUREMENT_ATTACHMENT_MAX_BYTES=1024 * 1024)
def test_a_pdf_over_the_size_cap_is_refused(client, shortlist, member, three_enterprises):
    client.force_login(member.user)
    large = pdf_bytes() + b"%" + b"0" * (1024 * 1024)

    response = client.post(
        reverse("procurement:request_create", args=[shortlist.pk]),
        {**request_data(three_enterprises[:1]),
         "attachment": SimpleUploadedFile("gros.pdf", large, content_type="application/pdf")},
    )

    assert "Le fichier dépasse 1 Mo." in response.content.decode()
    assert not QuoteRequest.objects.exists()


def test_a_quote_pdf_reaches_only_its_buyer(client, member, outside_buyer):
    invitation = QuoteInvitationFactory(request__buyer=member.user)
    token = links.make_token(links.RESPOND, invitation.pk)
    client.post(reverse("procurement:respond", args=[token]), {
        "answer": "quoted", "amount": "1 000", "language": "fr",
        "quote_file": SimpleUploadedFile("devis.pdf", pdf_bytes()),
    })
    url = reverse("procurement:quote_file", args=[invitation.request_id, invitation.pk])

    client.force_login(outside_buyer)
    assert client.get(url).status_code == 404
    client.force_login(member.user)
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")


# Contact addresses -----------------------------------------------------------------------


def test_the_buyer_sees_an_enterprise_address_only_after_its_answer(client, member):
    quote_request = QuoteRequestFactory(buyer=member.user, organization=member.organization)
    invitation = QuoteInvitationFactory(
        request=quote_request, enterprise__email="secret@coop.example"
    )
    client.force_login(member.user)

    before = client.get(quote_request.get_absolute_url()).content.decode()
    invitation.answer = QuoteInvitation.Answer.DECLINED
    invitation.decline_reason = "too_busy"
    invitation.answered_at = timezone.now()
    invitation.save()
    after = client.get(quote_request.get_absolute_url()).content.decode()

    assert "secret@coop.example" not in before
    assert "secret@coop.example" in after


@override_settings(PROCUREMENT_REQUESTS_PER_BUYER_PER_DAY=1)
def test_a_request_that_passed_the_form_is_checked_again_once_the_buyer_is_locked(
    client, shortlist, member, three_enterprises
):
    from procurement.forms import QuoteRequestForm

    checks = []
    original = QuoteRequestForm.check_limits

    def check_then_race(form):
        checks.append(form)
        original(form)
        if len(checks) == 1:
            # Another tab sends a request between the form's check and the view's.
            QuoteRequestFactory(buyer=member.user)

    client.force_login(member.user)
    with mock.patch.object(QuoteRequestForm, "check_limits", check_then_race):
        response = send_request(client, shortlist, three_enterprises[:1])

    assert len(checks) == 2
    assert response.status_code == 200
    assert "Vous avez envoyé 1 demande dans les dernières 24 heures" in response.content.decode()
    assert not QuoteInvitation.objects.exists()


def test_every_email_to_an_enterprise_offers_mail_clients_a_one_click_stop(
    client, shortlist, member, three_enterprises, outbox
):
    enterprise = three_enterprises[0]
    client.force_login(member.user)
    send_request(client, shortlist, [enterprise])
    quote_request = QuoteRequest.objects.get()
    invitation = quote_request.invitations.get()
    client.post(
        reverse("procurement:ask", args=[quote_request.pk, invitation.pk]),
        {f"ask-{invitation.pk}-body": "Pouvez-vous livrer à 11 h ?"},
    )
    invitation.answer, invitation.answered_at = "interested", timezone.now()
    invitation.save()
    client.post(reverse("procurement:choose", args=[quote_request.pk]),
                {"invitation": invitation.pk})
    mails = [message for message in outbox() if message.to == [enterprise.email]]

    # The request, the question and the decision: each names its preferences link.
    assert len(mails) == 3
    for message in mails:
        headers = message.message()
        assert headers["List-Unsubscribe"] == f"<{links_in(message)[1]}>"
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mail_client = type(client)(enforce_csrf_checks=True)
    response = mail_client.post(
        mails[0].message()["List-Unsubscribe"].strip("<>"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert EnterprisePreference.objects.get(enterprise=enterprise).opted_out


def test_the_preferences_form_is_still_checked_against_forgery(three_enterprises):
    """Only a mail client's one-click request skips the CSRF check: another site cannot make
    a visitor's browser resume or pause the requests of an enterprise."""
    enterprise = three_enterprises[0]
    EnterprisePreference.objects.create(enterprise=enterprise, opted_out=True)
    url = reverse("procurement:preferences",
                  args=[links.make_token(links.PREFERENCES, enterprise.pk)])

    forged = Client(enforce_csrf_checks=True).post(url, {"choice": "receive", "language": "fr"})

    assert forged.status_code == 403
    assert EnterprisePreference.objects.get(enterprise=enterprise).opted_out
