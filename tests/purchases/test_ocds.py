"""The OCDS release package validates against the OCDS 1.1.5 schema kept in the repository."""

import json
from decimal import Decimal

import jsonschema
import pytest
from django.urls import reverse
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from enterprises.models import Category
from purchases import ocds
from purchases.models import Purchase
from tests.factories import EnterpriseFactory, PurchaseFactory

pytestmark = pytest.mark.django_db


def package_validator():
    def load(name):
        return json.loads((ocds.SCHEMA_DIR / name).read_text(encoding="utf-8"))

    package_schema = load("release-package-schema.json")
    release_schema = load("release-schema.json")
    registry = Registry().with_resource(
        release_schema["id"], Resource.from_contents(release_schema, default_specification=DRAFT4)
    )
    return jsonschema.Draft4Validator(
        package_schema, registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


@pytest.fixture
def published():
    category = Category.objects.get(slug="traiteur")
    category.unspsc_code = "90101600"
    category.save()
    with_neq = PurchaseFactory(
        enterprise=EnterpriseFactory(neq="1140000000"), category=category,
        amount=Decimal("30000.50"), procurement_method=Purchase.ProcurementMethod.PUBLIC_TENDER,
    )
    PurchaseFactory(enterprise=None, supplier_name="Traiteur du coin", category=None)
    PurchaseFactory(consent_to_publish=False)
    PurchaseFactory(status=Purchase.Status.SUBMITTED)
    return with_neq


def test_release_package_validates_against_the_schema(client, published):
    package = client.get(reverse("purchases:ocds")).json()
    errors = [error.message for error in package_validator().iter_errors(package)]
    assert errors == []
    assert len(package["releases"]) == 2  # the unpublished and the submitted are left out


def test_release_carries_parties_award_contract_and_classification(client, published):
    package = client.get(reverse("purchases:ocds")).json()
    ocid = f"ocds-ecpar-{published.public_id}"
    release = next(release for release in package["releases"] if release["ocid"] == ocid)
    supplier = next(party for party in release["parties"] if party["roles"] == ["supplier"])
    assert supplier["identifier"] == {
        "scheme": "CA-QC-NEQ", "id": "1140000000", "legalName": published.enterprise.name
    }
    assert [party["roles"] for party in release["parties"]] == [["buyer"], ["supplier"]]
    contract = release["contracts"][0]
    assert contract["value"] == {"amount": 30000.5, "currency": "CAD"}
    assert contract["dateSigned"].startswith(published.award_date.isoformat())
    assert contract["items"][0]["classification"]["id"] == "90101600"
    assert release["tender"]["procurementMethod"] == "open"
    assert release["awards"][0]["suppliers"][0]["id"] == supplier["id"]


def test_published_identifiers_are_random_never_the_database_ids(client, published):
    outside = Purchase.objects.get(supplier_name="Traiteur du coin")
    package = client.get(reverse("purchases:ocds")).json()
    releases = {release["ocid"]: release for release in package["releases"]}

    assert set(releases) == {
        f"ocds-ecpar-{published.public_id}", f"ocds-ecpar-{outside.public_id}"
    }
    release = releases[f"ocds-ecpar-{outside.public_id}"]
    identifiers = [release["id"], release["tender"]["id"], release["awards"][0]["id"],
                   release["contracts"][0]["id"], release["parties"][1]["id"]]
    assert all(str(outside.public_id) in identifier for identifier in identifiers)
    assert published.public_id != outside.public_id


def test_package_is_paginated_with_a_next_link(client, published, monkeypatch):
    monkeypatch.setattr(ocds, "RELEASES_PER_PAGE", 1)
    first = client.get(reverse("purchases:ocds")).json()
    assert len(first["releases"]) == 1
    assert first["links"]["next"].endswith("?page=2")
    assert "links" not in client.get(first["links"]["next"]).json()


def test_ocds_query_count(client, published, django_assert_num_queries):
    # The count for the paginator, then the page of purchases with their parties.
    with django_assert_num_queries(2):
        client.get(reverse("purchases:ocds"))


def test_schema_check_catches_a_release_outside_the_standard(client, published):
    package = client.get(reverse("purchases:ocds")).json()
    package["releases"][0]["tender"]["procurementMethod"] = "by_lottery"
    package["releases"][0]["contracts"][0]["value"]["currency"] = "dollars"
    assert len(list(package_validator().iter_errors(package))) == 2
