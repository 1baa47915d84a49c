"""A buyer's e-mail notices: every e-mail to a buyer carries a signed unsubscribe link whose
page stops the next notice at once, with no sign-in, and which a mail client's one-click
unsubscribe may post to; merely opening it (a mail scanner, a link preview) changes nothing;
the buyer turns them back on from the request list; and a self-service buyer who signs in
lands on their shortlists."""

import html
import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from procurement import links
from procurement.models import BuyerNotice, BuyerProfile, QuoteRequest
from purchases.models import OutgoingMail
from tests.factories import BuyerProfileFactory, MembershipFactory, UserFactory

from .conftest import links_in
from .test_loop import send_request

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def unsubscribe_link(message):
    return next(link for link in links_in(message) if "/avis/" in link or "/notices/" in link)


def stop_notices(client, url):
    """The buyer opens the link, then presses the page's button."""
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, {"csrfmiddlewaretoken": page.context["csrf_token"]})


def answer(client, respond_url, choice="interested"):
    """The enterprise answers through its link; a refusal gives its reason."""
    response = type(client)().post(respond_url, {
        "answer": choice, "decline_reason": "too_busy" if choice == "declined" else "",
        "language": "fr",
    })
    assert response.status_code == 302


@pytest.fixture
def sent(client, shortlist, member, three_enterprises, outbox):
    """The member sent one request to two enterprises; their response links."""
    client.force_login(member.user)
    send_request(client, shortlist, three_enterprises[:2])
    respond_urls = [links_in(message)[0] for message in outbox()]
    outbox().clear()
    return respond_urls


def test_every_email_to_a_buyer_carries_a_working_unsubscribe_link(
    client, sent, member, outbox
):
    answer(client, sent[0])
    type(client)().post(sent[0], {"reply": "", "reply-body": "Nous livrons le samedi."})
    with translation.override("en"):
        type(client)().post(reverse("procurement:buyer_signup"), {
            "organization_name": "Clinique des Rives", "kind": "private_company",
            "email": "achats@clinique.example",
        })

    messages = outbox()
    assert [message.to for message in messages] == [
        [member.user.email], [member.user.email], ["achats@clinique.example"]
    ]
    for message in messages:
        assert stop_notices(type(client)(), unsubscribe_link(message)).status_code == 200
    assert "/en/" in unsubscribe_link(messages[-1])
    assert not BuyerNotice.objects.wanted_by(member.user)


def test_following_the_link_stops_the_next_notice_at_once(client, sent, member, outbox):
    answer(client, sent[0])
    [notice] = outbox()
    outbox().clear()

    page = stop_notices(type(client)(), unsubscribe_link(notice))
    answer(client, sent[1], "declined")

    assert "Vous ne recevrez plus d'avis" in html.unescape(page.content.decode())
    assert outbox() == []
    assert BuyerNotice.objects.get(user=member.user).notices_off
    # The answer is still on the request's page.
    detail = client.get(QuoteRequest.objects.get().get_absolute_url()).content.decode()
    assert "Pas intéressée" in detail


def test_the_pages_speak_both_languages(client, member):
    token = links.make_token(links.BUYER_NOTICES, member.user.pk)
    french_url = reverse("procurement:buyer_unsubscribe", args=[token])
    with translation.override("en"):
        english_url = reverse("procurement:buyer_unsubscribe", args=[token])

    french_question = client.get(french_url)
    english_question = client.get(english_url)
    english_done = stop_notices(client, english_url)
    french_done = client.get(french_url)

    assert english_url.startswith("/en/")
    assert "Arrêter les avis de réponse\u00a0?" in french_question.content.decode()
    assert '<form method="post">' in french_question.content.decode()
    assert "Stop the notices of answers?" in english_question.content.decode()
    assert 'lang="en-CA"' in english_question.content.decode()
    assert "You will receive no more notices" in english_done.content.decode()
    # Opened again, the link says the notices are stopped.
    assert "Vous ne recevrez plus d'avis" in html.unescape(french_done.content.decode())


