"""Template helpers of the programs, including the blocks that other apps' pages show."""

from django import template
from django.db.models import Prefetch, prefetch_related_objects

from ..models import Page, ProcurementSheet, VideoCapsule, text_blocks

register = template.Library()

HOME_SHEETS = 4
HOME_CAPSULES = 3


@register.filter
def blocks(text):
    """Plain text split into headings, lists and paragraphs (see ``text_blocks``)."""
    return text_blocks(text or "")


@register.simple_tag
def prefetch_member_capsules(organizations):
    """Give each organization its published capsules as ``published_capsules``; one query.

    Call it before the list is shown: it fills the queryset's cache, so the loop that follows
    reuses the same rows, each holding its capsules.
    """
    prefetch_related_objects(
        list(organizations),
        Prefetch(
            "video_capsules",
            queryset=VideoCapsule.objects.published().order_by("-created_at", "-pk"),
            to_attr="published_capsules",
        ),
    )
    return ""  # the tag writes nothing into the page


@register.inclusion_tag("programs/includes/home_programs.html")
def home_programs():
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
