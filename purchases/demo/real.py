"""The real demo set in fixtures/demo: real organizations with illustrative purchases.

Rows are matched on their natural keys and updated in place, so loading twice changes nothing.
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from enterprises.models import (
    Category,
    Enterprise,
    EnterpriseLabel,
    EnterpriseSource,
    Label,
    Network,
    Region,
    Sector,
)
from enterprises.places import PlaceResolver
from purchases.models import MemberOrganization, Purchase

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"


def read_demo_file(name):
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def by_slug(queryset):
    return {row.slug: row for row in queryset}


def optional(convert, value):
    return convert(value) if value else None


@transaction.atomic
def load_real_demo_set():
    """Create or update the real members, enterprises and purchases; return what was created."""
    regions = by_slug(Region.objects.all())
    created = {
        "members": load_members(regions),
        "enterprises": load_enterprises(regions),
    }
    created["purchases"] = load_purchases(regions)
    return created


def load_members(regions):
    created = 0
    for row in read_demo_file("members.json"):
        fields = dict(row)
        fields["region"] = regions[fields["region"]]
        fields["declaration_signed_on"] = optional(
            date.fromisoformat, fields["declaration_signed_on"]
        )
        for key in ("preferential_margin_percent", "yearly_target"):
            fields[key] = optional(Decimal, fields[key])
        _, was_created = MemberOrganization.objects.update_or_create(
            slug=fields.pop("slug"), defaults=fields
        )
        created += was_created
    return created


def load_enterprises(regions):
    categories, sectors = by_slug(Category.objects.all()), by_slug(Sector.objects.all())
    labels, networks = by_slug(Label.objects.all()), by_slug(Network.objects.all())
    places = PlaceResolver()
    created = 0
    for row in read_demo_file("enterprises.json"):
        fields = dict(row)
        related = {
            key: fields.pop(key)
            for key in ("categories", "sectors", "labels", "service_area", "sources")
        }
        fields["region"] = regions[fields["region"]]
        place = places.resolve(city=fields["city"], region_id=fields["region"].pk)
        fields["municipality_id"], fields["mrc_id"] = place.municipality_id, place.mrc_id
        fields["status"] = Enterprise.Status.PUBLISHED
        enterprise, was_created = Enterprise.objects.update_or_create(
            slug=fields.pop("slug"), defaults=fields
        )
        created += was_created
        enterprise.categories.set([categories[slug] for slug in related["categories"]])
        enterprise.sectors.set([sectors[slug] for slug in related["sectors"]])
        enterprise.service_area.set([regions[slug] for slug in related["service_area"]])
        held = [labels[award["label"]] for award in related["labels"]]
        enterprise.label_awards.exclude(label__in=held).delete()
        for award in related["labels"]:
            EnterpriseLabel.objects.update_or_create(
                enterprise=enterprise,
                label=labels[award["label"]],
                defaults={"issuer": award["issuer"]},
            )
        for source in related["sources"]:
            now = timezone.now()
            values = {"enterprise": enterprise, "raw_record": row, "last_seen_at": now}
            EnterpriseSource.objects.update_or_create(
                network=networks[source["network"]],
                external_id=source["external_id"],
                defaults=values,
                create_defaults={**values, "first_seen_at": now},
            )
    return created


def load_purchases(regions):
    rows = read_demo_file("purchases.json")
    members = by_slug(MemberOrganization.objects.all())
    enterprises = by_slug(Enterprise.objects.filter(slug__in={row["enterprise"] for row in rows}))
    categories = by_slug(Category.objects.all())
    created = 0
    for row in rows:
        _, was_created = Purchase.objects.update_or_create(
            organization=members[row["organization"]],
            enterprise=enterprises[row["enterprise"]],
            award_date=date.fromisoformat(row["award_date"]),
            defaults={
                "category": categories[row["category"]],
                "description": row["description"],
                "amount": Decimal(row["amount"]),
                "procurement_method": row["procurement_method"],
                "contract_start": optional(date.fromisoformat, row.get("contract_start")),
                "contract_end": optional(date.fromisoformat, row.get("contract_end")),
                "delivery_region": regions[row["delivery_region"]],
                "status": Purchase.Status.VALIDATED,
                "consent_to_publish": True,
            },
        )
        created += was_created
    return created
