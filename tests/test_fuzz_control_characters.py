"""Control characters (a vertical tab pasted from Word, a NUL from a damaged file) are removed
from what people submit, and never break an export that meets them anyway."""

import csv
import io

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from openpyxl import load_workbook

from ecpar_site.middleware import PrintableFormDataMiddleware
from enterprises.models import Category, Sector
from events.exports import registrants_csv_response
from purchases.models import Purchase
from tests.factories import (
    EnterpriseFactory,
    EventFactory,
    MembershipFactory,
    PurchaseFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db

PASTED_FROM_WORD = "Traiteur pour l'assemblée\x0bannuelle\x0cdu 14\x1b mars"
CLEANED = "Traiteur pour l'assemblée annuelle du 14 mars"


@pytest.fixture
def member(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    return membership


def cells(workbook_bytes):
    sheet = load_workbook(io.BytesIO(workbook_bytes), read_only=True).active
    return [cell for row in sheet.iter_rows(values_only=True) for cell in row]


def test_a_members_export_with_a_vertical_tab_opens_in_excel(client, member):
    PurchaseFactory(organization=member.organization, description=PASTED_FROM_WORD)

    response = client.get(reverse("purchases:purchase_export"), {"format": "xlsx"})

    assert response.status_code == 200
    assert CLEANED in cells(b"".join(response.streaming_content))


def test_a_members_csv_export_drops_control_characters(client, member):
    PurchaseFactory(organization=member.organization, description=PASTED_FROM_WORD)

    response = client.get(reverse("purchases:purchase_export"), {"format": "csv"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert CLEANED in [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_a_formula_behind_a_control_character_stays_inert(client, member, export_format):
    PurchaseFactory(organization=member.organization, description="\x0b=HYPERLINK(\"x\")")

    response = client.get(reverse("purchases:purchase_export"), {"format": export_format})

    content = b"".join(response.streaming_content)
    if export_format == "csv":
        exported = [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig")))
                    for cell in row]
    else:
        exported = cells(content)
    assert "' =HYPERLINK(\"x\")" in exported


def test_the_public_directory_export_with_control_characters_opens_in_excel(client):
    EnterpriseFactory(name="CAFÉ\x0bDU\x1f QUARTIER", description_fr=PASTED_FROM_WORD)

    response = client.get(reverse("enterprises:export"), {"format": "xlsx"})

    assert response.status_code == 200
    workbook = cells(b"".join(response.streaming_content))
    assert "CAFÉ DU QUARTIER" in workbook
    assert CLEANED in workbook


def test_export_directory_writes_a_workbook_despite_control_characters(tmp_path):
    EnterpriseFactory(description_fr=PASTED_FROM_WORD)
    workbook = tmp_path / "repertoire.xlsx"

    call_command("export_directory", str(workbook), "--format", "xlsx", stdout=io.StringIO())

    assert CLEANED in cells(workbook.read_bytes())


def test_the_registrant_list_drops_control_characters():
    event = EventFactory()
    RegistrationFactory(
        event=event, name="Marie\x0bTremblay", organization_name="Coop\x07 Trois-Rivières (Québec)"
    )

    text = b"".join(
        chunk.encode() if isinstance(chunk, str) else chunk
        for chunk in registrants_csv_response(event).streaming_content
    ).decode("utf-8-sig")

    assert "Marie Tremblay" in text
    assert "Coop Trois-Rivières (Québec)" in text
    assert "\x0b" not in text and "\x07" not in text


def test_a_purchase_typed_with_control_characters_is_saved_without_them(client, member):
    response = client.post(reverse("purchases:purchase_create"), {
        "supplier": "TRAITEUR\x0bDU QUARTIER\x00",
        "category": Category.objects.get(slug="traiteur").pk,
        "description": PASTED_FROM_WORD,
        "amount": "12500.00",
        "award_date": timezone.localdate().isoformat(),
        "procurement_method": Purchase.ProcurementMethod.DIRECT,
    })

    assert response.status_code == 302
    purchase = Purchase.objects.get()
    assert purchase.description == CLEANED
    assert purchase.supplier_name == "TRAITEUR DU QUARTIER"


def test_staff_edits_in_the_admin_are_saved_without_control_characters(staff_client):
    response = staff_client.post(reverse("admin:enterprises_sector_add"), {
        "name": "Agroalimentaire\x0bet\x00 restauration", "name_en": "Food\x0bservices",
        "slug": "agroalimentaire-et-restauration", "naics_code": "",
    })

    assert response.status_code == 302
    sector = Sector.objects.get(slug="agroalimentaire-et-restauration")
    assert (sector.name, sector.name_en) == ("Agroalimentaire et restauration", "Food services")


def posted(data, view=None):
    request = RequestFactory().post("/", data)
    PrintableFormDataMiddleware(lambda request: None).process_view(
        request, view or (lambda request: None), (), {}
    )
    return request


def test_tabs_and_line_breaks_are_kept():
    request = posted({"description": "Ligne 1\r\nLigne 2\tsuite", "tags": ["a\x00", "b"]})

    assert request.POST["description"] == "Ligne 1\r\nLigne 2\tsuite"
    assert request.POST.getlist("tags") == ["a", "b"]


def test_a_view_exempt_from_the_csrf_check_reads_its_own_body():
    request = posted({"description": "a\x0bb"}, view=csrf_exempt(lambda request: None))

    assert request.POST["description"] == "a\x0bb"
