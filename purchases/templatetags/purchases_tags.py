"""Template helpers of the purchases app, including the block that enterprise pages show."""

from django import template
from django.db.models import Count, F

register = template.Library()

# An enterprise may have sold to hundreds of members: the page names those that bought most.
BUYERS_SHOWN = 10


@register.inclusion_tag("purchases/includes/enterprise_buyers.html")
def enterprise_buyers(enterprise):
    """The organizations that bought from this enterprise most often, published purchases
    only: their names and purchase counts, in one query grouped by organization, and how many
    other organizations bought from it."""
    buyers = list(
        enterprise.purchases.published()
        .values("organization_id", name=F("organization__name"))
        # Count("*"), not the key: PostgreSQL then reads purchase_enterprise_buyers_idx alone.
        .annotate(purchase_count=Count("*"))
        .order_by("-purchase_count", "name", "organization_id")
    )
    return {
        "buyers": buyers[:BUYERS_SHOWN],
        "other_buyer_count": max(0, len(buyers) - BUYERS_SHOWN),
    }