def test_opening_the_link_alone_stops_nothing(client, sent, member, outbox):
    """Mail scanners and link previews open links: only a POST unsubscribes."""
    answer(client, sent[0])
    [notice] = outbox()
    outbox().clear()

    for _scanner in range(2):
        type(client)().get(unsubscribe_link(notice))
    answer(client, sent[1], "declined")

    assert BuyerNotice.objects.wanted_by(member.user)
    assert [message.to for message in outbox()] == [[member.user.email]]


def test_a_mail_clients_one_click_unsubscribe_needs_no_cookie_nor_csrf_token(
    client, sent, member, outbox
):
    answer(client, sent[0])
    [notice] = outbox()
    outbox().clear()
    mail_client = type(client)(enforce_csrf_checks=True)

    response = mail_client.post(unsubscribe_link(notice), {"List-Unsubscribe": "One-Click"})
    answer(client, sent[1], "declined")

    assert response.status_code == 200
    assert not BuyerNotice.objects.wanted_by(member.user)
    assert outbox() == []


def test_the_pages_button_is_checked_like_any_form(client, member):
    """Another site cannot make a visitor's browser press the button: only the one-click
    request of a mail client skips the CSRF check."""
    url = reverse("procurement:buyer_unsubscribe",
                  args=[links.make_token(links.BUYER_NOTICES, member.user.pk)])
    browser = type(client)(enforce_csrf_checks=True)

    forged = browser.post(url, {})
    still_wanted = BuyerNotice.objects.wanted_by(member.user)
    pressed = stop_notices(browser, url)

    assert forged.status_code == 403
    assert still_wanted
    assert pressed.status_code == 200
    assert not BuyerNotice.objects.wanted_by(member.user)


def test_a_notice_offers_mail_clients_their_one_click_unsubscribe(client, sent, member, outbox):
    answer(client, sent[0])
    [notice] = outbox()

    headers = notice.message()
    assert headers["List-Unsubscribe"] == f"<{unsubscribe_link(notice)}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mail_client = type(client)(enforce_csrf_checks=True)
    mail_client.post(headers["List-Unsubscribe"].strip("<>"), {"List-Unsubscribe": "One-Click"})
    assert not BuyerNotice.objects.wanted_by(member.user)


def test_a_notice_queued_before_the_buyer_unsubscribed_is_not_sent(
    client, sent, member, task_worker
):
    answer(client, sent[0])
    answer(client, sent[1], "declined")
    queued = OutgoingMail.objects.filter(recipient=member.user.email)
    # Not sent yet (the worker has not run) when the buyer unsubscribes.
    assert queued.count() == 2 and mail.outbox == []
    token = re.search(r"/([^/\s]+)/\s*$", queued.earliest("pk").body).group(1)
    client.post(reverse("procurement:buyer_unsubscribe", args=[token]),
                {"List-Unsubscribe": "One-Click"})

    task_worker()

    assert mail.outbox == []
    assert set(queued.values_list("status", flat=True)) == {OutgoingMail.Status.WITHDRAWN}


def test_mails_other_than_notices_still_go_to_a_buyer_who_stopped_the_notices(
    client, task_worker
):
    client.post(reverse("procurement:buyer_signup"), {
        "organization_name": "Clinique des Rives", "kind": "private_company",
        "email": "achats@clinique.example",
    })
    BuyerNotice.objects.choose(BuyerProfile.objects.get().user, wanted=False)

    task_worker()

    assert [message.to for message in mail.outbox] == [["achats@clinique.example"]]


def test_the_buyer_turns_notices_back_on_from_the_request_list(client, sent, member, outbox):
    BuyerNotice.objects.choose(member.user, wanted=False)

    page = client.get(reverse("procurement:request_list")).content.decode()
    client.post(reverse("procurement:buyer_notices"), {"notices": "on"})
    answer(client, sent[0])

    assert "Réactiver les avis" in page
    assert len(outbox()) == 1
    assert "Arrêter les avis" in client.get(reverse("procurement:request_list")).content.decode()


