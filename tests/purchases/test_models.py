import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from purchases.models import (
    ContractSizeBracket,
    ContractSizeThreshold,
    Purchase,
    PurchaseSummary,
)
from tests.factories import EnterpriseFactory, MemberOrganizationFactory, PurchaseFactory

pytestmark = pytest.mark.django_db


def new_purchase(**fields):
    """An unsaved purchase that passes validation unless a field says otherwise."""
    values = {
        "organization": MemberOrganizationFactory(),
        "enterprise": EnterpriseFactory(),
        "amount": Decimal("12000.00"),
        "award_date": datetime.date(2025, 3, 14),
        "procurement_method": Purchase.ProcurementMethod.DIRECT,
        **fields,
    }
    return Purchase(**values)


def errors_of(purchase):
    with pytest.raises(ValidationError) as raised:
        purchase.full_clean()
    return raised.value.message_dict


def accepted(purchase):
    """The purchase as read back once validated and saved, as the portal's form saves it."""
    purchase.full_clean()
    purchase.save()
    return Purchase.objects.get(pk=purchase.pk)


def refused_by_the_database(purchase):
    """Whether the database refuses the purchase (saved without validation) and keeps none."""
    try:
        with transaction.atomic():
            purchase.save()
    except IntegrityError:
        return not Purchase.objects.exists()
    return False


def test_a_complete_purchase_is_saved_as_entered():
    saved = accepted(new_purchase())

    assert (saved.amount, saved.award_date) == (Decimal("12000.00"), datetime.date(2025, 3, 14))


class TestAmount:
    def test_zero_is_a_valid_amount(self):
        assert accepted(new_purchase(amount=Decimal("0"))).amount == Decimal("0")

    def test_a_negative_amount_is_refused_by_the_form_and_the_database(self):
        purchase = new_purchase(amount=Decimal("-0.01"))
        assert "amount" in errors_of(purchase)
        assert refused_by_the_database(purchase)


