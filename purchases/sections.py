"""The purchases app's section of the enterprise page: the members that bought from it."""

from django.db.models import Count, Exists, OuterRef

from enterprises.sections import ENTERPRISE_PAGE, register_section

from .models import Purchase

# The signatories page (« J'achète! »): apps above this one add sections to it, such as the
# programs app's video capsules, with the signatories shown as the sections' subject.
DECLARATION_PAGE = "declaration"
# The member dashboard (the organization is the sections' subject) and the public repertory
# (no subject): apps above this one add their own figures, such as the procurement app's
# requests for quotes.
DASHBOARD_PAGE = "dashboard"
REPERTORY_PAGE = "repertory"
# A member's purchase page (the purchase is the sections' subject): apps above this one say
# where the purchase came from, such as the procurement app's request for quotes.
PURCHASE_PAGE = "purchase"
# An enterprise may have sold to hundreds of members: the page names those that bought most.
BUYERS_SHOWN = 10


def enterprise_buyers(enterprise, request):
    """The organizations that bought most often from the enterprise, by their published
    purchases, and how many others did; among equal counts, the earliest members are chosen
    first. One query."""
    buyers = list(
        Purchase.objects.published().filter(enterprise=enterprise)
        .values("organization", "organization__name").order_by()
        .annotate(purchases=Count("pk"))
        .values_list("organization", "purchases", "organization__name")
    )
    most = sorted(buyers, key=lambda buyer: (-buyer[1], buyer[0]))[:BUYERS_SHOWN]
    return {
        "buyers": [
            {"name": name, "purchase_count": count}
            for _pk, count, name in sorted(most, key=lambda buyer: (-buyer[1], buyer[2]))
        ],
        "other_buyer_count": max(0, len(buyers) - BUYERS_SHOWN),
    }


def register():
    """Called from ``PurchasesConfig.ready()``."""
    register_section(
        ENTERPRISE_PAGE,
        "buyers",
        "purchases/includes/enterprise_buyers.html",
        enterprise_buyers,
        order=10,
        presence=Exists(Purchase.objects.published().filter(enterprise=OuterRef("pk"))),
    )
