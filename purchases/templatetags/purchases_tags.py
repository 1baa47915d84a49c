"""Template helpers of the purchases app, including the block that enterprise pages show."""

from django import template

register = template.Library()

# An enterprise may have sold to hundreds of members: the page names those that bought most.
BUYERS_SHOWN = 10


@register.inclusion_tag("purchases/includes/enterprise_buyers.html")
def enterprise_buyers(buyers):
    """The organizations that bought most often from an enterprise, and how many others did,
    given its published purchases counted by organization: ``[(id, count, name)]``, read with
    the enterprise (see ``EnterpriseDetailView``). Among equal counts, the earliest members
    are chosen first."""
    most = sorted(buyers, key=lambda buyer: (-buyer[1], buyer[0]))[:BUYERS_SHOWN]
    return {
        "buyers": [
            {"name": name, "purchase_count": count}
            for _pk, count, name in sorted(most, key=lambda buyer: (-buyer[1], buyer[2]))
        ],
        "other_buyer_count": max(0, len(buyers) - BUYERS_SHOWN),
    }
