"""Template helpers of the programs app."""

from django import template
from django.db.models import Prefetch, prefetch_related_objects

from ..models import VideoCapsule, text_blocks

register = template.Library()


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
