"""The validated, published purchases as an Open Contracting Data Standard 1.1.5 release package.

Each purchase is one release describing its award and its contract. Suppliers carry their NEQ
(Quebec enterprise number) as identifier; categories with a UNSPSC code classify the items.
The schema and the codelists it uses are kept in `purchases/ocds/` (OCDS licence alongside).
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation

from .models import Purchase

SCHEMA_DIR = Path(__file__).resolve().parent / "ocds"
VERSION = "1.1"
PUBLISHER = {"name": "Réseau des acheteurs sociaux du Québec"}
LICENSE = "https://opendatacommons.org/licenses/by/1-0/"
# The prefix registered with the Open Contracting Partnership; set OCDS_PREFIX once assigned.
DEFAULT_PREFIX = "ocds-ecpar"
NEQ_SCHEME = "CA-QC-NEQ"
PROCUREMENT_METHODS = {
    Purchase.ProcurementMethod.DIRECT: "direct",
    Purchase.ProcurementMethod.INVITATION: "limited",
    Purchase.ProcurementMethod.PUBLIC_TENDER: "open",
}
RELEASES_PER_PAGE = 1000


def prefix():
    return getattr(settings, "OCDS_PREFIX", DEFAULT_PREFIX)


def date_time(day):
    """OCDS dates are date-times: a day is taken at midnight, Montreal time."""
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time())).isoformat()


def buyer_party(organization):
    return {
        "id": f"buyer-{organization.slug}",
        "name": organization.name,
        "roles": ["buyer"],
        "address": {"region": organization.region.name, "countryName": "Canada"},
    }


def supplier_party(purchase):
    enterprise = purchase.enterprise
    if enterprise is None:
        return {"id": f"supplier-{purchase.public_id}", "name": purchase.supplier_name,
                "roles": ["supplier"]}
    party = {
        "id": f"enterprise-{enterprise.pk}",
        "name": enterprise.name,
        "roles": ["supplier"],
        # An imported draft may have no region yet.
        "address": {"countryName": "Canada"} | (
            {"region": enterprise.region.name} if enterprise.region else {}
        ),
    }
    if enterprise.neq:
        party["id"] = f"{NEQ_SCHEME}-{enterprise.neq}"
        party["identifier"] = {
            "scheme": NEQ_SCHEME, "id": enterprise.neq, "legalName": enterprise.name
        }
    return party


def items(purchase):
    item = {"id": "1", "description": purchase.description or str(purchase.category or "")}
    category = purchase.category
    if category is not None and category.unspsc_code:
        item["classification"] = {
            "scheme": "UNSPSC", "id": category.unspsc_code, "description": category.name
        }
    return [item]


def release(purchase):
    # From the purchase's random identifier: published ids must not reveal how many purchases
    # are recorded, nor in which order.
    ocid = f"{prefix()}-{purchase.public_id}"
    buyer = buyer_party(purchase.organization)
    supplier = supplier_party(purchase)
    value = {"amount": float(purchase.amount), "currency": "CAD"}
    period = {
        key: date_time(day)
        for key, day in (("startDate", purchase.contract_start), ("endDate", purchase.contract_end))
        if day is not None
    }
    contract = {
        "id": f"{ocid}-contract",
        "awardID": f"{ocid}-award",
        "value": value,
        "dateSigned": date_time(purchase.award_date),
        "items": items(purchase),
        "status": "active",
    }
    if period:
        contract["period"] = period
    return {
        "ocid": ocid,
        "id": f"{ocid}-{purchase.updated_at:%Y%m%dT%H%M%S}",
        "date": purchase.updated_at.isoformat(),
        "tag": ["award", "contract"],
        "initiationType": "tender",
        "language": "fr",
        "parties": [buyer, supplier],
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": {
            "id": f"{ocid}-tender",
            "procurementMethod": PROCUREMENT_METHODS[purchase.procurement_method],
            "procurementMethodDetails": purchase.get_procurement_method_display(),
        },
        "awards": [{
            "id": f"{ocid}-award",
            "date": date_time(purchase.award_date),
            "status": "active",
            "value": value,
            "suppliers": [{"id": supplier["id"], "name": supplier["name"]}],
            "items": items(purchase),
        }],
        "contracts": [contract],
    }


def published_purchases():
    return (
        Purchase.objects.published()
        .select_related("organization__region", "enterprise__region", "category")
        .order_by("pk")
    )


def release_package(purchases, uri, next_uri=None):
    """The package for these purchases; `next_uri` links the following page when there is one."""
    package = {
        "uri": uri,
        "version": VERSION,
        "publishedDate": timezone.now().isoformat(),
        "publisher": PUBLISHER,
        "license": LICENSE,
    }
    # The releases declare French as their language, whatever the visitor's.
    with translation.override("fr"):
        package["releases"] = [release(purchase) for purchase in purchases]
    if next_uri:
        package["links"] = {"next": next_uri}
    return package
