"""The permission matrix of every procurement URL, as anonymous, buyer A (a member who owns
the shortlist and the request), buyer B (a self-service buyer), an enterprise's person
(an enterprise account, no buyer) and staff; the signed links are opened with valid tokens.

A URL added without expected results fails `test_every_procurement_url_has_expected_results`.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from enterprise_accounts.models import EnterpriseMembership
from procurement import links
from procurement.models import QuoteRequest
from procurement.urls import request_patterns, shortlist_patterns
from tests.factories import (
    BuyerProfileFactory,
    EnterpriseFactory,
    MembershipFactory,
    QuoteInvitationFactory,
    QuoteRequestFactory,
    ShortlistEntryFactory,
    ShortlistFactory,
    StaffFactory,
    UserFactory,
)

from .test_safety import pdf_bytes

ACTORS = ("anonymous", "buyer_a", "buyer_b", "enterprise", "staff")
METHODS = ("GET", "POST")
LOGIN = "login"  # sent to the buyer sign-up page, which leads to the sign-in form


def expect(anonymous, buyer_a, buyer_b, enterprise, staff):
    return dict(zip(ACTORS, (anonymous, buyer_a, buyer_b, enterprise, staff), strict=True))


def everyone(status):
    return expect(status, status, status, status, status)


BUYERS = expect(LOGIN, 200, 200, 403, 403)
BUYERS_NOT_ALLOWED = expect(LOGIN, 405, 405, 403, 403)
# Buyer A's shortlist or request: it does not exist for buyer B.
OWN = expect(LOGIN, 200, 404, 403, 403)
OWN_CHANGED = expect(LOGIN, 302, 404, 403, 403)

EXPECTED = {
    ("shortlist_list", "GET"): BUYERS,
    ("shortlist_list", "POST"): BUYERS,  # an empty form shows its errors
    ("shortlist_detail", "GET"): OWN,
    ("shortlist_detail", "POST"): BUYERS_NOT_ALLOWED,
    ("shortlist_export", "GET"): OWN,
    ("shortlist_export", "POST"): BUYERS_NOT_ALLOWED,
    ("entry", "GET"): BUYERS_NOT_ALLOWED,
    ("entry", "POST"): OWN_CHANGED,
    ("request_create", "GET"): OWN,
    ("request_create", "POST"): OWN,  # an empty form shows its errors
    ("save", "GET"): BUYERS,
    ("save", "POST"): BUYERS,  # an empty form shows its errors
    ("shortlist_shared", "GET"): everyone(200),
    ("shortlist_shared", "POST"): everyone(405),
    ("buyer_signup", "GET"): everyone(200),
    ("buyer_signup", "POST"): everyone(200),
    ("buyer_confirm", "GET"): everyone(200),
    ("buyer_confirm", "POST"): everyone(400),  # no password chosen: nothing is activated
    ("request_list", "GET"): BUYERS,
    ("request_list", "POST"): BUYERS_NOT_ALLOWED,
    ("request_detail", "GET"): OWN,
    ("request_detail", "POST"): BUYERS_NOT_ALLOWED,
    ("request_attachment", "GET"): OWN,
    ("request_attachment", "POST"): BUYERS_NOT_ALLOWED,
    ("ask", "GET"): BUYERS_NOT_ALLOWED,
    ("ask", "POST"): OWN_CHANGED,  # the request is closed: back to it with a message
    ("choose", "GET"): BUYERS_NOT_ALLOWED,
    ("choose", "POST"): OWN_CHANGED,
    ("record_purchase", "GET"): BUYERS_NOT_ALLOWED,
    ("record_purchase", "POST"): OWN_CHANGED,
    ("quote_file", "GET"): OWN,
    ("quote_file", "POST"): BUYERS_NOT_ALLOWED,
    # Whoever holds the enterprise's signed link; the request is closed, so a POST only
    # comes back to the page with a message.
    ("respond", "GET"): everyone(200),
    ("respond", "POST"): everyone(302),
    ("respond_attachment", "GET"): everyone(200),
    ("respond_attachment", "POST"): everyone(405),
    ("preferences", "GET"): everyone(200),
    ("preferences", "POST"): everyone(400),  # an empty choice is refused with its message
    # Each buyer switches only their own notices.
    ("buyer_notices", "GET"): BUYERS_NOT_ALLOWED,
    ("buyer_notices", "POST"): expect(LOGIN, 302, 302, 403, 403),
    # Whoever holds buyer A's unsubscribe link: opening it asks, posting to it stops the
    # notices.
    ("buyer_unsubscribe", "GET"): everyone(200),
    ("buyer_unsubscribe", "POST"): everyone(200),
}

URL_NAMES = [pattern.name for pattern in shortlist_patterns + request_patterns]


@pytest.fixture
def world(db):
    buyer_a = MembershipFactory()
    shortlist = ShortlistFactory(owner=buyer_a.user)
    entry = ShortlistEntryFactory(shortlist=shortlist)
    quote_request = QuoteRequestFactory(
        buyer=buyer_a.user, organization=buyer_a.organization, shortlist=shortlist,
        attachment=SimpleUploadedFile("cahier.pdf", pdf_bytes()),
    )
    invitation = QuoteInvitationFactory(
        request=quote_request, enterprise=entry.enterprise, answer="quoted", amount=900,
        answered_at=timezone.now(), quote_file=SimpleUploadedFile("devis.pdf", pdf_bytes()),
    )
    quote_request.status = QuoteRequest.Status.CHOSEN
    quote_request.chosen = invitation
    quote_request.save()
    enterprise_person = UserFactory()
    EnterpriseMembership.objects.create(
        user=enterprise_person, enterprise=EnterpriseFactory(), role="owner"
    )
    unconfirmed = BuyerProfileFactory(confirmed_at=None, user__is_active=False)
    return {
        "users": {
            "anonymous": None,
            "buyer_a": buyer_a.user,
            "buyer_b": BuyerProfileFactory().user,
            "enterprise": enterprise_person,
            "staff": StaffFactory(username="staff"),
        },
        "kwargs": {
            "shortlist_detail": {"pk": shortlist.pk},
            "shortlist_export": {"pk": shortlist.pk},
            "entry": {"pk": shortlist.pk, "entry_pk": entry.pk},
            "request_create": {"pk": shortlist.pk},
            "save": {"slug": entry.enterprise.slug},
            "shortlist_shared": {"token": shortlist.share_token},
            "buyer_confirm": {"token": links.make_token(links.CONFIRM_BUYER, unconfirmed.pk)},
            "request_detail": {"pk": quote_request.pk},
            "request_attachment": {"pk": quote_request.pk},
            "ask": {"pk": quote_request.pk, "invitation_pk": invitation.pk},
            "choose": {"pk": quote_request.pk},
            "record_purchase": {"pk": quote_request.pk},
            "quote_file": {"pk": quote_request.pk, "invitation_pk": invitation.pk},
            "respond": {"token": links.make_token(links.RESPOND, invitation.pk)},
            "respond_attachment": {"token": links.make_token(links.RESPOND, invitation.pk)},
            "preferences": {
                "token": links.make_token(links.PREFERENCES, invitation.enterprise_id)
            },
            "buyer_unsubscribe": {
                "token": links.make_token(links.BUYER_NOTICES, buyer_a.user.pk)
            },
        },
    }


def test_every_procurement_url_has_expected_results():
    missing = [(name, method) for name in URL_NAMES for method in METHODS
               if (name, method) not in EXPECTED]
    stale = [key for key in EXPECTED if key[0] not in URL_NAMES]
    assert missing == [], f"Add the expected results of these URLs: {missing}"
    assert stale == [], f"These URLs no longer exist: {stale}"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", URL_NAMES)
def test_permission_matrix(client, world, name, method, actor):
    user = world["users"][actor]
    if user is not None:
        client.force_login(user)
    url = reverse(f"procurement:{name}", kwargs=world["kwargs"].get(name, {}))
    response = client.get(url) if method == "GET" else client.post(url, {})
    expected = EXPECTED[(name, method)][actor]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("procurement:buyer_signup"))
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize(("actor", "status"), [
    ("anonymous", 302), ("buyer_a", 302), ("buyer_b", 302), ("enterprise", 302), ("staff", 200),
])
def test_only_staff_open_the_statistics_and_the_supply_gap_report(client, world, actor, status):
    user = world["users"][actor]
    if user is not None:
        client.force_login(user)

    page = client.get(reverse("admin:procurement_statistics"))
    report = client.get(reverse("admin:procurement_supply_gaps"))
    crossed = client.get(reverse("admin:procurement_crossed"))

    assert page.status_code == report.status_code == crossed.status_code == status
    if status == 302:  # to the admin's sign-in, never showing the figures
        assert page["Location"].startswith(reverse("admin:login"))
