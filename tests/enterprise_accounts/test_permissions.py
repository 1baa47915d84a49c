"""The permission matrix of every enterprise-accounts URL, generated from the URL configuration
(and the app's admin pages): a URL added without expected results fails
``test_every_url_has_expected_results``."""

import pytest
from django.contrib import admin
from django.urls import reverse

from enterprise_accounts.models import Claim, EnterpriseFile, ErrorReport, Role
from enterprise_accounts.urls import urlpatterns
from purchases.models import Membership
from tests.factories import (
    ChangeRequestFactory,
    ClaimFactory,
    EnterpriseFactory,
    EnterpriseFileFactory,
    EnterpriseMembershipFactory,
    MembershipFactory,
    StaffFactory,
)

ACTORS = ("anonymous", "owner_a", "editor_a", "user_b", "member", "staff")
LOGIN = "login"  # redirected to the sign-in page
ADMIN_LOGIN = "admin login"


def expect(anonymous, owner_a, editor_a, user_b, member, staff):
    return dict(zip(ACTORS, (anonymous, owner_a, editor_a, user_b, member, staff), strict=True))


PUBLIC = expect(200, 200, 200, 200, 200, 200)
NOT_ALLOWED = expect(405, 405, 405, 405, 405, 405)
SIGNED_IN = expect(LOGIN, 200, 200, 200, 200, 200)
# Enterprise B's person, a member organization's person and staff find nothing in A's portal.
OWN = expect(LOGIN, 200, 200, 404, 404, 404)
OWN_CHANGED = expect(LOGIN, 302, 302, 404, 404, 404)
OWN_NOT_ALLOWED = expect(LOGIN, 405, 405, 404, 404, 404)
STAFF = expect(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)
STAFF_CHANGED = expect(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 302)

EXPECTED = {
    ("portal", "GET"): expect(LOGIN, 302, 302, 302, 403, 403),
    ("portal", "POST"): expect(LOGIN, 405, 405, 405, 405, 405),
    ("set_password", "GET"): SIGNED_IN,
    ("set_password", "POST"): SIGNED_IN,  # an empty form shows its errors
    ("profile", "GET"): OWN,
    ("profile", "POST"): OWN_CHANGED,  # every field is optional
    ("confirm", "GET"): OWN_NOT_ALLOWED,
    ("confirm", "POST"): OWN_CHANGED,
    ("identity", "GET"): OWN,
    ("identity", "POST"): OWN,  # an empty form shows its errors
    ("files", "GET"): OWN,
    ("files", "POST"): OWN,
    ("file_delete", "GET"): OWN_NOT_ALLOWED,
    ("file_delete", "POST"): OWN_CHANGED,
    ("team", "GET"): OWN,
    # The requests for quotes sent to the enterprise, a page the procurement app adds.
    ("page_quote_requests", "GET"): OWN,
    ("page_quote_requests", "POST"): OWN_NOT_ALLOWED,
    # Only owners invite; an empty form shows its errors.
    ("team", "POST"): expect(LOGIN, 200, 403, 404, 404, 404),
    ("revoke_invitation", "GET"): expect(LOGIN, 405, 403, 404, 404, 404),
    ("revoke_invitation", "POST"): expect(LOGIN, 302, 403, 404, 404, 404),
    ("remove_person", "GET"): expect(LOGIN, 405, 403, 404, 404, 404),
    ("remove_person", "POST"): expect(LOGIN, 302, 403, 404, 404, 404),
    ("claim", "GET"): PUBLIC,
    ("claim", "POST"): PUBLIC,
    ("claim_link", "GET"): PUBLIC,  # a forged link says it is not valid
    ("claim_link", "POST"): PUBLIC,
    ("welcome", "GET"): PUBLIC,
    ("welcome", "POST"): PUBLIC,
    ("report", "GET"): PUBLIC,
    ("report", "POST"): PUBLIC,
    ("file", "GET"): PUBLIC,  # a live file of a published enterprise
    ("file", "POST"): NOT_ALLOWED,
}
ADMIN_EXPECTED = {
    ("admin:enterprise_accounts_queue", "GET"): STAFF,
    ("admin:enterprise_accounts_queue", "POST"): STAFF,
    ("admin:enterprise_accounts_changerequest_review", "GET"): STAFF,
    ("admin:enterprise_accounts_changerequest_review", "POST"): STAFF_CHANGED,  # approved
    ("admin:enterprise_accounts_claim_decide", "GET"): STAFF,
    ("admin:enterprise_accounts_claim_decide", "POST"): STAFF_CHANGED,  # approved
    # The file is live already: nothing left to decide, the page shows it.
    ("admin:enterprise_accounts_enterprisefile_decide", "GET"): STAFF,
    ("admin:enterprise_accounts_enterprisefile_decide", "POST"): STAFF,
    ("admin:enterprise_accounts_errorreport_resolve", "GET"): STAFF_CHANGED,  # to the queue
    ("admin:enterprise_accounts_errorreport_resolve", "POST"): STAFF_CHANGED,
}
# The admin's own pages of each model (lists, forms, history) check the model permissions
# themselves; the pages this app adds check them by hand, so each is in the matrix.
STANDARD_ADMIN_PAGES = ("_changelist", "_add", "_change", "_delete", "_history",
                        "_simple_history")

URL_NAMES = [pattern.name for pattern in urlpatterns]


