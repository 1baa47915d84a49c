"""The permission matrix of every purchases URL, generated from the URL configuration.

Each URL name and method must have an expected result for each kind of visitor: a URL added
without one fails `test_every_purchases_url_has_expected_results`.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from purchases.models import Membership, Purchase
from purchases.uploads import start_job, store
from purchases.urls import urlpatterns
from tests.factories import (
    InvitationFactory,
    MemberOrganizationFactory,
    MembershipFactory,
    PurchaseFactory,
    StaffFactory,
    UserFactory,
)

ACTORS = ("anonymous", "contributor_a", "manager_a", "member_b", "staff", "superuser")
METHODS = ("GET", "POST")
LOGIN = "login"  # redirected to the sign-in page


def expect(anonymous, contributor_a, manager_a, member_b, staff, superuser):
    return dict(zip(ACTORS, (anonymous, contributor_a, manager_a, member_b, staff, superuser),
                    strict=True))


PUBLIC = expect(200, 200, 200, 200, 200, 200)
NOT_ALLOWED = expect(405, 405, 405, 405, 405, 405)
MEMBERS = expect(LOGIN, 200, 200, 200, 403, 403)
# Member B is a manager of another organization: A's objects do not exist for B.
OWN_OBJECT = expect(LOGIN, 200, 200, 404, 403, 403)
OWN_OBJECT_CHANGED = expect(LOGIN, 302, 302, 404, 403, 403)
MEMBERS_NOT_ALLOWED = expect(LOGIN, 405, 405, 405, 403, 403)
MANAGERS = expect(LOGIN, 403, 200, 200, 403, 403)
MANAGERS_CHANGED = expect(LOGIN, 403, 302, 302, 403, 403)
MANAGERS_NOT_ALLOWED = expect(LOGIN, 403, 405, 405, 403, 403)
SIGNED_OUT_ONLY = expect(200, 302, 302, 302, 302, 302)

EXPECTED = {
    ("login", "GET"): SIGNED_OUT_ONLY,
    ("login", "POST"): SIGNED_OUT_ONLY,  # an empty form shows its errors
    ("logout", "GET"): NOT_ALLOWED,
    ("logout", "POST"): expect(302, 302, 302, 302, 302, 302),
    ("password_reset", "GET"): PUBLIC,
    ("password_reset", "POST"): PUBLIC,
    ("password_reset_done", "GET"): PUBLIC,
    ("password_reset_done", "POST"): NOT_ALLOWED,
    ("password_reset_confirm", "GET"): PUBLIC,  # an invalid link says so
    ("password_reset_confirm", "POST"): PUBLIC,
    ("password_reset_complete", "GET"): PUBLIC,
    ("password_reset_complete", "POST"): NOT_ALLOWED,
    ("dashboard", "GET"): MEMBERS,
    ("dashboard", "POST"): MEMBERS_NOT_ALLOWED,
    ("purchase_list", "GET"): MEMBERS,
    ("purchase_list", "POST"): MEMBERS_NOT_ALLOWED,
    ("purchase_create", "GET"): MEMBERS,
    ("purchase_create", "POST"): MEMBERS,  # an empty form shows its errors
    ("purchase_upload", "GET"): MEMBERS,
    ("purchase_upload", "POST"): MEMBERS,
    # The status page of a large file's check: only the membership that sent the file.
    ("upload_status", "GET"): expect(LOGIN, 200, 404, 404, 403, 403),
    ("upload_status", "POST"): MEMBERS_NOT_ALLOWED,
    # The confirm step of a checked file: without a valid token, back to the upload page.
    ("upload_confirm", "GET"): MEMBERS_NOT_ALLOWED,
    ("upload_confirm", "POST"): expect(LOGIN, 302, 302, 302, 403, 403),
    ("upload_template", "GET"): MEMBERS,
    ("upload_template", "POST"): MEMBERS_NOT_ALLOWED,
    ("purchase_export", "GET"): MEMBERS,
    ("purchase_export", "POST"): MEMBERS_NOT_ALLOWED,
    ("purchase_detail", "GET"): OWN_OBJECT,
    ("purchase_detail", "POST"): expect(LOGIN, 405, 405, 405, 403, 403),
    ("purchase_update", "GET"): OWN_OBJECT,
    ("purchase_update", "POST"): OWN_OBJECT,
    ("purchase_submit", "GET"): MEMBERS_NOT_ALLOWED,
    ("purchase_submit", "POST"): OWN_OBJECT_CHANGED,
    ("purchase_withdraw", "GET"): MEMBERS_NOT_ALLOWED,
    ("purchase_withdraw", "POST"): OWN_OBJECT_CHANGED,
    ("enterprise_suggestions", "GET"): MEMBERS,
    ("enterprise_suggestions", "POST"): MEMBERS_NOT_ALLOWED,
    ("target", "GET"): MANAGERS,
    ("target", "POST"): MANAGERS_CHANGED,  # an empty target is allowed
    ("team", "GET"): MANAGERS,
    ("team", "POST"): MANAGERS,
    ("remove_member", "GET"): MANAGERS_NOT_ALLOWED,
    ("remove_member", "POST"): expect(LOGIN, 403, 302, 404, 403, 403),
    ("revoke_invitation", "GET"): MANAGERS_NOT_ALLOWED,
    ("revoke_invitation", "POST"): expect(LOGIN, 403, 302, 404, 403, 403),
    # Anyone may open the link; only the invited address can accept (tests/purchases/
    # test_invitations.py), and an empty form shows its errors.
    ("invitation", "GET"): PUBLIC,
    ("invitation", "POST"): PUBLIC,
    ("repertory", "GET"): PUBLIC,
    ("repertory", "POST"): NOT_ALLOWED,
    ("repertory_export", "GET"): PUBLIC,
    ("repertory_export", "POST"): NOT_ALLOWED,
    ("ocds", "GET"): PUBLIC,
    ("ocds", "POST"): NOT_ALLOWED,
    ("declaration", "GET"): PUBLIC,
    ("declaration", "POST"): NOT_ALLOWED,
}

URL_NAMES = [pattern.name for pattern in urlpatterns]


@pytest.fixture
def world(db):
    organization_a = MemberOrganizationFactory()
    contributor_a = MembershipFactory(organization=organization_a)
    manager_a = MembershipFactory(organization=organization_a, role=Membership.Role.MANAGER)
    member_b = MembershipFactory(role=Membership.Role.MANAGER)
    return {
        "users": {
            "anonymous": None,
            "contributor_a": contributor_a.user,
            "manager_a": manager_a.user,
            "member_b": member_b.user,
            "staff": StaffFactory(username="staff", is_superuser=False),
            "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
        },
        "draft": PurchaseFactory(organization=organization_a, status=Purchase.Status.DRAFT),
        "submitted": PurchaseFactory(
            organization=organization_a, status=Purchase.Status.SUBMITTED
        ),
        "contributor_a": contributor_a,
        "invitation": InvitationFactory(organization=organization_a),
        "upload_token": start_job(
            contributor_a, store(SimpleUploadedFile("achats.csv", b"supplier,amount\n")),
            "achats.csv", True,
        ),
    }


def url_for(name, world):
    kwargs = {}
    if name in ("purchase_detail", "purchase_update", "purchase_submit"):
        kwargs = {"pk": world["draft"].pk}
    elif name == "purchase_withdraw":
        kwargs = {"pk": world["submitted"].pk}
    elif name == "remove_member":
        kwargs = {"pk": world["contributor_a"].pk}
    elif name == "revoke_invitation":
        kwargs = {"pk": world["invitation"].pk}
    elif name == "upload_status":
        kwargs = {"token": world["upload_token"]}
    elif name == "invitation":
        kwargs = {"token": world["invitation"].token}
    elif name == "password_reset_confirm":
        kwargs = {"uidb64": "MQ", "token": "not-a-token"}
    return reverse(f"purchases:{name}", kwargs=kwargs)


def test_every_purchases_url_has_expected_results():
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
    url = url_for(name, world)
    response = client.get(url) if method == "GET" else client.post(url, {})
    expected = EXPECTED[(name, method)][actor]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("purchases:login"))
    else:
        assert response.status_code == expected, response.content[:300]
