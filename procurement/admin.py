"""Staff see shortlists, requests and answers, and the requests' statistics with the supply
gap report (categories whose requests got no offer: no enterprise answered, or all declined),
exportable as CSV; a purchase's admin page links to the request it came from."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.exports import csv_chunks
from purchases.admin import register_purchase_origin

from . import stats
from .models import (
    BuyerProfile,
    EnterprisePreference,
    FollowUp,
    QuoteInvitation,
    QuoteRequest,
    Shortlist,
    ShortlistEntry,
)


@admin.register(BuyerProfile)
class BuyerProfileAdmin(admin.ModelAdmin):
    list_display = ["organization_name", "user", "kind", "confirmed_at"]
    list_filter = ["kind"]
    search_fields = ["organization_name", "user__email"]
    raw_id_fields = ["user"]


class ShortlistEntryInline(admin.TabularInline):
    model = ShortlistEntry
    raw_id_fields = ["enterprise"]
    extra = 0


@admin.register(Shortlist)
class ShortlistAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "updated_at"]
    search_fields = ["name", "owner__email"]
    raw_id_fields = ["owner"]
    inlines = [ShortlistEntryInline]


@admin.register(EnterprisePreference)
class EnterprisePreferenceAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "language", "opted_out", "paused_until"]
    list_filter = ["opted_out", "language"]
    raw_id_fields = ["enterprise"]


class QuoteInvitationInline(admin.TabularInline):
    model = QuoteInvitation
    fields = ["enterprise", "answer", "decline_reason", "amount", "answered_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(QuoteRequest)
class QuoteRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "buyer", "organization", "category", "region", "status", "created_at"]
    list_filter = ["status", "region"]
    list_select_related = ["buyer", "organization", "category", "region"]
    search_fields = ["title", "buyer__email"]
    raw_id_fields = ["buyer", "organization", "shortlist", "municipality", "chosen", "purchase"]
    date_hierarchy = "created_at"
    inlines = [QuoteInvitationInline]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("statistics/", view(self.statistics_view), name="procurement_statistics"),
            path(
                "statistics/supply-gaps.csv", view(self.supply_gaps_view),
                name="procurement_supply_gaps",
            ),
            path(
                "statistics/by-category-and-region.csv", view(self.crossed_view),
                name="procurement_crossed",
            ),
            *super().get_urls(),
        ]

    def statistics_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        categories = stats.labelled(stats.by_category(), "category")
        regions = stats.labelled(stats.by_region(), "region")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Requests for quotes: statistics"),
            "opts": self.model._meta,
            "categories": categories,
            "regions": regions,
            "gaps": stats.labelled(stats.supply_gaps(), "category"),
            "crossed": stats.crossed(),
            "category_chart": counts_chart(categories),
            "region_chart": counts_chart(regions),
        }
        return TemplateResponse(request, "admin/procurement/statistics.html", context)

    def supply_gaps_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = [[_("Category"), _("Requests sent"), _("Requests answered"),
                 _("Requests no enterprise answered"), _("Requests every enterprise declined"),
                 _("Requests without any offer")]]
        rows += [
            [row["label"], row["sent"], row["answered"], row["unanswered"], row["declined"],
             row["gaps"]]
            for row in stats.labelled(stats.supply_gaps(), "category")
        ]
        return csv_response(rows, _("supply-gaps"))

    def crossed_view(self, request):
        """The table of each category in each region, as the statistics page shows it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = [[_("Category"), _("Region"), _("Requests sent"), _("Requests answered"),
                 _("Requests converted to purchases")]]
        rows += [
            [row["category_label"], row["region_label"], row["sent"], row["answered"],
             row["converted"]]
            for row in stats.crossed()
        ]
        return csv_response(rows, _("requests-by-category-and-region"))


def csv_response(rows, stem):
    response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    filename = f"{stem}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# One colour per series, told apart by hue and by lightness, each at least 3:1 against the
# white page (WCAG 1.4.11), in the order the legend and the table give them.
SERIES = (
    ("sent", gettext_lazy("Sent"), "#0b5cad"),
    ("answered", gettext_lazy("Answered"), "#b35900"),
    ("converted", gettext_lazy("Converted to purchases"), "#1b5e20"),
)


def counts_chart(rows):
    """A grouped bar chart's data for ``purchases/charts.js``: counts (not amounts), with a
    legend, one colour per series; the page shows the table too."""
    return {
        "type": "bar",
        "format": "count",
        "legend": True,
        "labels": [str(row["label"]) for row in rows],
        "datasets": [
            {
                "label": str(label), "data": [row[key] for row in rows],
                "backgroundColor": colour, "borderColor": colour,
            }
            for key, label, colour in SERIES
        ],
    }


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["invitation", "author", "created_at"]
    raw_id_fields = ["invitation"]


def purchase_origin(purchase):
    """The link, on a purchase's admin page, to the request for quotes it came from. One
    query."""
    quote_request = QuoteRequest.objects.filter(purchase=purchase).only("pk", "title").first()
    if quote_request is None:
        return None
    return format_html(
        '<a href="{}">{}</a>',
        reverse("admin:procurement_quoterequest_change", args=[quote_request.pk]),
        _("Request for quotes: %(title)s") % {"title": quote_request.title},
    )


register_purchase_origin(purchase_origin)
