"""What the procurement app adds to the directory's pages: a "save to a shortlist" link on
each result card and on each enterprise page, the same for every visitor (both are cached);
where its buyers land after signing in; the checks that withdraw a notice its buyer stopped,
or a request its enterprise stopped, after it was queued; the requests for quotes an
enterprise received, as a page of its portal; and, on a member's purchase page, the request
the purchase came from."""

from django.core.paginator import Paginator
from django.urls import reverse

from enterprises.sections import (
    CARD_ACTIONS,
    ENTERPRISE_PAGE,
    ENTERPRISE_PORTAL,
    ENTERPRISE_PORTAL_TITLE,
    register_section,
)
from purchases.access import register_sign_in_landing
from purchases.mail import register_delivery_check
from purchases.sections import DASHBOARD_PAGE, PURCHASE_PAGE, REPERTORY_PAGE

from . import links, stats
from .mail import buyer_name, notice_still_wanted, request_still_wanted
from .models import BuyerProfile, QuoteInvitation, QuoteRequest

REQUESTS_PER_PAGE = 25


def no_context(enterprise, request):
    return None


def organization_counts(organization, request):
    """The member dashboard's counts of requests sent, answered and converted."""
    return stats.organization_counts(organization)


def public_counts(subject, request):
    """The repertory's anonymized counts by category and region, without those too small to
    keep a buyer anonymous."""
    by_category, hidden_categories = stats.shown_publicly(stats.by_category())
    by_region, hidden_regions = stats.shown_publicly(stats.by_region())
    return {
        "by_category": stats.labelled(by_category, "category"),
        "by_region": stats.labelled(by_region, "region"),
        "any": bool(by_category or by_region or hidden_categories or hidden_regions),
        "minimum": stats.PUBLIC_MINIMUM,
    }


def enterprise_requests(enterprise, request):
    """The requests sent to the enterprise, newest first, each with where it stands and the
    link to its response page, signed anew: the portal already knows the visitor keeps the
    enterprise, so the email's link is not needed. One query, and one to count them."""
    invitations = QuoteInvitation.objects.filter(enterprise=enterprise).select_related(
        "request", "request__category", "request__organization", "request__buyer__buyer_profile",
    ).order_by("-sent_at", "-pk")
    page = Paginator(invitations, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "page_obj": page,
        "rows": [
            {
                "invitation": invitation, "buyer_name": buyer_name(invitation.request),
                "respond_url": reverse(
                    "procurement:respond",
                    args=[links.make_token(links.RESPOND, invitation.pk)],
                ),
            }
            for invitation in page
        ],
    }


def purchase_request(purchase, request):
    """The request for quotes the purchase came from, if any; the link to it for its buyer,
    the only one who can open it (a colleague reads who sent it). One query."""
    quote_request = QuoteRequest.objects.filter(purchase=purchase).select_related(
        "buyer"
    ).first()
    if quote_request is None:
        return None
    return {
        "quote_request": quote_request,
        "is_buyer": quote_request.buyer_id == request.user.pk,
    }


def buyer_landing(user):
    """A confirmed self-service buyer who signs in lands on their shortlists and requests."""
    if BuyerProfile.objects.filter(user=user, confirmed_at__isnull=False).exists():
        return reverse("procurement:shortlist_list")
    return None


def register():
    """Called from ``ProcurementConfig.ready()``."""
    register_sign_in_landing(buyer_landing)
    register_delivery_check(notice_still_wanted)
    register_delivery_check(request_still_wanted)
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
    register_section(
        PURCHASE_PAGE, "quote_request", "procurement/includes/purchase_request.html",
        purchase_request, order=10,
    )
    register_section(
        ENTERPRISE_PORTAL, "quote_requests", "procurement/includes/portal_requests.html",
        enterprise_requests, order=10,
    )
    register_section(
        ENTERPRISE_PORTAL_TITLE, "quote_requests",
        "procurement/includes/portal_requests_title.html", no_context, order=10,
    )
