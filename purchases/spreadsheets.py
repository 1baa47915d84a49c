"""Purchases in and out of spreadsheets: the bulk upload, its templates, and the export.

The upload reads the file with the directory import's read stage (`enterprises.imports.read`),
reads every cell with its column's reader (`columns.py`) and reports every problem of every row
at once, with the spreadsheet's own row number and column header, the value and how to write it.
Only a file without a single problem is saved, in one transaction, and only once the member
has confirmed its unusually large amounts, as the single purchase form asks.
"""

import tempfile

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from enterprises import exports
from enterprises.exports import inert
from enterprises.formatting import format_money
from enterprises.imports.read import Limits, open_table
from enterprises.models import Category, Region
from enterprises.validators import fold

from .columns import (
    COLUMNS,
    COLUMNS_BY_ATTRIBUTE,
    Lookups,
    file_language,
    in_language,
    match_headers,
    quoted,
    sample_row,
    template_headers,
)
from .models import (
    UNUSUAL_MULTIPLE,
    ContractSizeBracket,
    ContractSizeThreshold,
    MemberOrganization,
    Purchase,
)
from .summaries import recount_once

# An upload's outcome keeps this many problems: enough to fix a file, small enough to store.
MAX_REPORTED_ERRORS = 200
# Rows of the Excel template that offer the drop-down lists.
TEMPLATE_ROWS = 1000
# The columns a file cannot do without; the supplier needs its NEQ or its name.
REQUIRED_ATTRIBUTES = [column.attribute for column in COLUMNS if column.required]
SUPPLIER_ATTRIBUTES = {"enterprise", "supplier_name"}
# Fields the member never writes: model validation leaves them out.
NOT_FROM_THE_FILE = ["organization", "recorded_by", "contract_size_bracket", "status",
                     "rejection_reason", "public_id"]


class Report:
    """Every problem found in a file, and what it would save: plain data, so that a background
    job can store it as its result."""

    def __init__(self, dry_run, language):
        self.dry_run, self.language = dry_run, language
        self.errors, self.count = [], 0
        self.large_amounts, self.unconfirmed = [], False

    def add(self, row, column, value, error):
        for message in getattr(error, "messages", [str(error)]):
            self.errors.append({"row": row, "column": str(column),
                                "value": str(value)[:80], "message": str(message)})

    def outcome(self):
        return {
            "failed": bool(self.errors),
            "dry_run": self.dry_run,
            "count": self.count,
            "language": self.language,
            "errors": self.errors[:MAX_REPORTED_ERRORS],
            "more_errors": max(0, len(self.errors) - MAX_REPORTED_ERRORS),
            "large_amounts": self.large_amounts,
            "unconfirmed": self.unconfirmed,
        }


def import_purchases(membership, binary, file_name, dry_run, language=None,
                     amounts_confirmed=False):
    """Check every cell of the file and, unless a dry run or a problem was found, save its rows
    as drafts of the member's organization. Returns the outcome (see `Report.outcome`).

    Rows whose amount the purchase form would ask to confirm (``large_amounts``) are listed in
    the outcome; without ``amounts_confirmed`` they stop the saving (``unconfirmed``).

    Amounts and labels are read in the language of the file's headers, else in `language`
    (the page's by default)."""
    table = open_table(binary, file_name, limits=Limits.for_members())
    headers = [header.strip() for header in table.headers]
    language = file_language(headers, (language or translation.get_language() or "fr")[:2])
    # Read to the end first: a file cut short is refused whole, before its columns are judged.
    rows = [(line, (cells + [""] * len(headers))[: len(headers)]) for line, cells in table.rows]
    report = Report(dry_run, language)
    columns = match_headers(headers)
    check_headers(headers, columns, report)
    if report.errors:
        return report.outcome()
    lookups = Lookups(language)
    neq_position = next((index for index, column in enumerate(columns)
                         if column and column.attribute == "enterprise"), None)
    if neq_position is not None:
        lookups.load_enterprises(cells[neq_position] for _line, cells in rows)
    read = [(line, read_row(line, cells, headers, columns, lookups, report, membership))
            for line, cells in rows if any(cell.strip() for cell in cells)]
    purchases = [purchase for _line, purchase in read]
    report.count = len(purchases)
    if report.errors:
        return report.outcome()
    report.large_amounts = large_amounts(read, membership.organization)
    report.unconfirmed = bool(report.large_amounts) and not amounts_confirmed and not dry_run
    if not dry_run and not report.unconfirmed:
        with transaction.atomic(), recount_once():
            for purchase in purchases:
                purchase.save()
    return report.outcome()


