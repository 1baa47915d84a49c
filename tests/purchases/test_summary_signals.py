"""The summary kept on write stays right for purchases and buyers loaded with deferred fields."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from enterprises.models import Region
from purchases.models import MemberOrganization, Purchase, PurchaseSummary
from tests.factories import MemberOrganizationFactory, PurchaseFactory

pytestmark = pytest.mark.django_db


def published_total():
    every_purchase = PurchaseSummary.objects.filter(sector=None, category=None)
    return every_purchase.aggregate(total=Sum("total_amount"))["total"]


def test_loading_purchases_with_deferred_fields_takes_one_query(django_assert_num_queries):
    PurchaseFactory.create_batch(3)
    with django_assert_num_queries(1):  # the purchases' ids, nothing per purchase
        assert len(Purchase.objects.only("pk")) == 3


def test_loading_buyers_with_deferred_fields_takes_one_query(django_assert_num_queries):
    MemberOrganizationFactory.create_batch(3)
    with django_assert_num_queries(1):  # the organizations' ids, nothing per organization
        assert len(MemberOrganization.objects.only("pk")) == 3


def test_withdrawing_consent_on_a_purchase_loaded_without_it_leaves_the_summary():
    PurchaseFactory(amount=Decimal("1000"))
    PurchaseFactory(amount=Decimal("250"))
    purchase = Purchase.objects.only("pk").get(amount=Decimal("1000"))
    purchase.consent_to_publish = False
    purchase.save(update_fields=["consent_to_publish"])
    assert published_total() == Decimal("250")


def test_deleting_a_purchase_loaded_without_its_status_leaves_the_summary():
    PurchaseFactory(amount=Decimal("1000"))
    PurchaseFactory(amount=Decimal("250"))
    Purchase.objects.only("pk").filter(amount=Decimal("1000")).delete()
    assert published_total() == Decimal("250")


def test_moving_a_buyer_loaded_without_its_region_moves_its_purchases():
    purchase = PurchaseFactory(amount=Decimal("1000"))
    elsewhere = Region.objects.exclude(pk=purchase.organization.region_id).first()
    organization = MemberOrganization.objects.only("pk").get()
    organization.region = elsewhere
    organization.save(update_fields=["region"])
    every_purchase = PurchaseSummary.objects.filter(sector=None, category=None)
    assert list(every_purchase.values_list("region", flat=True)) == [elsewhere.pk]
