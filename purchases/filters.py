"""The member's list of purchases: filters and orderings, through django-filter.

An invalid value (a year outside the calendar, a NUL) fails the filter form: the list is empty
and the form says why (django-filter's strict mode), never a 500.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import ContractSizeBracket, Purchase

# The years a filter accepts: Python's dates, and so year lookups, end at 1 and 9999.
FIRST_YEAR, LAST_YEAR = 1900, 2100


class PurchaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Supplier or description"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Purchase.Status.choices)
    year = django_filters.NumberFilter(
        label=_("Year"), field_name="award_date__year", min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    bracket = django_filters.ChoiceFilter(
        label=_("Contract size"), field_name="contract_size_bracket",
        choices=ContractSizeBracket.choices,
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("award_date", "date"), ("amount", "amount"), ("status", "status")),
        # Every label given, descending ones too: django-filter words those once, at import,
        # in whichever language was active then.
        field_labels={
            "award_date": _("Award date, oldest first"), "-date": _("Award date, newest first"),
            "amount": _("Amount, smallest first"), "-amount": _("Amount, largest first"),
            "status": _("Status, draft first"), "-status": _("Status, validated first"),
        },
    )

    class Meta:
        model = Purchase
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(enterprise__name__icontains=value)
            | Q(supplier_name__icontains=value)
            | Q(description__icontains=value)
        )
