"""What the procurement app adds to the directory's pages: a "save to a shortlist" link on
each result card and on each enterprise page, the same for every visitor (both are cached);
and where its buyers land after signing in."""

from django.urls import reverse

from enterprises.sections import CARD_ACTIONS, ENTERPRISE_PAGE, register_section
from purchases.access import register_sign_in_landing
from purchases.sections import DASHBOARD_PAGE, REPERTORY_PAGE

from . import stats
from .models import BuyerProfile


def no_context(enterprise, request):
    return None


def organization_counts(organization, request):
    """The member dashboard's counts of requests sent, answered and converted."""
    return stats.organization_counts(organization)


def public_counts(subject, request):
    """The repertory's anonymized counts by category and region."""
    return {
        "by_category": stats.labelled(stats.by_category(), "category"),
        "by_region": stats.labelled(stats.by_region(), "region"),
    }


def buyer_landing(user):
    """A confirmed self-service buyer who signs in lands on their shortlists and requests."""
    if BuyerProfile.objects.filter(user=user, confirmed_at__isnull=False).exists():
        return reverse("procurement:shortlist_list")
    return None


def register():
    """Called from ``ProcurementConfig.ready()``."""
    register_sign_in_landing(buyer_landing)
    register_section(
        CARD_ACTIONS, "shortlist", "procurement/includes/card_action.html", no_context, order=10
    )
    register_section(
        ENTERPRISE_PAGE, "shortlist", "procurement/includes/enterprise_action.html", no_context,
        order=5,
    )
    register_section(
        DASHBOARD_PAGE, "quote_requests", "procurement/includes/dashboard_requests.html",
        organization_counts, order=10,
    )
    register_section(
        REPERTORY_PAGE, "quote_requests", "procurement/includes/repertory_requests.html",
        public_counts, order=10,
    )
