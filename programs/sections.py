"""The programs app's sections of the directory's pages: the video capsules featuring an
enterprise, and the home page's latest sheets and capsules."""

from django.db.models import Exists, OuterRef

from enterprises.sections import (
    CATEGORY_PAGE,
    ENTERPRISE_PAGE,
    HOME_PAGE,
    LISTING_PAGE,
    register_section,
)
from purchases.sections import DECLARATION_PAGE

from .models import Page, ProcurementSheet, VideoCapsule

HOME_SHEETS = 4
HOME_CAPSULES = 3


def enterprise_capsules(enterprise, request):
    """The published capsules featuring the enterprise; one query, when the page shows them."""
    return {"capsules": enterprise.video_capsules.published().select_related("member")}


def home_programs(enterprise, request):
    """The home page's short section: latest sheets and capsules, and the editorial pages."""
    return {
        "sheets": ProcurementSheet.objects.published().order_by("-updated_at", "-pk")[
            :HOME_SHEETS
        ],
        "capsules": VideoCapsule.objects.published().select_related("member")[:HOME_CAPSULES],
        # The benefits page has its own link above the list.
        "pages": Page.objects.published()
        .filter(menu_order__isnull=False)
        .exclude(slug=Page.BENEFITS_SLUG),
        "benefits_slug": Page.BENEFITS_SLUG,
    }


def signatory_capsules(organizations, request):
    """The published capsules of the signatories shown, each with its organization, newest
    first; one query."""
    shown = {organization.pk: organization for organization in organizations}
    capsules = VideoCapsule.objects.published().filter(member__in=list(shown)).order_by(
        "-created_at", "-pk"
    )
    by_member = {}
    for capsule in capsules:
        by_member.setdefault(capsule.member_id, []).append(capsule)
    return {
        "members": [
            {"organization": shown[pk], "capsules": member_capsules}
            for pk, member_capsules in by_member.items()
        ]
    }


def category_sheet(category, request):
    """A category's page links its published procurement sheet; one query."""
    return {"sheet": ProcurementSheet.objects.published().filter(category=category).first()}


def listing_sheets(categories, request):
    """The listing links the published sheets of the categories chosen in its filters, in
    their order; one query, none when no category is chosen."""
    if not categories:
        return {"sheets": []}
    order = {category.pk: position for position, category in enumerate(categories)}
    sheets = ProcurementSheet.objects.published().filter(category__in=categories)
    return {"sheets": sorted(sheets, key=lambda sheet: order[sheet.category_id])}


def register():
    """Called from ``ProgramsConfig.ready()``."""
    register_section(CATEGORY_PAGE, "sheet", "programs/includes/category_sheet.html",
                     category_sheet, order=10)
    register_section(LISTING_PAGE, "sheets", "programs/includes/listing_sheets.html",
                     listing_sheets, order=10)
    register_section(
        ENTERPRISE_PAGE,
        "capsules",
        "programs/includes/enterprise_capsules.html",
        enterprise_capsules,
        order=20,
        presence=Exists(
            VideoCapsule.enterprises.through.objects.filter(enterprise=OuterRef("pk"))
        ),
    )
    register_section(DECLARATION_PAGE, "capsules", "programs/includes/signatory_capsules.html",
                     signatory_capsules, order=10)
    register_section(HOME_PAGE, "programs", "programs/includes/home_programs.html",
                     home_programs, order=10)