class TestDates:
    def test_the_award_date_may_be_today(self):
        today = timezone.localdate()
        assert accepted(new_purchase(award_date=today)).award_date == today

    def test_the_award_date_cannot_be_in_the_future(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        assert "award_date" in errors_of(new_purchase(award_date=tomorrow))

    def test_a_contract_may_start_and_end_the_same_day(self):
        day = datetime.date(2025, 4, 1)
        saved = accepted(new_purchase(contract_start=day, contract_end=day))
        assert (saved.contract_start, saved.contract_end) == (day, day)

    def test_a_contract_cannot_end_before_it_starts(self):
        purchase = new_purchase(
            contract_start=datetime.date(2025, 4, 1), contract_end=datetime.date(2025, 3, 31)
        )
        assert "contract_end" in errors_of(purchase)
        assert refused_by_the_database(purchase)


class TestSupplier:
    def test_a_supplier_typed_in_is_enough(self):
        saved = accepted(new_purchase(enterprise=None, supplier_name="Traiteur du quartier"))
        assert saved.supplier_display == "Traiteur du quartier"

    def test_a_purchase_needs_an_enterprise_or_a_supplier_name(self):
        purchase = new_purchase(enterprise=None, supplier_name="  ")
        assert "enterprise" in errors_of(purchase)
        purchase.supplier_name = ""
        assert refused_by_the_database(purchase)


class TestRejection:
    def test_a_rejection_needs_a_reason(self):
        purchase = new_purchase(status=Purchase.Status.REJECTED, rejection_reason=" ")
        assert "rejection_reason" in errors_of(purchase)
        purchase.rejection_reason = ""
        assert refused_by_the_database(purchase)

    def test_rejecting_in_bulk_refuses_a_blank_reason(self):
        purchase = PurchaseFactory(status=Purchase.Status.SUBMITTED)
        with pytest.raises(ValueError):
            Purchase.objects.reject("   ")
        assert Purchase.objects.reject(" Montant erroné ") == 1
        purchase.refresh_from_db()
        assert (purchase.status, purchase.rejection_reason) == ("rejected", "Montant erroné")

    def test_validating_clears_an_earlier_rejection(self):
        purchase = PurchaseFactory(
            status=Purchase.Status.REJECTED, rejection_reason="Fournisseur inconnu"
        )
        PurchaseFactory(status=Purchase.Status.VALIDATED)
        assert Purchase.objects.validate() == 1
        purchase.refresh_from_db()
        assert (purchase.status, purchase.rejection_reason) == ("validated", "")


def summarized_total():
    every_purchase = PurchaseSummary.objects.filter(sector=None, category=None)
    return every_purchase.aggregate(total=Sum("total_amount"))["total"]


def test_the_public_summary_follows_validation_and_rejection_in_bulk():
    submitted = PurchaseFactory.create_batch(
        2, status=Purchase.Status.SUBMITTED, amount=Decimal("1000")
    )
    assert summarized_total() is None

    Purchase.objects.filter(pk__in=[p.pk for p in submitted]).validate()
    assert summarized_total() == Decimal("2000")

    Purchase.objects.filter(pk=submitted[0].pk).reject("Montant erroné")
    assert summarized_total() == Decimal("1000")


class TestContractSizeBracket:
    """Thresholds far in the past, so the rows shipped in the migrations do not interfere."""

    @pytest.fixture(autouse=True)
    def thresholds_of_2010(self):
        return ContractSizeThreshold.objects.create(
            effective_from=datetime.date(2010, 1, 1),
            small_contract_ceiling=Decimal("25000"),
            public_tender_threshold=Decimal("100000"),
            trade_agreement_threshold=Decimal("300000"),
        )

    def thresholds_of_2012(self):
        return ContractSizeThreshold.objects.create(
            effective_from=datetime.date(2012, 1, 1),
            small_contract_ceiling=Decimal("25000"),
            public_tender_threshold=Decimal("120000"),
            trade_agreement_threshold=Decimal("350000"),
        )

    def bracket(self, purchase):
        purchase.refresh_from_db()
        return purchase.contract_size_bracket

    @pytest.mark.parametrize(
        ("amount", "bracket"),
        [
            ("0", ContractSizeBracket.SMALL),
            ("24999.99", ContractSizeBracket.SMALL),
            ("25000", ContractSizeBracket.BELOW_PUBLIC_TENDER),
            ("100000", ContractSizeBracket.PUBLIC_TENDER),
            ("300000", ContractSizeBracket.TRADE_AGREEMENTS),
        ],
    )
    def test_the_bracket_follows_the_amount(self, amount, bracket):
        purchase = PurchaseFactory(amount=Decimal(amount), award_date=datetime.date(2011, 6, 1))
        assert self.bracket(purchase) == bracket

    def test_the_same_amount_is_classed_by_the_thresholds_of_its_award_date(self):
        self.thresholds_of_2012()
        before = PurchaseFactory(amount=Decimal("110000"), award_date=datetime.date(2011, 12, 31))
        after = PurchaseFactory(amount=Decimal("110000"), award_date=datetime.date(2012, 1, 1))
        assert self.bracket(before) == ContractSizeBracket.PUBLIC_TENDER
        assert self.bracket(after) == ContractSizeBracket.BELOW_PUBLIC_TENDER

    def test_a_purchase_older_than_every_threshold_row_uses_the_first(self):
        purchase = PurchaseFactory(amount=Decimal("110000"), award_date=datetime.date(2001, 1, 1))
        assert self.bracket(purchase) == ContractSizeBracket.PUBLIC_TENDER

    def test_a_new_threshold_row_reclasses_the_purchases_it_governs(self):
        before = PurchaseFactory(amount=Decimal("110000"), award_date=datetime.date(2011, 12, 31))
        after = PurchaseFactory(amount=Decimal("110000"), award_date=datetime.date(2012, 6, 1))
        assert self.bracket(after) == ContractSizeBracket.PUBLIC_TENDER

        new_row = self.thresholds_of_2012()
        assert self.bracket(after) == ContractSizeBracket.BELOW_PUBLIC_TENDER
        assert self.bracket(before) == ContractSizeBracket.PUBLIC_TENDER

        new_row.public_tender_threshold = Decimal("105000")
        new_row.save()
        assert self.bracket(after) == ContractSizeBracket.PUBLIC_TENDER

        new_row.public_tender_threshold = Decimal("130000")
        new_row.save()
        assert self.bracket(after) == ContractSizeBracket.BELOW_PUBLIC_TENDER

        new_row.delete()
        assert self.bracket(after) == ContractSizeBracket.PUBLIC_TENDER

    def test_thresholds_must_increase(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            ContractSizeThreshold.objects.create(
                effective_from=datetime.date(2014, 1, 1),
                small_contract_ceiling=Decimal("25000"),
                public_tender_threshold=Decimal("20000"),
                trade_agreement_threshold=Decimal("350000"),
            )
