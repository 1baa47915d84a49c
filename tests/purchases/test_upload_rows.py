"""A member fixes a bulk upload alone: every problem of every row, in the member's language, with
the spreadsheet's own row number and column header, the value and how to write it; templates in
the member's language with a legend and drop-down lists; a checked file saved without choosing
it again, its very large amounts only once the member confirms them."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from enterprises.models import Category
from purchases.models import Purchase
from tests.factories import EnterpriseFactory, MembershipFactory, PurchaseFactory

pytestmark = pytest.mark.django_db

FRENCH_HEADER = (
    "NEQ du fournisseur;Nom du fournisseur;Produit ou service;Description;"
    "Montant avant taxes ($);Date d'attribution;Mode d'attribution;Région de livraison;"
    "Peut être publié\r\n"
)


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()


@pytest.fixture
def member(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    return membership


def url(name, language="fr"):
    with translation.override(language):
        return reverse(f"purchases:{name}")


def send(client, content, name="achats.csv", dry_run=True, language="fr"):
    data = {"file": SimpleUploadedFile(name, content if isinstance(content, bytes)
                                       else content.encode("utf-8"))}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(url("purchase_upload", language), data)


def errors_of(response):
    return [(error["row"], error["column"], error["value"], error["message"])
            for error in response.context["outcome"]["errors"]]


def test_every_problem_of_every_row_is_listed_with_row_column_value_and_fix(client, member):
    content = FRENCH_HEADER + (
        "123;;Traiteur;Repas;12,500;14/06/2026;gré à gré;99;peut-être\r\n"
        ";Coop A;Traiteur;Repas;1 200,50;2026-01-10;par magie;Montréal;oui\r\n"
    )
    errors = errors_of(send(client, content))
    by_cell = {(row, column): (value, message) for row, column, value, message in errors}

    assert set(by_cell) == {
        (2, "NEQ du fournisseur"), (2, "Montant avant taxes ($)"), (2, "Date d'attribution"),
        (2, "Région de livraison"), (2, "Peut être publié"), (3, "Mode d'attribution"),
    }
    assert by_cell[2, "NEQ du fournisseur"] == (
        "123", "Un numéro d'entreprise du Québec (NEQ) compte exactement 10 chiffres.")
    assert by_cell[2, "Montant avant taxes ($)"] == (
        "12,500", "«\u00a012,500\u00a0» peut se lire comme 12\u00a0500,00 ou comme 12,50\u00a0: "
        "écrivez celui que vous voulez dire, tel qu’il est présenté ici.")
    assert by_cell[2, "Date d'attribution"] == (
        "14/06/2026", "Écrivez la date sous la forme année-mois-jour\u00a0: 2026-06-14.")
    assert "06 pour Montréal" in by_cell[2, "Région de livraison"][1]
    assert by_cell[2, "Peut être publié"][1] == "Écrivez «\u00a0oui\u00a0» ou «\u00a0non\u00a0»."
    assert "«\u00a0Contrat de gré à gré\u00a0»" in by_cell[3, "Mode d'attribution"][1]
    assert not Purchase.objects.exists()


def test_the_problems_show_in_a_table_in_the_members_language(client, member):
    content = FRENCH_HEADER + ";Coop A;Traiteur;;12,500;2026-01-10;gré à gré;06;oui\r\n"
    english = send(client, content, language="en").text
    # The message is in the member's language, the readings in the file's.
    assert "could be read as 12\u00a0500,00 or as 12,50" in english
    assert "<td data-label=\"Row\">2</td>" in english
    assert "<code>12,500</code>" in english


def test_labels_and_codes_in_either_language_are_accepted(client, member):
    content = FRENCH_HEADER + (
        ";Coop A;Traiteur;;1 200,50 $;2026-01-10;gré à gré;Montréal;oui\r\n"
        ";Coop B;traiteur;;800;2026-01-11;Direct award;06 – Montréal;yes\r\n"
        ";Coop C;Traiteur;;800;2026-01-12;public_tender;6;0\r\n"
    )
    response = send(client, content, dry_run=False)
    assert response.status_code == 302
    saved = {purchase.supplier_name: purchase for purchase in Purchase.objects.all()}
    assert str(saved["Coop A"].amount) == "1200.50"
    assert saved["Coop A"].procurement_method == Purchase.ProcurementMethod.DIRECT
    assert saved["Coop B"].procurement_method == Purchase.ProcurementMethod.DIRECT
    assert saved["Coop C"].procurement_method == Purchase.ProcurementMethod.PUBLIC_TENDER
    assert {purchase.delivery_region.code for purchase in saved.values()} == {"06"}
    assert [saved[name].consent_to_publish for name in ("Coop A", "Coop B", "Coop C")] == [
        True, True, False]


def test_an_english_file_is_read_in_english_on_a_french_page(client, member):
    content = (
        "Supplier's name,Amount before taxes ($),Award date,Procurement method\r\n"
        'Coop A,"12,500.50",2026-01-10,Invitation to tender\r\n'
    )
    send(client, content, dry_run=False)
    purchase = Purchase.objects.get()
    assert str(purchase.amount) == "12500.50"
    assert purchase.procurement_method == Purchase.ProcurementMethod.INVITATION


def test_unknown_and_missing_columns_are_named(client, member):
    content = "Nom du fournisseur;Montant TTC;Date d'attribution\r\nCoop A;12;2026-01-10\r\n"
    errors = errors_of(send(client, content))
    columns = {column: message for _row, column, _value, message in errors}
    assert "ne fait pas partie du modèle" in columns["Montant TTC"]
    assert "Cette colonne manque" in columns["Montant avant taxes ($)"]
    assert "Cette colonne manque" in columns["Mode d'attribution"]


def test_a_row_rule_is_reported_on_its_column(client, member):
    content = FRENCH_HEADER + ";;Traiteur;;100;2026-01-10;gré à gré;;non\r\n"
    errors = errors_of(send(client, content))
    assert [(row, column) for row, column, _value, _message in errors] == [
        (2, "Nom du fournisseur")]


def test_a_checked_file_is_saved_without_choosing_it_again(client, member):
    content = FRENCH_HEADER + ";Coop A;Traiteur;;100;2026-01-10;gré à gré;;non\r\n"
    page = send(client, content).text
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    assert "Enregistrer cet achat comme brouillon" in page

    response = client.post(url("upload_confirm"), {"token": token})
    assert response.url == url("purchase_list")
    assert Purchase.objects.get().organization == member.organization

    again = client.post(url("upload_confirm"), {"token": token}, follow=True)
    assert "n’est plus conservé" in again.text
    assert Purchase.objects.count() == 1


def test_another_member_cannot_confirm_a_checked_file(client, member):
    content = FRENCH_HEADER + ";Coop A;Traiteur;;100;2026-01-10;gré à gré;;non\r\n"
    token = send(client, content).context["outcome"]["confirm_token"]
    client.force_login(MembershipFactory().user)
    client.post(url("upload_confirm"), {"token": token})
    assert not Purchase.objects.exists()


# Row 2 is small; row 3 falls in the largest contract size of 2026 (from 393 900 $).
LARGE_AMOUNT_FILE = FRENCH_HEADER + (
    ";Coop A;Traiteur;;100;2026-01-10;gré à gré;;non\r\n"
    ";Coop B;Traiteur;;450 000;2026-02-10;gré à gré;;non\r\n"
)


def large_rows(response):
    return [(large["row"], large["supplier"], large["amount"])
            for large in response.context["outcome"]["large_amounts"]]


def token_of(page):
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def test_a_checked_file_saves_its_very_large_amounts_only_with_the_box_ticked(client, member):
    checked = send(client, LARGE_AMOUNT_FILE)
    assert large_rows(checked) == [(3, "Coop B", "450\u00a0000\u00a0$")]
    assert "Assujetti aux accords de libéralisation des marchés" in checked.text
    assert 'name="confirm_large_amounts"' in checked.text

    unticked = client.post(url("upload_confirm"), {"token": token_of(checked.text)})
    assert unticked.status_code == 200
    assert not Purchase.objects.exists()
    assert "Rien n'a été enregistré\u00a0: confirmez d'abord les très gros montants." \
        in unticked.text
    assert large_rows(unticked) == [(3, "Coop B", "450\u00a0000\u00a0$")]

    ticked = client.post(url("upload_confirm"), {"token": token_of(unticked.text),
                                                 "confirm_large_amounts": "on"})
    assert ticked.url == url("purchase_list")
    assert sorted(Purchase.objects.values_list("amount", flat=True)) == [100, 450000]


def test_a_file_saved_without_a_check_stops_at_its_very_large_amounts_too(client, member):
    sent = send(client, LARGE_AMOUNT_FILE, dry_run=False, language="en")

    assert sent.status_code == 200
    assert not Purchase.objects.exists()
    assert "Nothing was saved: confirm the very large amounts first." in sent.text
    assert "The amount of the row below is unusually large" in sent.text
    assert "In the largest contract size" in sent.text
    assert large_rows(sent) == [(3, "Coop B", "$450,000")]
    ticked = client.post(url("upload_confirm", "en"), {"token": token_of(sent.text),
                                                       "confirm_large_amounts": "on"})
    assert ticked.url == url("purchase_list", "en")
    assert Purchase.objects.count() == 2


def test_an_amount_far_above_the_usual_purchase_is_confirmed_in_a_file_too(client, member):
    # The organization's usual purchase is 1 000 $: 20 times that is 20 000 $.
    for amount in (500, 800, 1000, 1200, 1500):
        PurchaseFactory(organization=member.organization, amount=Decimal(amount))
    content = FRENCH_HEADER + (
        ";Coop A;Traiteur;;20 000;2026-01-10;gré à gré;;non\r\n"
        ";Coop B;Traiteur;;25 000;2026-02-10;gré à gré;;non\r\n"
    )

    sent = send(client, content, dry_run=False, language="en")

    assert not Purchase.objects.filter(amount__gte=20000).exists()
    assert large_rows(sent) == [(3, "Coop B", "$25,000")]
    assert sent.context["outcome"]["large_amounts"][0]["reasons"] == [
        "More than 20 times your organization's usual purchase ($1,000)"
    ]
    assert "Why it is asked" in sent.text
    assert 'name="confirm_large_amounts"' in sent.text
    ticked = client.post(url("upload_confirm", "en"), {"token": token_of(sent.text),
                                                       "confirm_large_amounts": "on"})
    assert ticked.url == url("purchase_list", "en")
    assert Purchase.objects.filter(amount__gte=20000).count() == 2


def test_the_threshold_is_the_one_in_force_on_each_award_date(client, member):
    content = FRENCH_HEADER + (
        # 2025: the 2024 thresholds (from 353 300 $); 2026: from 393 900 $.
        ";Coop A;Traiteur;;360 000;2025-06-10;gré à gré;;non\r\n"
        ";Coop B;Traiteur;;360 000;2026-06-10;gré à gré;;non\r\n"
        ";Coop C;Traiteur;;393 899,99;2026-06-10;gré à gré;;non\r\n"
    )
    checked = send(client, content)

    assert large_rows(checked) == [(2, "Coop A", "360\u00a0000\u00a0$")]


def test_a_file_without_large_amounts_asks_for_no_tick(client, member):
    content = FRENCH_HEADER + ";Coop A;Traiteur;;100;2026-01-10;gré à gré;;non\r\n"
    checked = send(client, content)

    assert large_rows(checked) == []
    assert "confirm_large_amounts" not in checked.text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_excel_template_has_a_legend_drop_downs_and_a_sample_row_that_passes(
    client, member, language
):
    EnterpriseFactory(neq="1140000000")
    response = client.get(url("upload_template", language), {"format": "xlsx"})
    assert response["Content-Disposition"].endswith(
        '"modele-achats.xlsx"' if language == "fr" else '"purchases-template.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = {"fr": ["Achats", "Légende", "Listes"], "en": ["Purchases", "Legend", "Lists"]}
    assert workbook.sheetnames == names[language]
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[4] == {"fr": "Montant avant taxes ($)", "en": "Amount before taxes ($)"}[
        language]
    validated = {str(validation.sqref).split(":")[0]
                 for validation in sheet.data_validations.dataValidation}
    # Category, procurement method, region and yes/no each offer their list.
    assert validated == {"C2", "I2", "K2", "L2"}
    legend = workbook.worksheets[1]
    assert legend.max_row == len(headers) + 1
    lists = workbook.worksheets[2]
    methods = [cell.value for cell in lists["B"][1:] if cell.value]
    assert methods == {"fr": ["Contrat de gré à gré", "Appel d'offres sur invitation",
                              "Appel d'offres public"],
                       "en": ["Direct award", "Invitation to tender", "Public tender"]}[language]

    upload = io.BytesIO()
    workbook.save(upload)
    outcome = send(client, upload.getvalue(), name="modele.xlsx").context["outcome"]
    assert (outcome["failed"], outcome["count"], outcome["errors"]) == (False, 1, [])


@pytest.mark.parametrize(("language", "header"), [
    ("fr", "NEQ du fournisseur,Nom du fournisseur,Produit ou service"),
    ("en", "Supplier's NEQ,Supplier's name,Product or service"),
])
def test_the_csv_template_has_headers_in_the_members_language(client, member, language, header):
    response = client.get(url("upload_template", language), {"format": "csv"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith(header)
    assert len(lines) == 2


def test_categories_are_found_by_their_english_name_too(client, member):
    category = Category.objects.get(slug="traiteur")
    content = FRENCH_HEADER + f";Coop A;{category.name_en or category.name};;100;2026-01-10;" \
        "gré à gré;;non\r\n"
    send(client, content, dry_run=False)
    assert Purchase.objects.get().category == category