def large_amounts(read, organization):
    """The rows (``(line, purchase)``) whose amount the single purchase form would ask to
    confirm too (a slipped decimal mark costs a zero or two): in the largest contract size of
    the thresholds in force on their award date, or more than ``UNUSUAL_MULTIPLE`` times the
    organization's usual purchase. Their row, supplier, amount, size and why. Three queries."""
    thresholds = list(ContractSizeThreshold.objects.order_by("effective_from"))
    usual = Purchase.objects.for_organization(organization).usual_amount()
    found = []
    for line, purchase in read:
        # As ``in_force_on``: the latest row in force on the day, or else the first one.
        in_force = next((row for row in reversed(thresholds)
                         if row.effective_from <= purchase.award_date),
                        thresholds[0] if thresholds else None)
        reasons = []
        if in_force is not None and purchase.amount >= in_force.largest_bracket_floor():
            reasons.append(_("In the largest contract size"))
        if usual and purchase.amount > UNUSUAL_MULTIPLE * usual:
            reasons.append(_("More than %(multiple)s times your organization's usual purchase "
                             "(%(median)s)") % {"multiple": UNUSUAL_MULTIPLE,
                                                "median": format_money(usual)})
        if reasons:
            found.append({
                "row": line,
                "supplier": purchase.enterprise.name if purchase.enterprise_id
                else purchase.supplier_name,
                "amount": format_money(purchase.amount),
                "bracket": str(in_force.bracket_for(purchase.amount).label) if in_force else "",
                "reasons": [str(reason) for reason in reasons],
            })
    return found


def check_headers(headers, columns, report):
    """Unknown, repeated and missing columns: the rows cannot be read before they are fixed."""
    known = ", ".join(quoted(header) for header in template_headers(report.language))
    seen = set()
    for header, column in zip(headers, columns, strict=True):
        if column is None:
            report.add(None, header, "", _(
                "This column is not one of the template's: rename it as in the template or "
                "delete it. The template's columns: %(columns)s."
            ) % {"columns": known})
        elif column.attribute in seen:
            report.add(None, header, "", _("This column appears twice: keep only one."))
        else:
            seen.add(column.attribute)
    for attribute in REQUIRED_ATTRIBUTES:
        if attribute not in seen:
            missing = in_language(report.language, COLUMNS_BY_ATTRIBUTE[attribute].header)
            report.add(None, missing, "", _("This column is missing: add it, as in the template."))
    if not SUPPLIER_ATTRIBUTES & seen:
        report.add(None, in_language(report.language, COLUMNS_BY_ATTRIBUTE["supplier_name"].header),
                   "", _("This column is missing: add it, as in the template."))


