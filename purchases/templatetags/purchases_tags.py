"""Template helpers of the purchases app, including the block that enterprise pages show."""

from django import template

from ..models import MemberOrganization

register = template.Library()

# An enterprise may have sold to hundreds of members: the page names those that bought most.
BUYERS_SHOWN = 10


@register.inclusion_tag("purchases/includes/enterprise_buyers.html")
def enterprise_buyers(purchase_counts):
    """The organizations that bought most often from an enterprise, given its published
    purchases counted by organization (``{organization id: count}``, read with the enterprise:
    see ``EnterpriseDetailView``): their names, in one query, and how many other
    organizations bought from it. Among equal counts, the earliest members come first."""
    most = sorted(purchase_counts, key=lambda pk: (-purchase_counts[pk], pk))[:BUYERS_SHOWN]
    names = dict(MemberOrganization.objects.filter(pk__in=most).values_list("pk", "name"))
    buyers = [
        {"name": names[pk], "purchase_count": purchase_counts[pk]} for pk in most if pk in names
    ]
    buyers.sort(key=lambda buyer: (-buyer["purchase_count"], buyer["name"]))
    return {"buyers": buyers, "other_buyer_count": max(0, len(purchase_counts) - BUYERS_SHOWN)}
