"""The programs app's section of the enterprise page: the video capsules featuring it."""

from django.db.models import Exists, OuterRef

from enterprises.sections import register_section

from .models import VideoCapsule


def enterprise_capsules(enterprise, request):
    """The published capsules featuring the enterprise; one query, when the page shows them."""
    return {"capsules": enterprise.video_capsules.published().select_related("member")}


def register():
    """Called from ``ProgramsConfig.ready()``."""
    register_section(
        "capsules",
        "programs/includes/enterprise_capsules.html",
        enterprise_capsules,
        order=20,
        presence=Exists(
            VideoCapsule.enterprises.through.objects.filter(enterprise=OuterRef("pk"))
        ),
    )
