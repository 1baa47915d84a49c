import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import translation

from purchases.models import Purchase
from tests.factories import MemberOrganizationFactory, MembershipFactory, PurchaseFactory, region

pytestmark = pytest.mark.django_db


def english(name, *args):
    """An English admin URL, so that messages read the same before and after translation."""
    with translation.override("en"):
        return reverse(name, args=args)


CHANGELIST = "admin:purchases_purchase_changelist"


def statuses(purchases):
    return [Purchase.objects.get(pk=purchase.pk).status for purchase in purchases]


def test_validating_submitted_purchases_says_how_many(staff_client):
    submitted = PurchaseFactory.create_batch(2, status=Purchase.Status.SUBMITTED)

    response = staff_client.post(
        english(CHANGELIST),
        {"action": "validate", ACTION_CHECKBOX_NAME: [p.pk for p in submitted]},
        follow=True,
    )

    assert "2 purchases validated." in response.content.decode()
    assert statuses(submitted) == ["validated", "validated"]


class TestRejection:
    @pytest.fixture
    def submitted(self):
        return PurchaseFactory.create_batch(2, status=Purchase.Status.SUBMITTED)

    def post(self, client, purchases, **extra):
        return client.post(
            english(CHANGELIST),
            {"action": "reject", ACTION_CHECKBOX_NAME: [p.pk for p in purchases], **extra},
            follow=True,
        )

    def test_rejecting_first_asks_for_the_reason(self, staff_client, submitted):
        response = self.post(staff_client, submitted)

        page = response.content.decode()
        assert "You are rejecting 2 purchases." in page
        assert 'name="reason"' in page
        assert statuses(submitted) == ["submitted", "submitted"]

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_an_empty_reason_is_refused_with_a_clear_message(
        self, staff_client, submitted, reason
    ):
        response = self.post(staff_client, submitted, apply="yes", reason=reason)

        assert "Give the reason for the rejection." in response.content.decode()
        assert statuses(submitted) == ["submitted", "submitted"]

    def test_the_reason_is_kept_with_each_rejected_purchase(self, staff_client, submitted):
        untouched = PurchaseFactory(status=Purchase.Status.SUBMITTED)

        response = self.post(
            staff_client, submitted, apply="yes", reason="Le fournisseur n'est pas admissible."
        )

        assert "2 purchases rejected." in response.content.decode()
        assert set(
            Purchase.objects.filter(status="rejected").values_list("rejection_reason", flat=True)
        ) == {"Le fournisseur n'est pas admissible."}
        assert statuses([untouched]) == ["submitted"]


    def test_rejecting_every_purchase_of_a_filtered_list(self, staff_client, submitted):
        drafts = PurchaseFactory.create_batch(2, status=Purchase.Status.DRAFT)

        staff_client.post(
            english(CHANGELIST) + "?status__exact=submitted",
            {
                "action": "reject",
                ACTION_CHECKBOX_NAME: [submitted[0].pk],
                "select_across": "1",
                "apply": "yes",
                "reason": "Doublon",
            },
        )

        assert statuses(submitted) == ["rejected", "rejected"]
        assert statuses(drafts) == ["draft", "draft"]


def test_the_supplier_filter_lists_purchases_to_link(staff_client):
    PurchaseFactory(description="Chez une entreprise du répertoire")
    PurchaseFactory(enterprise=None, supplier_name="Traiteur du quartier")

    response = staff_client.get(reverse(CHANGELIST), {"supplier_in_directory": "no"})

    assert [p.supplier_name for p in response.context["cl"].result_list] == [
        "Traiteur du quartier"
    ]
    assert "Traiteur du quartier" in response.content.decode()


def test_the_contract_size_is_shown_but_not_editable(staff_client):
    purchase = PurchaseFactory(amount=Decimal("500000"))

    response = staff_client.get(english("admin:purchases_purchase_change", purchase.pk))

    assert "Covered by trade agreements" in response.content.decode()
    assert "contract_size_bracket" not in response.context["adminform"].form.fields


def test_a_purchase_added_by_staff_records_who_entered_it(staff_client, staff_user):
    organization = MemberOrganizationFactory()
    response = staff_client.post(
        reverse("admin:purchases_purchase_add"),
        {
            "organization": organization.pk,
            "status": Purchase.Status.VALIDATED,
            "supplier_name": "Groupe TAQ",
            "amount": "45000.00",
            "award_date": "2025-05-20",
            "procurement_method": Purchase.ProcurementMethod.INVITATION,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    purchase = Purchase.objects.get(supplier_name="Groupe TAQ")
    assert purchase.recorded_by == staff_user
    assert purchase.award_date == datetime.date(2025, 5, 20)


def test_memberships_are_edited_on_the_organization_page(staff_client):
    membership = MembershipFactory(user__username="marie.tremblay", organization__region=region())

    response = staff_client.get(
        reverse("admin:purchases_memberorganization_change", args=[membership.organization_id])
    )

    page = response.content.decode()
    assert 'name="memberships-TOTAL_FORMS"' in page
    assert "marie.tremblay" in page
