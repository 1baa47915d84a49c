"""Public pages of the programs: sheets, capsules and editorial pages, published ones only.

Staff also see unpublished ones, flagged as such, so that they can check a text before
publishing it.
"""

from django.db.models import Prefetch
from django.db.models.functions import Coalesce
from django.views.generic import DetailView, ListView

from enterprises.models import Enterprise

from .models import Page, ProcurementSheet, VideoCapsule


class StaffPreviewMixin:
    """Published rows for everyone; every row for staff, who preview before publishing."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.user.is_staff:
            return queryset
        return queryset.published()


class SheetIndexView(ListView):
    template_name = "programs/sheet_index.html"
    context_object_name = "sheets"

    def get_queryset(self):
        return (
            ProcurementSheet.objects.published()
            .select_related("category__parent")
            .order_by(Coalesce("category__parent__name", "category__name"), "title")
        )


class SheetDetailView(StaffPreviewMixin, DetailView):
    template_name = "programs/sheet_detail.html"
    context_object_name = "sheet"
    queryset = ProcurementSheet.objects.select_related("category__parent")

    def get_context_data(self, **kwargs):
        sheet = self.object
        return super().get_context_data(
            regions=sheet.enterprises_by_region(),
            purchases=sheet.latest_purchases(),
            purchase_totals=sheet.purchase_totals(),
            absolute_url=self.request.build_absolute_uri(sheet.get_absolute_url()),
            # Links carry the whole address so that the printed sheet shows where they lead.
            site_root=self.request.build_absolute_uri("/").rstrip("/"),
            **kwargs,
        )


def featured_enterprises():
    """The capsules' enterprises that the directory shows, to link each to its page."""
    return Prefetch(
        "enterprises", queryset=Enterprise.objects.published().only("name", "slug", "status")
    )


class CapsuleIndexView(ListView):
    template_name = "programs/capsule_index.html"
    context_object_name = "capsules"
    paginate_by = 24

    def get_queryset(self):
        return (
            VideoCapsule.objects.published()
            .select_related("member")
            .prefetch_related(featured_enterprises())
        )


class CapsuleDetailView(StaffPreviewMixin, DetailView):
    template_name = "programs/capsule_detail.html"
    context_object_name = "capsule"
    queryset = VideoCapsule.objects.select_related("member__region").prefetch_related(
        featured_enterprises()
    )


class PageView(StaffPreviewMixin, DetailView):
    template_name = "programs/page_detail.html"
    context_object_name = "page"
    queryset = Page.objects.all()
