"""Counts of requests for quotes: sent, answered (by at least one enterprise) and converted
(to a purchase that staff validated), for a member's dashboard, the public repertory and staff.

A request's draft purchase, or one submitted or rejected, does not count as converted: the
repertory's own figures count only validated purchases, and a draft may never be submitted."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import translation

from purchases.models import Purchase

from .models import QuoteInvitation, QuoteRequest

COUNTS = ("sent", "answered", "converted")


def counted(requests, *group_by):
    """Rows of ``group_by`` values with the three counts, or the three counts alone when
    nothing groups them; one query."""
    answered = Exists(
        QuoteInvitation.objects.filter(request=OuterRef("pk"))
        .exclude(answer=QuoteInvitation.Answer.PENDING)
    )
    counts = {
        "sent": Count("pk"),
        "answered": Count("pk", filter=Q(is_answered=True)),
        "converted": Count("pk", filter=Q(purchase__status=Purchase.Status.VALIDATED)),
    }
    requests = requests.annotate(is_answered=answered).order_by()
    if not group_by:
        return requests.aggregate(**counts)
    return requests.values(*group_by).annotate(**counts)


def organization_counts(organization):
    """The member dashboard's three figures; one query."""
    return counted(QuoteRequest.objects.filter(organization=organization))


def by_category(requests=None):
    """Counts by product or service category, largest first; categories are shown by name,
    which names no buyer nor enterprise."""
    requests = QuoteRequest.objects.all() if requests is None else requests
    return sorted(
        counted(requests, "category", "category__name", "category__name_en"),
        key=lambda row: (-row["sent"], row["category__name"]),
    )


def by_region(requests=None):
    requests = QuoteRequest.objects.all() if requests is None else requests
    return sorted(
        counted(requests, "region", "region__name", "region__name_en"),
        key=lambda row: (-row["sent"], row["region__name"]),
    )


def by_category_and_region(requests=None):
    """Counts for each category in each region that had requests, by category then region;
    one query."""
    requests = QuoteRequest.objects.all() if requests is None else requests
    rows = counted(
        requests, "category", "category__name", "category__name_en",
        "region", "region__name", "region__name_en",
    )
    return sorted(rows, key=lambda row: (row["category__name"], row["region__name"]))


def supply_gaps():
    """Categories with requests that found no supplier: no enterprise answered them, or every
    one that answered declined. Either way the buyer got no offer, which is what a gap in
    supply means to the network. Per category: requests sent, answered, unanswered, declined
    by all, and the gaps (the last two together), most gaps first; one query."""
    offered = Exists(QuoteInvitation.objects.filter(
        request=OuterRef("pk"),
        answer__in=[QuoteInvitation.Answer.INTERESTED, QuoteInvitation.Answer.QUOTED],
    ))
    rows = counted(
        QuoteRequest.objects.annotate(is_offered=offered),
        "category", "category__name", "category__name_en",
    ).annotate(gaps=Count("pk", filter=Q(is_offered=False)))
    gaps = []
    for row in rows:
        if row["gaps"]:
            unanswered = row["sent"] - row["answered"]
            gaps.append({**row, "unanswered": unanswered, "declined": row["gaps"] - unanswered})
    return sorted(gaps, key=lambda row: (-row["gaps"], row["category__name"]))


# The public repertory leaves out a category or a region with fewer requests than this: one
# or two requests for, say, snow removal in a small region could point at the buyer.
PUBLIC_MINIMUM = 3


def shown_publicly(rows):
    """The rows with at least ``PUBLIC_MINIMUM`` requests, and how many were left out."""
    shown = [row for row in rows if row["sent"] >= PUBLIC_MINIMUM]
    return shown, len(rows) - len(shown)


def labelled(rows, field, key="label"):
    """The rows with a ``key`` (``label``): the ``field``'s name in the page's language."""
    english = translation.get_language() == "en"
    return [
        {**row, key: row.get(f"{field}__name_en") if english and row.get(f"{field}__name_en")
         else row[f"{field}__name"]}
        for row in rows
    ]


def crossed(requests=None):
    """``by_category_and_region`` with ``category_label`` and ``region_label``."""
    return labelled(
        labelled(by_category_and_region(requests), "category", "category_label"),
        "region", "region_label",
    )
