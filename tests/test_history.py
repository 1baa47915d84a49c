"""Staff and member edits keep a history, shown in the admin; members never delete a purchase."""

import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import OperationalError
from django.urls import reverse
from factory.django import DjangoModelFactory
from simple_history.admin import SimpleHistoryAdmin

from enterprises.models import Category, Enterprise
from purchases.models import Membership, Purchase, PurchaseSummary
from purchases.urls import portal_patterns
from tests import factories
from tests.factories import (
    EnterpriseFactory,
    MembershipFactory,
    PurchaseFactory,
)

pytestmark = pytest.mark.django_db

TRACKED = [Enterprise, Purchase, Membership]


def summary_rows():
    return sorted(
        PurchaseSummary.objects.values_list(
            "year", "region", "member_kind", "contract_size_bracket", "sector", "category",
            "purchase_count", "total_amount",
        ),
        key=str,
    )


def purchase_admin_data(purchase, **changes):
    """The admin's change form for a purchase, as staff would post it."""
    data = {
        "organization": purchase.organization_id,
        "status": purchase.status,
        "rejection_reason": purchase.rejection_reason,
        "enterprise": purchase.enterprise_id or "",
        "supplier_name": purchase.supplier_name,
        "category": purchase.category_id or "",
        "description": purchase.description,
        "amount": purchase.amount,
        "delivery_region": "",
        "award_date": purchase.award_date.isoformat(),
        "contract_start": "",
        "contract_end": "",
        "procurement_method": purchase.procurement_method,
        "preferential_margin_percent": "",
        "consent_to_publish": "on" if purchase.consent_to_publish else "",
        "recorded_by": "",
    }
    data.update(changes)
    return data


def test_tracked_models_leave_derived_fields_out_of_their_history():
    historical_fields = {
        model: {field.name for field in model.history.model._meta.get_fields()}
        for model in TRACKED
    }
    assert "name_folded" not in historical_fields[Enterprise]
    assert "name" in historical_fields[Enterprise]
    assert "contract_size_bracket" not in historical_fields[Purchase]
    assert "amount" in historical_fields[Purchase]


def test_every_tracked_model_shows_its_history_in_the_admin():
    tracked = [model for model in admin.site._registry if hasattr(model, "history")]
    assert {Enterprise, Purchase, Membership} <= set(tracked)
    for model in tracked:
        assert isinstance(admin.site._registry[model], SimpleHistoryAdmin), model