def test_the_request_list_can_stop_the_notices_too(client, sent, member, outbox):
    client.post(reverse("procurement:buyer_notices"), {"notices": "off"})
    answer(client, sent[0])

    assert outbox() == []


def test_another_buyer_cannot_change_my_notices_from_the_list(client, sent, member):
    other = BuyerProfileFactory().user
    client.force_login(other)
    client.post(reverse("procurement:buyer_notices"), {"notices": "off"})

    assert BuyerNotice.objects.wanted_by(member.user)
    assert not BuyerNotice.objects.wanted_by(other)


def test_only_a_buyer_reaches_the_notices_switch(client):
    anonymous = client.post(reverse("procurement:buyer_notices"), {"notices": "off"})
    client.force_login(UserFactory())
    stranger = client.post(reverse("procurement:buyer_notices"), {"notices": "off"})

    assert anonymous.status_code == 302
    assert stranger.status_code == 403
    assert not BuyerNotice.objects.exists()


def opened_in_both_languages(client, token):
    """The unsubscribe page of ``token``, at its French then its English address."""
    pages = []
    for language in ("fr-ca", "en"):
        with translation.override(language):
            pages.append(client.get(reverse("procurement:buyer_unsubscribe", args=[token])))
    return pages


@pytest.mark.parametrize("token", ["nimporte-quoi", "MQ:x:y", "%00", "a" * 300, "e30:1a:zz"])
def test_a_tampered_unsubscribe_link_gets_a_clear_page(client, member, token):
    french, english = opened_in_both_languages(client, token)

    assert french.status_code == english.status_code == 400
    assert "Ce lien ne fonctionne pas" in french.content.decode()
    assert "This link does not work" in english.content.decode()
    assert not BuyerNotice.objects.exists()


def test_an_expired_unsubscribe_link_says_so_in_both_languages(client, member):
    made_at = time.time() - timedelta(days=366).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=made_at):
        token = links.make_token(links.BUYER_NOTICES, member.user.pk)

    french, english = opened_in_both_languages(client, token)

    assert french.status_code == english.status_code == 410
    assert "Ce lien est expiré" in french.content.decode()
    assert "This link has expired" in english.content.decode()
    assert BuyerNotice.objects.wanted_by(member.user)


def test_a_link_of_another_purpose_does_not_unsubscribe(client, member):
    # An enterprise's preference link carrying the same number must not touch the buyer.
    token = links.make_token(links.PREFERENCES, member.user.pk)

    assert client.get(reverse("procurement:buyer_unsubscribe", args=[token])).status_code == 400
    assert BuyerNotice.objects.wanted_by(member.user)


# Signing in without a link to follow -------------------------------------------------------


def sign_in(client, user, language="fr"):
    with translation.override(language):
        url = reverse("purchases:login")
    return client.post(url, {"username": user.username, "password": PASSWORD})


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_self_service_buyer_signing_in_lands_on_their_shortlists(client, language):
    buyer = BuyerProfileFactory().user

    response = sign_in(client, buyer, language)

    with translation.override(language):
        assert response.url == reverse("procurement:shortlist_list")


def test_a_member_still_lands_on_the_dashboard_and_anyone_else_on_the_home_page(client):
    member = MembershipFactory().user
    stranger = UserFactory()

    assert sign_in(client, member).url == reverse("purchases:dashboard")
    client.logout()
    assert sign_in(client, stranger).url == reverse("enterprises:home")


def test_the_request_list_with_its_notices_switch_takes_a_fixed_number_of_queries(
    client, sent, member, django_assert_max_num_queries
):
    # Session, user, membership (is a buyer), the notices choice, the page's count, its
    # requests with their answer counts.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("procurement:request_list"))

    assert "Arrêter les avis" in response.content.decode()
