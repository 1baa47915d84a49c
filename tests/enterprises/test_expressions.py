"""Relations read with their enterprise, as SQL the ORM would otherwise compile per request."""

import datetime

import pytest

from enterprises.expressions import RelatedCounts, RelatedIds, RelatedRows
from enterprises.models import Enterprise, EnterpriseLabel
from purchases.models import Purchase
from tests.factories import (
    EnterpriseFactory,
    EnterpriseLabelFactory,
    MemberOrganizationFactory,
    PurchaseFactory,
    region,
)

pytestmark = pytest.mark.django_db


def test_related_ids_lists_each_enterprises_own_links():
    first = EnterpriseFactory(service_area=[region("06"), region("13")])
    second = EnterpriseFactory(service_area=[])

    served = dict(
        Enterprise.objects.annotate(
            ids=RelatedIds(Enterprise.service_area.through, "region")
        ).values_list("pk", "ids")
    )

    assert sorted(served[first.pk]) == sorted([region("06").pk, region("13").pk])
    assert served[second.pk] == []


def test_related_rows_reads_each_enterprises_rows_as_typed_values():
    award = EnterpriseLabelFactory(awarded_on=datetime.date(2024, 5, 1), issuer="Réseau « X »")
    without = EnterpriseFactory()

    rows = dict(
        Enterprise.objects.annotate(
            awards=RelatedRows(EnterpriseLabel, ["label", "awarded_on", "issuer"])
        ).values_list("pk", "awards")
    )

    assert rows == {
        award.enterprise_id: [(award.label_id, datetime.date(2024, 5, 1), "Réseau « X »")],
        without.pk: [],
    }


def test_related_counts_counts_each_enterprises_published_purchases_by_named_buyer():
    city, university = MemberOrganizationFactory.create_batch(2)
    enterprise = PurchaseFactory(organization=city).enterprise
    PurchaseFactory(enterprise=enterprise, organization=city)
    PurchaseFactory(enterprise=enterprise, organization=university)
    PurchaseFactory(enterprise=enterprise, organization=university, consent_to_publish=False)
    submitted = PurchaseFactory(status=Purchase.Status.SUBMITTED).enterprise
    without = EnterpriseFactory()

    counts = dict(
        Enterprise.objects.annotate(
            buyers=RelatedCounts(Purchase, "organization", Purchase.PUBLISHED, label="name")
        ).values_list("pk", "buyers")
    )

    assert sorted(counts[enterprise.pk]) == sorted(
        [(city.pk, 2, city.name), (university.pk, 1, university.name)]
    )
    assert counts[submitted.pk] == counts[without.pk] == []


def test_both_name_the_outer_row_inside_a_subquery():
    bought_from = PurchaseFactory().enterprise
    EnterpriseFactory(service_area=[region("06")])

    inner = Enterprise.objects.annotate(
        buyers=RelatedCounts(Purchase, "organization", Purchase.PUBLISHED, label="name"),
        region_ids=RelatedIds(Enterprise.service_area.through, "region"),
    ).filter(buyers__isnull=False)

    assert list(Enterprise.objects.filter(pk__in=inner.values("pk"))) == [bought_from]