def test_staff_edit_in_the_admin_is_recorded_with_the_staff_member(staff_client, staff_user):
    purchase = PurchaseFactory(amount=Decimal("12000.00"))
    url = reverse("admin:purchases_purchase_change", args=[purchase.pk])

    response = staff_client.post(url, purchase_admin_data(purchase, amount="15000.00"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = purchase.history.latest()
    assert (latest.history_type, latest.history_user, latest.amount) == (
        "~", staff_user, Decimal("15000.00")
    )
    page = staff_client.get(reverse("admin:purchases_purchase_history", args=[purchase.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert staff_user.username in text
    # The amounts as French writes them, grouped by a (no-break) space: 12 000,00 → 15 000,00.
    assert re.search(r"12\s000,00.{0,40}15\s000,00", text)


def test_history_leaves_the_repertory_summary_in_step(staff_client):
    purchase = PurchaseFactory(amount=Decimal("12000.00"))
    before = summary_rows()
    url = reverse("admin:purchases_purchase_change", args=[purchase.pk])

    staff_client.post(url, purchase_admin_data(purchase, amount="15000.00"))

    kept_by_signals = summary_rows()
    PurchaseSummary.objects.rebuild()
    assert kept_by_signals == summary_rows()
    assert kept_by_signals != before


def test_validating_in_bulk_records_who_validated(staff_client, staff_user):
    submitted = PurchaseFactory.create_batch(2, status=Purchase.Status.SUBMITTED)
    already = PurchaseFactory(status=Purchase.Status.VALIDATED)

    staff_client.post(
        reverse("admin:purchases_purchase_changelist"),
        {"action": "validate", ACTION_CHECKBOX_NAME: [p.pk for p in [*submitted, already]]},
    )

    for purchase in submitted:
        latest = purchase.history.latest()
        assert (latest.status, latest.history_user) == (Purchase.Status.VALIDATED, staff_user)
        assert latest.history_change_reason
    assert already.history.count() == 1  # only its creation: the action left it alone


def test_archiving_in_bulk_records_who_archived(staff_client, staff_user):
    enterprise = EnterpriseFactory()

    staff_client.post(
        reverse("admin:enterprises_enterprise_changelist"),
        {"action": "archive", ACTION_CHECKBOX_NAME: [enterprise.pk]},
    )

    latest = enterprise.history.latest()
    assert (latest.status, latest.history_user) == (Enterprise.Status.ARCHIVED, staff_user)


def test_member_withdrawal_keeps_the_purchase_and_its_history(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    purchase = PurchaseFactory(
        organization=membership.organization, status=Purchase.Status.SUBMITTED
    )

    client.post(reverse("purchases:purchase_withdraw", args=[purchase.pk]))

    assert Purchase.objects.get(pk=purchase.pk).status == Purchase.Status.DRAFT
    latest = purchase.history.latest()
    assert (latest.status, latest.history_user) == (Purchase.Status.DRAFT, membership.user)


def test_no_portal_url_deletes_a_purchase(client):
    """Every portal page, posted to and sent DELETE, by a manager, for a purchase in every
    status: each row is still there, and no history record says it was deleted."""
    membership = MembershipFactory(role=Membership.Role.MANAGER)
    client.force_login(membership.user)
    purchases = [
        PurchaseFactory(organization=membership.organization, status=status,
                        rejection_reason="Montant à vérifier" if status == "rejected" else "")
        for status in Purchase.Status.values
    ]
    for pattern in portal_patterns:
        for purchase in purchases:
            kwargs = {"pk": purchase.pk} if "pk" in pattern.pattern.converters else {}
            if "token" in pattern.pattern.converters:
                kwargs = {"token": "not-a-token"}
            url = reverse(f"purchases:{pattern.name}", kwargs=kwargs)
            client.post(url, {})
            client.delete(url)
    assert Purchase.objects.filter(pk__in=[p.pk for p in purchases]).count() == len(purchases)
    assert not Purchase.history.filter(history_type="-").exists()


def test_manager_removing_a_contributor_leaves_a_record_of_it(client):
    manager = MembershipFactory(role=Membership.Role.MANAGER)
    contributor = MembershipFactory(organization=manager.organization)
    client.force_login(manager.user)

    client.post(reverse("purchases:remove_member", args=[contributor.pk]))

    deletion = Membership.history.get(id=contributor.pk, history_type="-")
    assert (deletion.history_user, deletion.user_id) == (manager.user, contributor.user_id)


HISTORY_ADMINS = sorted(
    (model for model in admin.site._registry if hasattr(model, "history")),
    key=lambda model: model._meta.label,
)
# Rows for the tracked models the migrations leave empty (the reference lists have theirs):
# the first factory of tests/factories.py that makes the model, so a new app's is found too.
FACTORIES = {}
for _factory in vars(factories).values():
    if isinstance(_factory, type) and issubclass(_factory, DjangoModelFactory):
        FACTORIES.setdefault(_factory._meta.model, _factory)


@pytest.mark.parametrize(
    "model", HISTORY_ADMINS, ids=[model._meta.label for model in HISTORY_ADMINS]
)
def test_every_history_page_costs_a_fixed_number_of_queries(
    model, staff_client, django_assert_max_num_queries
):
    row = FACTORIES[model]() if model in FACTORIES else model._default_manager.first()
    for category in Category.objects.all()[:5]:
        if model is Purchase:
            row.category = category  # a related row in each diff
        row.save()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history",
                  args=[row.pk])
    # Session, user, the object, its history page (count, then the records with their users
    # and related rows joined) and the user content type: never one per record.
    with django_assert_max_num_queries(8):
        response = staff_client.get(url)
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) >= 5


def test_a_purchase_whose_summary_cannot_be_written_is_not_saved_at_all(monkeypatch):
    """The database going away between the purchase and its summary leaves neither."""
    membership = MembershipFactory()

    def database_gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(type(PurchaseSummary.objects), "rebuild", database_gone)
    with pytest.raises(OperationalError):
        PurchaseFactory(organization=membership.organization)

    assert not Purchase.objects.exists()
    assert not Purchase.history.exists()


def history_page_after_publishing(client, language):
    """The admin history page of an enterprise that staff published after it was archived,
    with the reason left empty, in ``language``."""
    enterprise = EnterpriseFactory(status=Enterprise.Status.ARCHIVED)
    enterprise.status = Enterprise.Status.PUBLISHED
    enterprise.save()
    prefix = "" if language == "fr" else "/en"
    url = reverse("admin:enterprises_enterprise_history", args=[enterprise.pk])
    page = client.get(prefix + url.removeprefix("/en"))
    assert page.status_code == 200
    return page.content.decode()


def test_french_history_shows_labels_translated_values_and_french_times(staff_client):
    html = history_page_after_publishing(staff_client, "fr")

    assert "<strong>Statut de publication\u00a0:</strong>" in html
    assert "Archivée&nbsp;&rarr;&nbsp;Publiée" in html
    assert "archived" not in html and "published" not in html.replace("publiée", "")
    assert ">Modifications</th>" in html
    assert "<td>Création</td>" in html and "<td>Modification</td>" in html
    assert "None" not in html
    # Django's own fr_CA format printed a quarter past midnight as "00 12 15".
    assert re.search(r"\d{4}, \d\d\u00a0h\u00a0\d\d</time>", html)


def test_english_history_shows_labels_translated_values_and_english_times(staff_client):
    html = history_page_after_publishing(staff_client, "en")

    assert "<strong>Publication status:</strong>" in html
    assert "Archived&nbsp;&rarr;&nbsp;Published" in html
    assert ">Changes</th>" in html
    assert "<td>Created</td>" in html and "<td>Changed</td>" in html
    assert "None" not in html
    assert re.search(r"\d{4}, \d\d?:\d\d [ap]\.m\.</time>", html)


def test_history_shows_a_dash_where_a_value_or_the_reason_was_empty(staff_client):
    enterprise = EnterpriseFactory(website="")
    enterprise.website = "https://example.org"
    enterprise.save()

    html = staff_client.get(
        reverse("admin:enterprises_enterprise_history", args=[enterprise.pk])
    ).content.decode()

    assert "—&nbsp;&rarr;&nbsp;https://example.org" in html
    assert "None" not in html


def test_oldest_row_of_a_history_page_still_shows_its_changes(staff_client, settings):
    """simple-history compares only the rows of one page: the last row of a full page had no
    changes although an older version exists on the next page."""
    purchase = PurchaseFactory(amount=Decimal("1000.00"))
    for amount in ("2000.00", "3000.00"):
        purchase.amount = Decimal(amount)
        purchase.save()
    model_admin = admin.site._registry[Purchase]
    url = reverse("admin:purchases_purchase_history", args=[purchase.pk])

    per_page = model_admin.history_list_per_page
    model_admin.history_list_per_page = 2
    try:
        html = staff_client.get(url).content.decode()
    finally:
        model_admin.history_list_per_page = per_page

    assert "3\u00a0000,00" in html and "2\u00a0000,00" in html
    assert "1\u00a0000,00&nbsp;&rarr;&nbsp;2\u00a0000,00" in html