def read_row(line, cells, headers, columns, lookups, report, membership):
    """The row's purchase (unsaved); its problems go to the report."""
    values, failed = {}, set()
    header_of = {}
    for header, column, cell in zip(headers, columns, cells, strict=True):
        header_of[column.attribute] = header
        if column.required and not cell.strip():
            report.add(line, header, cell, ValidationError(
                _("This cell is required: %(hint)s") % {"hint": column.hint}
            ))
            failed.add(column.attribute)
            continue
        try:
            values[column.attribute] = column.read(cell, lookups)
        except ValidationError as error:
            report.add(line, header, cell, error)
            failed.add(column.attribute)
    purchase = Purchase(
        organization=membership.organization, recorded_by=membership.user,
        status=Purchase.Status.DRAFT,
        **{attribute: value for attribute, value in values.items() if value is not None},
    )
    try:
        purchase.full_clean(exclude=[*failed, *NOT_FROM_THE_FILE], validate_unique=False,
                            validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            if field in failed or (field in (NON_FIELD_ERRORS, "enterprise")
                                   and failed & SUPPLIER_ATTRIBUTES):
                continue  # already reported from the cell itself
            attribute = "supplier_name" if field in (NON_FIELD_ERRORS, "enterprise") \
                and "supplier_name" in header_of else field
            header = header_of.get(attribute) or header_of.get("supplier_neq", "")
            cell = cells[headers.index(header)] if header in headers else ""
            for message in messages:
                report.add(line, header, cell, ValidationError(message))
    return purchase


def refusal(message, dry_run):
    """The outcome of a file that could not be read at all."""
    return {"failed": True, "refused": True, "dry_run": dry_run, "count": 0, "language": "",
            "errors": [{"row": None, "column": "", "value": "", "message": str(message)}],
            "more_errors": 0}


def template_rows(language):
    """The CSV template: the headers in the member's language, then a sample row."""
    yield template_headers(language)
    yield sample_row(language)


def template_workbook(language):
    """The Excel template, an open temporary file: the purchases sheet (headers, a sample row,
    a drop-down list on every coded column), its legend, and the lists themselves."""
    with translation.override(language):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Purchases")
        lists = workbook.create_sheet(_("Lists"))
        legend = workbook.create_sheet(_("Legend"), index=1)
        sheet.append(template_headers(language))
        sheet.append([inert(value) for value in sample_row(language)])
        sheet.freeze_panes = "A2"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        legend.append([_("Column"), _("Required"), _("How to write it"), _("Example")])
        for cell in legend[1]:
            cell.font = Font(bold=True)
        for number, column in enumerate(COLUMNS, start=1):
            letter = get_column_letter(number)
            sheet.column_dimensions[letter].width = 24
            required = column.required or column.attribute == "supplier_name"
            legend.append([str(column.header), _("yes") if required else _("no"),
                           str(column.hint), column.sample(language) if column.sample else ""])
            if column.labels:
                add_drop_down(sheet, lists, column, letter, language)
        for letter, width in zip("ABCD", (28, 10, 80, 24), strict=True):
            legend.column_dimensions[letter].width = width
        output = tempfile.TemporaryFile()
        workbook.save(output)
    output.seek(0)
    return output


def add_drop_down(sheet, lists, column, letter, language):
    """The column's values listed on the lists sheet, offered on the purchases sheet."""
    labels = column.labels(language)
    list_column = get_column_letter(lists.max_column + 1 if lists.max_row > 1 else 1)
    lists[f"{list_column}1"] = str(column.header)
    lists[f"{list_column}1"].font = Font(bold=True)
    for row, label in enumerate(labels, start=2):
        lists[f"{list_column}{row}"] = inert(label)
    lists.column_dimensions[list_column].width = 30
    validation = DataValidation(
        type="list", formula1=f"'{lists.title}'!${list_column}$2:${list_column}${len(labels) + 1}",
        allow_blank=not column.required, showErrorMessage=True,
        errorTitle=str(column.header), error=str(column.hint),
    )
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")


def template_filename(language, extension):
    stem = in_language(language, gettext_lazy("purchases-template"))
    return f"{fold(stem).replace(' ', '-')}.{extension}"


EXPORT_COLUMNS = [
    (gettext_lazy("Number"), lambda purchase: purchase.pk),
    (gettext_lazy("Status"), lambda purchase: purchase.get_status_display()),
    (gettext_lazy("Supplier"), lambda purchase: purchase.supplier_display),
    (gettext_lazy("NEQ"),
     lambda purchase: purchase.enterprise.neq if purchase.enterprise_id else ""),
    (gettext_lazy("In the directory"), lambda purchase: purchase.enterprise_id is not None),
    (gettext_lazy("Category"), lambda purchase: str(purchase.category or "")),
    (gettext_lazy("Description"), lambda purchase: purchase.description),
    (gettext_lazy("Amount (CAD)"), lambda purchase: purchase.amount),
    (gettext_lazy("Contract size"), lambda purchase: purchase.get_contract_size_bracket_display()),
    (gettext_lazy("Award date"), lambda purchase: purchase.award_date),
    (gettext_lazy("Contract start"), lambda purchase: purchase.contract_start),
    (gettext_lazy("Contract end"), lambda purchase: purchase.contract_end),
    (gettext_lazy("Procurement method"),
     lambda purchase: purchase.get_procurement_method_display()),
    (gettext_lazy("Preferential margin (%)"),
     lambda purchase: purchase.preferential_margin_percent),
    (gettext_lazy("Region of delivery"), lambda purchase: str(purchase.delivery_region or "")),
    (gettext_lazy("May be published"), lambda purchase: purchase.consent_to_publish),
    (gettext_lazy("Reason for rejection"), lambda purchase: purchase.rejection_reason),
]


def export_rows(purchases):
    """The header, then one row per purchase, every text cell made inert for spreadsheets."""
    yield [str(header) for header, _value in EXPORT_COLUMNS]
    for purchase in purchases.select_related("enterprise", "category", "delivery_region"):
        yield [inert(value(purchase)) for _header, value in EXPORT_COLUMNS]


def xlsx_file(rows, title):
    """An open temporary file holding the rows as a one-sheet workbook, written as the
    directory's export is (control characters dropped)."""
    return exports.xlsx_file(
        ([value if value is not None else "" for value in row] for row in rows), title
    )


def export_filename(stem, extension):
    """``stem`` (a translated word or two) in the page's language, made safe for a file name
    by folding accents and spaces: ``repertoire-achats-2026-12-07.csv``."""
    stem = fold(str(stem)).replace(" ", "-")
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


REPERTORY_COLUMNS = [
    (gettext_lazy("Buyer"), "organization__name"),
    (gettext_lazy("Kind of buyer"), "organization__kind"),
    (gettext_lazy("Buyer's region"), "organization__region__code"),
    (gettext_lazy("Supplier"), "enterprise__name"),
    (gettext_lazy("Supplier outside the directory"), "supplier_name"),
    (gettext_lazy("NEQ"), "enterprise__neq"),
    (gettext_lazy("Category"), "category_id"),
    (gettext_lazy("Amount (CAD)"), "amount"),
    (gettext_lazy("Contract size"), "contract_size_bracket"),
    (gettext_lazy("Award date"), "award_date"),
    (gettext_lazy("Procurement method"), "procurement_method"),
]


def repertory_rows(purchases):
    """The header, then one row per published purchase, with labels in the active language
    where the database holds codes or French names (kinds, regions, categories, sizes, methods).

    The labels are looked up now, not as the rows stream out after the view has returned; the
    regions and categories are each read once (a few hundred rows), not joined into every row.
    """
    labels = {
        "organization__kind": dict(MemberOrganization.Kind.choices),
        "organization__region__code": {region.code: str(region) for region in Region.objects.all()},
        "category_id": {category.pk: category.localized_name
                        for category in Category.objects.only("name", "name_en")},
        "contract_size_bracket": dict(ContractSizeBracket.choices),
        "procurement_method": dict(Purchase.ProcurementMethod.choices),
    }
    labels = {field: {code: str(label) for code, label in by_code.items()}
              for field, by_code in labels.items()}
    header = [str(label) for label, _field in REPERTORY_COLUMNS]
    fields = [field for _label, field in REPERTORY_COLUMNS]
    lookups = [labels.get(field) for field in fields]

    def rows():
        yield header
        for row in purchases.values_list(*fields).iterator(chunk_size=2000):
            yield [inert(by_code.get(value, value) if by_code else value)
                   for by_code, value in zip(lookups, row, strict=True)]

    return rows()
