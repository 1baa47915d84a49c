"""Who may see and change what in the member portal.

This is the one place that scopes querysets to the signed-in member's organization: every
portal view reaches purchases and people through these mixins and functions, never through
`Purchase.objects` directly. Another organization's purchase is therefore a 404, and the
organization of a new purchase comes from the membership, never from the request.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control

from .models import Invitation, Membership, Purchase


def membership_for(user):
    """The membership a user acts through; the oldest one when a person belongs to several."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("organization")
        .filter(user=user)
        .order_by("created_at", "pk")
        .first()
    )


# Where a signed-in account without a membership lands when no link named a page: apps
# above this one register a function of the user that returns an address or None (the
# procurement app's buyers land on their shortlists), so this app never names them.
SIGN_IN_LANDINGS = []


def register_sign_in_landing(landing):
    SIGN_IN_LANDINGS.append(landing)


def sign_in_landing_for(user):
    """The first registered landing page that claims the user, or None."""
    return next(filter(None, (landing(user) for landing in SIGN_IN_LANDINGS)), None)


def purchases_of(membership):
    return Purchase.objects.for_organization(membership.organization)


def purchase_of(membership, pk):
    """One of the organization's purchases, or a 404 whoever else it belongs to."""
    return get_object_or_404(purchases_of(membership), pk=pk)


def editable_purchase_of(membership, pk):
    """A purchase the member may still change: validated and submitted ones are locked."""
    purchase = purchase_of(membership, pk)
    if not purchase.is_editable:
        raise PermissionDenied(_("This purchase is locked: it has been submitted or validated."))
    return purchase


def team_of(membership):
    return Membership.objects.filter(organization=membership.organization).select_related("user")


def open_invitations_of(membership):
    return Invitation.objects.open().filter(organization=membership.organization)


def can_manage_team(membership):
    return membership is not None and membership.role == Membership.Role.MANAGER


# One organization's data: no proxy may keep it, nor the browser once the page is left.
@method_decorator(cache_control(private=True, no_store=True), name="dispatch")
class MemberRequiredMixin(LoginRequiredMixin):
    """Signed-in people who belong to a member organization; others get a 403.

    Staff without a membership are refused too: they work in the admin, not for a member.
    """

    managers_only = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = membership_for(request.user)
        if self.membership is None:
            raise PermissionDenied(_("Your account does not belong to a member organization."))
        if self.managers_only and not can_manage_team(self.membership):
            raise PermissionDenied(_("Only the organization's managers can do this."))
        self.organization = self.membership.organization
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("membership", self.membership)
        kwargs.setdefault("organization", self.organization)
        return super().get_context_data(**kwargs)


class ManagerRequiredMixin(MemberRequiredMixin):
    """Managers of a member organization only: contributors cannot manage people or targets."""

    managers_only = True