@pytest.fixture
def world(db):
    enterprise_a = EnterpriseFactory()
    owner_a = EnterpriseMembershipFactory(enterprise=enterprise_a, role=Role.OWNER)
    editor_a = EnterpriseMembershipFactory(enterprise=enterprise_a, role=Role.EDITOR)
    user_b = EnterpriseMembershipFactory(role=Role.OWNER)
    member = MembershipFactory(role=Membership.Role.MANAGER)
    live_file = EnterpriseFileFactory(enterprise=enterprise_a)
    change = ChangeRequestFactory(enterprise=enterprise_a)
    claim = ClaimFactory(enterprise=enterprise_a)
    report = ErrorReport.objects.create(enterprise=enterprise_a, message="Fermée.")
    invitation = ClaimFactory(
        enterprise=enterprise_a, state=Claim.State.AWAITING_EMAIL, invited_by=owner_a.user,
        role="editor",
    )
    return {
        "users": {
            "anonymous": None, "owner_a": owner_a.user, "editor_a": editor_a.user,
            "user_b": user_b.user, "member": member.user,
            "staff": StaffFactory(username="staff"),
        },
        "kwargs": {
            "profile": {"pk": enterprise_a.pk}, "confirm": {"pk": enterprise_a.pk},
            "identity": {"pk": enterprise_a.pk}, "files": {"pk": enterprise_a.pk},
            "file_delete": {"pk": enterprise_a.pk, "file_pk": live_file.pk},
            "team": {"pk": enterprise_a.pk},
            "page_quote_requests": {"pk": enterprise_a.pk},
            "revoke_invitation": {"pk": enterprise_a.pk, "claim_pk": invitation.pk},
            "remove_person": {"pk": enterprise_a.pk, "member_pk": editor_a.pk},
            "claim": {"slug": enterprise_a.slug}, "report": {"slug": enterprise_a.slug},
            "claim_link": {"token": "forged"}, "welcome": {"token": "forged"},
            "file": {"pk": live_file.pk},
            "admin:enterprise_accounts_changerequest_review": {"pk": change.pk},
            "admin:enterprise_accounts_claim_decide": {"pk": claim.pk},
            "admin:enterprise_accounts_enterprisefile_decide": {"pk": live_file.pk},
            "admin:enterprise_accounts_errorreport_resolve": {"pk": report.pk},
        },
    }


def outcome(response):
    if response.status_code == 302:
        if "/admin/login/" in response.url:
            return ADMIN_LOGIN
        if "connexion" in response.url and "next=" in response.url:
            return LOGIN
    return response.status_code


def test_every_url_has_expected_results():
    missing = [(name, method) for name in URL_NAMES for method in ("GET", "POST")
               if (name, method) not in EXPECTED]
    assert not missing


def test_every_admin_page_the_app_adds_has_expected_results():
    added = {f"admin:{pattern.name}"
             for model, model_admin in admin.site._registry.items()
             if model._meta.app_label == "enterprise_accounts"
             for pattern in model_admin.get_urls()
             if pattern.name and not pattern.name.endswith(STANDARD_ADMIN_PAGES)}
    assert added
    missing = [(name, method) for name in sorted(added) for method in ("GET", "POST")
               if (name, method) not in ADMIN_EXPECTED]
    assert not missing


@pytest.mark.parametrize(("name", "method"), sorted(ADMIN_EXPECTED))
def test_staff_without_the_review_rights_are_refused_every_added_admin_page(
    client, world, name, method
):
    client.force_login(StaffFactory(username="intern", is_superuser=False))
    url = reverse(name, kwargs=world["kwargs"].get(name, {}))
    response = client.get(url) if method == "GET" else client.post(url, {})
    assert response.status_code == 403


@pytest.mark.parametrize("actor", ACTORS)
def test_a_pending_file_is_seen_only_by_its_enterprise_and_staff(client, world, actor):
    pending = EnterpriseFile.objects.get()
    pending.state = EnterpriseFile.State.PENDING
    pending.save()
    user = world["users"][actor]
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("enterprise_accounts:file", args=[pending.pk]))
    assert response.status_code == expect(404, 200, 200, 404, 404, 200)[actor]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("name", "method"), sorted(EXPECTED) + sorted(ADMIN_EXPECTED))
def test_permission_matrix(client, world, name, method, actor):
    user = world["users"][actor]
    if user is not None:
        client.force_login(user)
    route = name if name.startswith("admin:") else f"enterprise_accounts:{name}"
    url = reverse(route, kwargs=world["kwargs"].get(name, {}))
    response = client.get(url) if method == "GET" else client.post(url, {})
    expected = {**EXPECTED, **ADMIN_EXPECTED}[name, method][actor]
    assert outcome(response) == expected


def test_an_enterprise_user_has_no_member_portal_and_a_member_no_enterprise_portal(client, world):
    client.force_login(world["users"]["owner_a"])
    assert client.get(reverse("purchases:dashboard")).status_code == 403
    client.force_login(world["users"]["member"])
    assert client.get(reverse("enterprise_accounts:portal")).status_code == 403
    assert client.get(reverse("enterprise_accounts:profile",
                              kwargs=world["kwargs"]["profile"])).status_code == 404


def test_a_person_granted_both_uses_both_portals(client, world):
    member = world["users"]["member"]
    EnterpriseMembershipFactory(user=member)
    client.force_login(member)
    assert client.get(reverse("purchases:dashboard")).status_code == 200
    assert client.get(reverse("enterprise_accounts:portal")).status_code == 302
