"""Purchases in and out of spreadsheets: the bulk upload, its template, and the export.

The upload reads the file with the directory import's read stage (`enterprises.imports.read`),
then validates and saves the rows with django-import-export, in one transaction: a dry run shows
the row errors and saves nothing, and a real run saves every row or, at the first error, none.
"""

import tablib
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from enterprises import exports
from enterprises.exports import inert
from enterprises.imports.read import Limits, open_table
from enterprises.models import Category, Enterprise, Region

from .models import Purchase
from .summaries import recount_once

TEMPLATE_EXAMPLE = {
    "supplier_neq": "1140000000",
    "supplier_name": "",
    "category": "traiteur",
    "description": "Service de traiteur pour l'assemblée annuelle",
    "amount": "12500.00",
    "award_date": "2025-03-14",
    "contract_start": "2025-04-01",
    "contract_end": "2025-04-01",
    "procurement_method": "direct",
    "preferential_margin_percent": "",
    "delivery_region": "06",
    "consent_to_publish": "1",
}


class EnterpriseByNeqWidget(widgets.ForeignKeyWidget):
    """A published enterprise of the directory, found by its NEQ; an empty cell is no link."""

    def __init__(self):
        super().__init__(Enterprise, "neq")

    def get_queryset(self, value, row, *args, **kwargs):
        return Enterprise.objects.published()

    def clean(self, value, row=None, **kwargs):
        if not str(value or "").strip():
            return None
        try:
            return super().clean(str(value).strip(), row, **kwargs)
        except Enterprise.DoesNotExist:
            raise ValueError(
                _("No published enterprise has the NEQ %(neq)s: leave it empty and type the "
                  "supplier's name instead.") % {"neq": value}
            ) from None


class PurchaseImportResource(resources.ModelResource):
    """One purchase per row; every row becomes a draft of the uploading member's organization."""

    enterprise = fields.Field(
        attribute="enterprise", column_name="supplier_neq", widget=EnterpriseByNeqWidget()
    )
    category = fields.Field(
        attribute="category", column_name="category",
        widget=widgets.ForeignKeyWidget(Category, "slug"),
    )
    delivery_region = fields.Field(
        attribute="delivery_region", column_name="delivery_region",
        widget=widgets.ForeignKeyWidget(Region, "code"),
    )

    class Meta:
        model = Purchase
        fields = list(TEMPLATE_EXAMPLE)
        force_init_instance = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, membership):
        super().__init__()
        self.membership = membership

    def before_save_instance(self, instance, row, **kwargs):
        instance.organization = self.membership.organization
        instance.recorded_by = self.membership.user
        instance.status = Purchase.Status.DRAFT

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.organization = self.membership.organization


def read_dataset(binary, file_name):
    """The uploaded file as a tablib Dataset, through the directory import's reader, within
    the limits set for members' uploads."""
    table = open_table(binary, file_name, limits=Limits.for_members())
    headers = [header.strip() for header in table.headers]
    dataset = tablib.Dataset(headers=headers)
    for _line, cells in table.rows:
        dataset.append((cells + [""] * len(headers))[: len(headers)])
    return dataset


def import_purchases(membership, binary, file_name, dry_run):
    """Validate (and unless `dry_run`, save) the file's purchases; returns the import result."""
    dataset = read_dataset(binary, file_name)
    with recount_once():
        return PurchaseImportResource(membership).import_data(
            dataset, dry_run=dry_run, use_transactions=True, raise_errors=False,
            rollback_on_validation_errors=True,
        )


# An upload's outcome keeps this many problems: enough to fix a file, small enough to store.
MAX_REPORTED_ERRORS = 200


def outcome(result, dry_run):
    """What the member sees of an import: plain data, so a background job can store it."""
    errors = [str(error.error) for error in result.base_errors]
    for line, row_errors in result.row_errors():
        errors.extend(f"{row_label(line)} {error.error}" for error in row_errors)
    for row in result.invalid_rows:
        details = " ".join(f"{field} — {' '.join(messages)}"
                           for field, messages in row.error_dict.items())
        errors.append(f"{row_label(row.number)} {details}")
    return {
        "failed": bool(errors) or result.has_errors() or result.has_validation_errors(),
        "dry_run": dry_run,
        "count": result.totals["new"],
        "errors": errors[:MAX_REPORTED_ERRORS],
        "more_errors": max(0, len(errors) - MAX_REPORTED_ERRORS),
    }


def refusal(message, dry_run):
    """The outcome of a file that could not be read at all."""
    return {"failed": True, "dry_run": dry_run, "count": 0, "errors": [str(message)],
            "more_errors": 0}


def row_label(line):
    return _("Row %(line)s:") % {"line": line}


def template_rows():
    yield list(TEMPLATE_EXAMPLE)
    yield list(TEMPLATE_EXAMPLE.values())


EXPORT_COLUMNS = [
    (_("Number"), lambda purchase: purchase.pk),
    (_("Status"), lambda purchase: purchase.get_status_display()),
    (_("Supplier"), lambda purchase: purchase.supplier_display),
    (_("NEQ"), lambda purchase: purchase.enterprise.neq if purchase.enterprise_id else ""),
    (_("In the directory"), lambda purchase: purchase.enterprise_id is not None),
    (_("Category"), lambda purchase: str(purchase.category or "")),
    (_("Description"), lambda purchase: purchase.description),
    (_("Amount (CAD)"), lambda purchase: purchase.amount),
    (_("Contract size"), lambda purchase: purchase.get_contract_size_bracket_display()),
    (_("Award date"), lambda purchase: purchase.award_date),
    (_("Contract start"), lambda purchase: purchase.contract_start),
    (_("Contract end"), lambda purchase: purchase.contract_end),
    (_("Procurement method"), lambda purchase: purchase.get_procurement_method_display()),
    (_("Preferential margin (%)"), lambda purchase: purchase.preferential_margin_percent),
    (_("Region of delivery"), lambda purchase: str(purchase.delivery_region or "")),
    (_("May be published"), lambda purchase: purchase.consent_to_publish),
    (_("Reason for rejection"), lambda purchase: purchase.rejection_reason),
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
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"
