"""Relations read with their enterprise, as SQL the ORM would otherwise compile per request."""

import pytest

from enterprises.expressions import RelatedExists, RelatedIds
from enterprises.models import Enterprise
from purchases.models import Purchase
from tests.factories import EnterpriseFactory, PurchaseFactory, region

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


def test_related_exists_tells_enterprises_with_published_purchases():
    published = PurchaseFactory().enterprise
    submitted = PurchaseFactory(status=Purchase.Status.SUBMITTED).enterprise
    not_consented = PurchaseFactory(consent_to_publish=False).enterprise
    without = EnterpriseFactory()

    flags = dict(
        Enterprise.objects.annotate(
            has_buyers=RelatedExists(Purchase, Purchase.PUBLISHED)
        ).values_list("pk", "has_buyers")
    )

    assert flags == {published.pk: True, submitted.pk: False, not_consented.pk: False,
                     without.pk: False}


def test_both_name_the_outer_row_inside_a_subquery():
    bought_from = PurchaseFactory().enterprise
    EnterpriseFactory(service_area=[region("06")])

    inner = Enterprise.objects.annotate(
        has_buyers=RelatedExists(Purchase, Purchase.PUBLISHED),
        region_ids=RelatedIds(Enterprise.service_area.through, "region"),
    ).filter(has_buyers=True)

    assert list(Enterprise.objects.filter(pk__in=inner.values("pk"))) == [bought_from]
