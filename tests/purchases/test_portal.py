"""The member portal as a member uses it: record, submit, see it counted once validated."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from enterprises.models import Category
from purchases.models import Invitation, Membership, Purchase
from tests.factories import (
    EnterpriseFactory,
    MemberOrganizationFactory,
    MembershipFactory,
    PurchaseFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def contributor(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    return membership


@pytest.fixture
def manager(client):
    membership = MembershipFactory(role=Membership.Role.MANAGER)
    client.force_login(membership.user)
    return membership


def purchase_data(**overrides):
    data = {
        "supplier": "",
        "enterprise": "",
        "category": Category.objects.get(slug="traiteur").pk,
        "description": "Traiteur pour l'assemblée",
        "amount": "30000.00",
        "award_date": timezone.localdate().isoformat(),
        "procurement_method": Purchase.ProcurementMethod.DIRECT,
        "consent_to_publish": "on",
    }
    data.update(overrides)
    return data


def test_member_records_submits_and_sees_validated_purchase_on_dashboard(client, contributor):
    enterprise = EnterpriseFactory(name="Coop Les Saveurs")
    response = client.post(
        reverse("purchases:purchase_create"), purchase_data(supplier="coop les saveurs")
    )
    purchase = Purchase.objects.get()
    assert response.status_code == 302
    assert purchase.enterprise == enterprise
    assert purchase.status == Purchase.Status.DRAFT
    assert purchase.recorded_by == contributor.user

    client.post(reverse("purchases:purchase_submit", args=[purchase.pk]))
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.SUBMITTED
    dashboard = client.get(reverse("purchases:dashboard"))
    assert dashboard.context["dashboard"].totals["total"] == 0

    purchase.status = Purchase.Status.VALIDATED  # what staff do in the admin
    purchase.save()
    dashboard = client.get(reverse("purchases:dashboard"))
    assert dashboard.context["dashboard"].totals["total"] == Decimal("30000.00")
    assert dashboard.context["dashboard"].totals["enterprises"] == 1
    assert re.search(r"30\D?000\s\$", dashboard.text)


def test_posted_organization_is_ignored(client, contributor):
    other = MemberOrganizationFactory()
    client.post(
        reverse("purchases:purchase_create"),
        purchase_data(supplier="Traiteur du coin", organization=other.pk),
    )
    assert Purchase.objects.get().organization == contributor.organization


def test_supplier_outside_directory_is_kept_and_flagged(client, contributor):
    client.post(reverse("purchases:purchase_create"), purchase_data(supplier="Traiteur du coin"))
    purchase = Purchase.objects.get()
    assert purchase.enterprise is None
    assert purchase.supplier_name == "Traiteur du coin"
    assert Purchase.objects.with_unlinked_supplier().get() == purchase
    page = client.get(reverse("purchases:purchase_detail", args=[purchase.pk]))
    assert "Ce fournisseur n'est pas dans le répertoire" in page.text


def test_purchase_without_supplier_shows_an_error(client, contributor):
    response = client.post(reverse("purchases:purchase_create"), purchase_data())
    assert response.status_code == 200
    assert response.context["form"].errors["supplier"]
    assert not Purchase.objects.exists()


def test_member_cannot_see_another_members_purchase(client, contributor):
    other = PurchaseFactory()
    response = client.get(reverse("purchases:purchase_detail", args=[other.pk]))
    assert response.status_code == 404


def test_member_cannot_edit_another_members_purchase(client, contributor):
    other = PurchaseFactory(status=Purchase.Status.DRAFT, amount=Decimal("10"))
    response = client.post(
        reverse("purchases:purchase_update", args=[other.pk]),
        purchase_data(supplier="Pirate", amount="1"),
    )
    other.refresh_from_db()
    assert response.status_code == 404
    assert other.amount == Decimal("10")


def test_validated_purchase_is_locked(client, contributor):
    purchase = PurchaseFactory(organization=contributor.organization)
    response = client.post(
        reverse("purchases:purchase_update", args=[purchase.pk]),
        purchase_data(supplier="Autre", amount="1"),
    )
    purchase.refresh_from_db()
    assert response.status_code == 403
    assert purchase.amount == Decimal("12000.00")


def test_member_withdraws_a_submitted_purchase(client, contributor):
    purchase = PurchaseFactory(
        organization=contributor.organization, status=Purchase.Status.SUBMITTED
    )
    client.post(reverse("purchases:purchase_withdraw", args=[purchase.pk]))
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.DRAFT


def test_list_filters_and_sorts_own_purchases(client, contributor, django_assert_num_queries):
    organization = contributor.organization
    PurchaseFactory(organization=organization, amount=Decimal("100"))
    PurchaseFactory(organization=organization, amount=Decimal("300"))
    PurchaseFactory(organization=organization, amount=Decimal("200"), status="draft")
    PurchaseFactory()  # another organization's
    # Session, user, membership with organization, count, page of purchases with their
    # enterprise and category.
    with django_assert_num_queries(5):
        response = client.get(
            reverse("purchases:purchase_list"), {"status": "validated", "ordering": "-amount"}
        )
    amounts = [purchase.amount for purchase in response.context["object_list"]]
    assert amounts == [Decimal("300"), Decimal("100")]


def test_export_is_formula_safe(client, contributor):
    PurchaseFactory(organization=contributor.organization, description="=HYPERLINK(\"x\")")
    PurchaseFactory(description="Autre organisation")
    response = client.get(reverse("purchases:purchase_export"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "Autre organisation" not in text
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get(
            reverse("purchases:purchase_export"), {"format": "xlsx"}
        ).streaming_content))
    )
    cells = [cell.value for row in workbook.active.iter_rows() for cell in row]
    assert "'=HYPERLINK(\"x\")" in cells


@pytest.mark.parametrize(("language", "stem"), [("fr", "achats"), ("en", "purchases")])
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_export_file_is_named_in_the_pages_language(
    client, contributor, language, stem, export_format
):
    contributor.organization.slug = "ville-de-laval"
    contributor.organization.save()
    with translation.override(language):
        response = client.get(reverse("purchases:purchase_export"), {"format": export_format})

    today = timezone.localdate()
    assert f'filename="{stem}-ville-de-laval-{today:%Y-%m-%d}.{export_format}"' in (
        response["Content-Disposition"]
    )


def test_enterprise_suggestions_find_published_enterprises(client, contributor):
    EnterpriseFactory(name="Café Équitable")
    EnterpriseFactory(name="Café caché", status="draft")
    response = client.get(reverse("purchases:enterprise_suggestions"), {"q": "cafe"})
    assert [result["name"] for result in response.json()["results"]] == ["Café Équitable"]


def upload(name, content):
    return SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")


UPLOAD_HEADER = (
    "supplier_neq,supplier_name,category,description,amount,award_date,contract_start,"
    "contract_end,procurement_method,preferential_margin_percent,delivery_region,"
    "consent_to_publish\n"
)


def test_bulk_upload_dry_run_saves_nothing_then_saves_every_row(client, contributor):
    content = UPLOAD_HEADER + (
        ",Traiteur A,traiteur,Repas,1200.50,2025-01-10,,,direct,,06,1\n"
        ",Traiteur B,traiteur,Repas,800,2025-02-10,,,invitation,,,0\n"
    )
    response = client.post(
        reverse("purchases:purchase_upload"), {"file": upload("achats.csv", content),
                                               "dry_run": "on"}
    )
    assert response.context["outcome"]["count"] == 2
    assert not Purchase.objects.exists()

    client.post(reverse("purchases:purchase_upload"), {"file": upload("achats.csv", content)})
    assert Purchase.objects.filter(
        organization=contributor.organization, status=Purchase.Status.DRAFT
    ).count() == 2


def test_bulk_upload_with_a_bad_row_saves_nothing_and_names_the_spreadsheet_row(
    client, contributor
):
    content = UPLOAD_HEADER + (
        ",Traiteur A,traiteur,Repas,1200,2025-01-10,,,direct,,06,1\n"
        ",Traiteur B,traiteur,Repas,pas un montant,2025-02-10,,,direct,,,0\n"
    )
    response = client.post(
        reverse("purchases:purchase_upload"), {"file": upload("achats.csv", content)}
    )
    assert response.context["outcome"]["failed"]
    [error] = response.context["outcome"]["errors"]
    assert (error["row"], error["column"], error["value"]) == (3, "amount", "pas un montant")
    assert not Purchase.objects.exists()


def test_upload_template_downloads_with_headers_in_the_members_language(client, contributor):
    response = client.get(reverse("purchases:upload_template"), {"format": "csv"})
    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header.startswith("NEQ du fournisseur,Nom du fournisseur,Produit ou service")


def test_manager_removes_a_contributor(client, manager):
    contributor = MembershipFactory(organization=manager.organization)
    client.post(reverse("purchases:remove_member", args=[contributor.pk]))
    assert not Membership.objects.filter(pk=contributor.pk).exists()


def test_contributor_cannot_invite(client, contributor):
    response = client.post(reverse("purchases:team"), {"email": "x@example.org",
                                                       "role": "manager"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_manager_sets_the_yearly_target_and_dashboard_shows_progress(client, manager):
    PurchaseFactory(organization=manager.organization, amount=Decimal("25000"))
    client.post(reverse("purchases:target"), {"yearly_target": "100000"})
    dashboard = client.get(reverse("purchases:dashboard")).context["dashboard"]
    assert dashboard.progress_percent == 25


def test_login_page_signs_a_member_in(client):
    membership = MembershipFactory()
    response = client.post(
        reverse("purchases:login"),
        {"username": membership.user.username, "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("purchases:dashboard")


def test_password_reset_sends_a_working_link(client, task_worker):
    membership = MembershipFactory()
    client.post(reverse("purchases:password_reset"), {"email": membership.user.email})
    task_worker()
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    assert client.get(link, follow=True).context["validlink"]
