"""Template helpers of the purchases app, including the block that enterprise pages show."""

from django import template
from django.db.models import Count, Sum

from ..models import MemberOrganization

register = template.Library()


@register.inclusion_tag("purchases/includes/enterprise_buyers.html")
def enterprise_buyers(enterprise):
    """The organizations that bought from this enterprise, published purchases only; one query."""
    buyers = (
        MemberOrganization.objects.filter(
            purchases__in=enterprise.purchases.published()
        )
        .annotate(purchase_count=Count("purchases"), total=Sum("purchases__amount"))
        .order_by("name")
    )
    return {"enterprise": enterprise, "buyers": buyers}
