"""Template helpers of the purchases app, including the block that enterprise pages show."""

from django import template
from django.db.models import Count, F

register = template.Library()


@register.inclusion_tag("purchases/includes/enterprise_buyers.html")
def enterprise_buyers(enterprise):
    """The organizations that bought from this enterprise, published purchases only: their
    names and purchase counts, in one query grouped by organization."""
    buyers = (
        enterprise.purchases.published()
        .values("organization_id", name=F("organization__name"))
        .annotate(purchase_count=Count("pk"))
        .order_by("name", "organization_id")
    )
    return {"enterprise": enterprise, "buyers": buyers}
