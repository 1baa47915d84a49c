"""The commands around the load test: member logins for it, and the half-saved purchase check."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from purchases.demo import DEMO_PASSWORD
from purchases.models import Membership, Purchase, PurchaseSummary
from tests.factories import MemberOrganizationFactory, PurchaseFactory

pytestmark = pytest.mark.django_db


def check(*args):
    """The check's report, in English: it is read by the operator running the load test."""
    out = io.StringIO()
    with translation.override("en"):
        call_command("check_purchases", *args, stdout=out)
    return out.getvalue()


def test_load_logins_are_refused_without_debug():
    MemberOrganizationFactory()
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("create_load_logins", "--count", "2")


def test_load_logins_sign_in_and_are_created_once(client, settings):
    settings.DEBUG = True
    MemberOrganizationFactory.create_batch(2)

    call_command("create_load_logins", "--count", "3", stdout=io.StringIO())
    call_command("create_load_logins", "--count", "3", stdout=io.StringIO())

    assert Membership.objects.filter(user__username__startswith="charge-").count() == 3
    response = client.post(
        reverse("purchases:login"),
        {"username": "charge-003@example.org", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(reverse("purchases:dashboard")).status_code == 200


def test_load_logins_need_member_organizations(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("create_load_logins")


def test_purchases_saved_normally_pass_the_check():
    started = timezone.now()
    PurchaseFactory.create_batch(2)
    assert "none is half-saved" in check("--since", started.isoformat())


def test_a_summary_out_of_step_fails_the_check():
    PurchaseFactory()
    PurchaseSummary.objects.update(total_amount=Decimal("1.00"))
    with pytest.raises(CommandError, match="summary"):
        check()


def test_a_purchase_changed_without_its_history_fails_the_check():
    started = timezone.now()
    purchase = PurchaseFactory(status=Purchase.Status.DRAFT)
    Purchase.objects.filter(pk=purchase.pk).update(amount=Decimal("99.00"))
    with pytest.raises(CommandError, match="1 purchases changed since then have no matching"):
        check("--since", started.isoformat())


@pytest.mark.parametrize("since", ["yesterday", "2026-11-26T15:00:00"])
def test_a_since_without_date_time_and_zone_is_explained(since):
    with pytest.raises(CommandError, match="--since"):
        check("--since", since)
