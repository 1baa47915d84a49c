"""The programs' demo set in fixtures/demo/programs.json: sheets and capsules, by slug.

``seed_demo`` loads it right after the real demo set, whose members and enterprises the
capsules feature; loading twice changes nothing.
"""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from enterprises.models import Category, Enterprise
from purchases.models import MemberOrganization

from .models import ProcurementSheet, VideoCapsule

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "programs.json"


@transaction.atomic
def load_programs_demo_set(**kwargs):
    """Create or update the demo sheets and capsules; return how many were created."""
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    created = {"sheets": 0, "capsules": 0}
    categories = {category.slug: category for category in Category.objects.all()}
    for row in data["sheets"]:
        fields = dict(row)
        fields["category"] = categories[fields["category"]]
        _sheet, was_created = ProcurementSheet.objects.update_or_create(
            slug=fields.pop("slug"), defaults=fields
        )
        created["sheets"] += was_created
    for row in data["capsules"]:
        fields = dict(row)
        enterprise_slugs = fields.pop("enterprises")
        fields["member"] = MemberOrganization.objects.get(slug=fields["member"])
        capsule, was_created = VideoCapsule.objects.update_or_create(
            slug=fields.pop("slug"), defaults=fields
        )
        capsule.enterprises.set(Enterprise.objects.filter(slug__in=enterprise_slugs))
        created["capsules"] += was_created
    return created
