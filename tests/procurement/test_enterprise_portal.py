"""The requests for quotes an enterprise received, on a page of its portal: newest first,
where each stands, the answer deadline, and the response page the email's link opens, for
the enterprise's signed-in people only. The procurement app adds the page without the
enterprise accounts app knowing it."""

import html
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from procurement import sections
from procurement.models import QuoteInvitation, QuoteRequest
from tests.factories import (
    BuyerProfileFactory,
    EnterpriseFactory,
    EnterpriseMembershipFactory,
    QuoteInvitationFactory,
    QuoteRequestFactory,
)

pytestmark = pytest.mark.django_db


def portal_url(enterprise, language="fr-ca"):
    with translation.override(language):
        return reverse("enterprise_accounts:page_quote_requests", args=[enterprise.pk])


def invited(enterprise, title, days_ago, answer="pending", answer_by=None, **request_fields):
    quote_request = QuoteRequestFactory(
        title=title, answer_by=answer_by or timezone.localdate() + timedelta(days=10),
        buyer=BuyerProfileFactory(organization_name=f"Acheteur de {title}").user,
        **request_fields,
    )
    invitation = QuoteInvitationFactory(request=quote_request, enterprise=enterprise,
                                        answer=answer)
    QuoteInvitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - timedelta(days=days_ago))
    return invitation


@pytest.fixture
def enterprise(db):
    return EnterpriseFactory(name="Traiteur Solidaire")


@pytest.fixture
def person(client, enterprise):
    membership = EnterpriseMembershipFactory(enterprise=enterprise, role="editor")
    client.force_login(membership.user)
    return membership.user


@pytest.fixture
def four_requests(enterprise):
    """One of each standing; the newest awaits an answer."""
    invited(enterprise, "Buffet de Noël", 1, answer_by=date(2031, 12, 1))
    invited(enterprise, "Boîtes à lunch", 3, answer="quoted")
    closed = invited(enterprise, "Pause-café", 5, answer="interested")
    QuoteRequest.objects.filter(pk=closed.request_id).update(
        status=QuoteRequest.Status.CLOSED)
    chosen = invited(enterprise, "Fête de quartier", 8, answer="quoted")
    QuoteRequest.objects.filter(pk=chosen.request_id).update(
        status=QuoteRequest.Status.CHOSEN, chosen=chosen)
    # Another enterprise's request never shows.
    invited(EnterpriseFactory(), "Repas d'une autre entreprise", 0)


def rows(page):
    body = page.content.decode()
    return [html.unescape(re.sub(r"<[^>]+>", " ", row)).split()
            for row in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", body, re.S)]


def test_the_enterprise_sees_its_requests_newest_first_with_where_each_stands(
    client, person, enterprise, four_requests
):
    page = client.get(portal_url(enterprise))

    titles_and_standings = [" ".join(row) for row in rows(page)]
    assert len(titles_and_standings) == 4
    assert titles_and_standings[0].startswith("Buffet de Noël Acheteur de Buffet de Noël")
    assert titles_and_standings[0].endswith("En attente de votre réponse")
    assert "2031-12-01" in titles_and_standings[0]  # the answer deadline
    assert titles_and_standings[1].endswith("Vous avez répondu")
    assert titles_and_standings[2].endswith("Fermée par l'acheteur")
    assert titles_and_standings[3].endswith("Vous avez été choisie")
    assert "autre entreprise" not in page.content.decode()


def test_the_page_speaks_english_under_en(client, person, enterprise, four_requests):
    page = client.get(portal_url(enterprise, "en")).content.decode()

    assert "<title>Requests for quotes" in page
    assert "Awaiting your answer" in page and "You were chosen" in page
    assert "Closed by the buyer" in page and "You answered" in page
    assert "Newest first: open a request to answer it" in page


def test_the_link_opens_the_response_page_where_the_person_answers_without_the_email(
    client, person, enterprise, four_requests
):
    page = client.get(portal_url(enterprise)).content.decode()
    respond = re.search(r'<a href="([^"]+)">Buffet de Noël</a>', page).group(1)

    opened = client.get(respond)
    answered = client.post(
        respond, {"answer": "interested", "decline_reason": "", "language": "fr"})

    assert opened.status_code == 200 and "Buffet de Noël" in opened.content.decode()
    assert answered.status_code == 302
    invitation = QuoteInvitation.objects.get(request__title="Buffet de Noël")
    assert invitation.answer == QuoteInvitation.Answer.INTERESTED
    assert invitation.standing == QuoteInvitation.Standing.ANSWERED


def test_the_portals_menu_leads_to_the_page(client, person, enterprise):
    profile = client.get(reverse("enterprise_accounts:profile", args=[enterprise.pk]))
    page = client.get(portal_url(enterprise))

    assert f'<a href="{portal_url(enterprise)}">Demandes de prix</a>' in profile.content.decode()
    assert f'<a href="{portal_url(enterprise)}" aria-current="page">' in page.content.decode()
    assert "Aucun acheteur n'a encore demandé de prix" in html.unescape(page.content.decode())


def test_a_person_keeping_several_enterprises_finds_each_ones_requests_from_the_home(
    client, person, enterprise
):
    other = EnterpriseMembershipFactory(user=person).enterprise

    home = client.get(reverse("enterprise_accounts:portal")).content.decode()

    assert portal_url(enterprise) in home and portal_url(other) in home


def test_another_enterprises_person_finds_nothing(client, enterprise, four_requests):
    client.force_login(EnterpriseMembershipFactory().user)

    assert client.get(portal_url(enterprise)).status_code == 404


@pytest.mark.parametrize("page", ["2", "0", "-1", "x", "9" * 30, "%00"])
def test_any_page_number_gives_a_page(client, person, enterprise, four_requests, page):
    response = client.get(portal_url(enterprise), {"page": page})

    assert response.status_code == 200
    assert len(rows(response)) == 4


def test_the_page_costs_the_same_queries_for_any_number_of_requests(
    client, person, enterprise, django_assert_max_num_queries
):
    for day in range(30):
        invited(enterprise, f"Demande {day}", day, answer="quoted" if day % 2 else "pending")
    # Session, user, the person's membership with its enterprise; the page's requests with
    # their category, organization, buyer and buyer account; their count for the pages.
    with django_assert_max_num_queries(5):
        response = client.get(portal_url(enterprise))
    assert len(rows(response)) == sections.REQUESTS_PER_PAGE
