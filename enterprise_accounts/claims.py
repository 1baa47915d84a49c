"""A person claims an enterprise: confirmed by an emailed link when their address belongs to
the enterprise (its website's domain, or its own address), otherwise decided by staff."""

from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.utils import timezone

from .mail import send_to
from .models import Claim, EnterpriseAccount, EnterpriseMembership, Role

SALT = "enterprise_accounts.claim"
# Addresses at these domains belong to everyone: a profile whose "website" is a social network
# page proves nothing about an address there.
SHARED_DOMAINS = {
    "facebook.com", "instagram.com", "linkedin.com", "google.com", "gmail.com", "outlook.com",
    "hotmail.com", "yahoo.com", "yahoo.ca", "live.com", "icloud.com", "wixsite.com",
    "wordpress.com", "blogspot.com", "videotron.ca", "bell.net", "sympatico.ca",
}


def website_domain(website):
    host = (urlsplit(website).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def proves_ownership(enterprise, email):
    """Whether a link sent to ``email`` proves that its owner speaks for the enterprise."""
    email = email.strip().lower()
    if enterprise.email and email == enterprise.email.strip().lower():
        return True
    domain = website_domain(enterprise.website)
    email_domain = email.rpartition("@")[2]
    if not domain or domain in SHARED_DOMAINS:
        return False
    return email_domain == domain or email_domain.endswith("." + domain)


def start_claim(enterprise, name, role_title, email, language, site):
    """The claim, and the email that goes with it (the link, or the note that staff will
    decide)."""
    email = email.strip().lower()
    by_link = proves_ownership(enterprise, email)
    claim = Claim.objects.create(
        enterprise=enterprise, name=name, role_title=role_title, email=email, language=language,
        state=Claim.State.AWAITING_EMAIL if by_link else Claim.State.AWAITING_STAFF,
    )
    context = {"claim": claim, "enterprise": enterprise, "site": site}
    if by_link:
        send_to(email, language, "claim_link", {**context, "token": link_token(claim)})
    else:
        send_to(email, language, "claim_received", context)
    return claim


def link_token(claim):
    return signing.dumps(claim.pk, salt=SALT)


def claim_from_token(token):
    """The claim or invitation the link confirms, or None when it is forged, expired, revoked
    or already used."""
    try:
        pk = signing.loads(token, salt=SALT, max_age=Claim.INVITATION_VALID_FOR)
    except signing.BadSignature:
        return None
    claim = Claim.objects.filter(pk=pk, state=Claim.State.AWAITING_EMAIL).select_related(
        "enterprise"
    ).first()
    if claim is None or claim.created_at + claim.link_valid_for < timezone.now():
        return None
    return claim


def invite(enterprise, email, role, language, invited_by, site):
    """An owner's invitation: the person joins once they open the emailed link. Inviting the
    same address again revokes the previous link."""
    email = email.strip().lower()
    enterprise.claims.open_invitations().filter(email=email).update(state=Claim.State.REVOKED)
    claim = Claim.objects.create(
        enterprise=enterprise, name=email, role_title="", email=email, language=language,
        role=role, invited_by=invited_by, state=Claim.State.AWAITING_EMAIL,
    )
    send_to(email, language, "invitation",
            {"claim": claim, "enterprise": enterprise, "site": site, "token": link_token(claim),
             "invited_by": invited_by})
    return claim


def account_for(email):
    """The account of this address: its user name, or else its email."""
    users = get_user_model().objects
    return users.filter(username=email).first() or users.filter(email__iexact=email).first()


def welcome_token(claim):
    return signing.dumps(claim.pk, salt=SALT + ".welcome")


def claim_from_welcome_token(token):
    """The approved claim of a staff-approval email's link, or None; valid two weeks."""
    try:
        pk = signing.loads(token, salt=SALT + ".welcome", max_age=Claim.LINK_VALID_FOR * 5)
    except signing.BadSignature:
        return None
    return Claim.objects.filter(pk=pk, state=Claim.State.APPROVED).first()


@transaction.atomic
def grant(claim, decided_by=None):
    """The claimant's account (created with their address as user name) and membership; the
    first person of an enterprise owns it. Returns ``(user, created)``, or ``(None, False)``
    when the claim was decided meanwhile (a second click, staff in two tabs)."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.state not in (Claim.State.AWAITING_EMAIL, Claim.State.AWAITING_STAFF):
        return None, False
    user = account_for(claim.email)
    created = user is None
    if created:
        first_name, _space, last_name = claim.name.partition(" ")
        user = get_user_model().objects.create_user(
            username=claim.email, email=claim.email, password=None,
            first_name=first_name[:150], last_name=last_name[:150],
        )
    owners = EnterpriseMembership.objects.filter(enterprise=claim.enterprise, role=Role.OWNER)
    EnterpriseMembership.objects.get_or_create(
        user=user, enterprise=claim.enterprise,
        defaults={"role": claim.role or (Role.EDITOR if owners.exists() else Role.OWNER),
                  "language": claim.language},
    )
    EnterpriseAccount.objects.get_or_create(enterprise=claim.enterprise)
    claim.decide(decided_by, Claim.State.APPROVED)
    return user, created


def join_by_link(claim, site):
    """The person opened their emailed link: they join, and when nobody invited them (their
    address matched the enterprise's domain), the owners are told, so that they can remove a
    stranger. Returns the user, or None when the claim was decided meanwhile."""
    user, _created = grant(claim)
    if user is not None and claim.invited_by_id is None:
        tell_owners(claim, user, site)
    return user


def tell_owners(claim, user, site, approved_by_staff=False):
    """One email to each other owner of the enterprise, in the language they chose, with the
    link to their team page, where they can remove the newcomer."""
    owners = (
        EnterpriseMembership.objects.filter(enterprise=claim.enterprise, role=Role.OWNER)
        .exclude(user=user).exclude(user__email="").select_related("user")
    )
    for owner in owners:
        send_to(owner.user.email, owner.language, "colleague_joined",
                {"claim": claim, "enterprise": claim.enterprise, "site": site,
                 "approved_by_staff": approved_by_staff})


def approve(claim, staff, site):
    """Staff grant a claim that no address proved: the person is told, and so are the
    enterprise's owners, who did not choose them."""
    user, _created = grant(claim, decided_by=staff)
    if user is None:
        return
    tell_owners(claim, user, site, approved_by_staff=True)
    send_to(claim.email, claim.language, "claim_approved",
            {"claim": claim, "enterprise": claim.enterprise, "site": site,
             "token": welcome_token(claim), "needs_password": not user.has_usable_password()})


def refuse(claim, staff, reason, site):
    claim.decide(staff, Claim.State.REFUSED, reason)
    send_to(claim.email, claim.language, "claim_refused",
            {"claim": claim, "enterprise": claim.enterprise, "site": site})
