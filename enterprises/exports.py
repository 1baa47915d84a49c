"""Downloads of the directory: readable for the public, canonical for staff.

The public listing's CSV/XLSX export is written for people: headers in the page's language,
names instead of codes (region, legal form, categories…), each profile's address. The canonical
format (``resources.EnterpriseResource``) stays for ``export_directory`` and the import admin's
download, and is what an import reads back unchanged.

CSV is streamed row by row; XLSX is written with openpyxl's write-only mode into a temporary
file, so neither holds the whole export in memory. Every text cell that a spreadsheet could
read as a formula is made inert (django-import-export only escapes a leading ``=``); the
canonical resource drops that prefix again on import. Both writers drop the control characters
that XLSX refuses (a vertical tab pasted from Word), whatever the export.
"""

import csv
import tempfile

from django.conf import settings
from django.db.models import Prefetch
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views import View
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .filters import EnterpriseFilterSet
from .formatting import collation_key
from .models import Category, Enterprise, Label, Mrc, Region, Sector
from .resources import EnterpriseResource, inert
from .validators import strip_control_characters

# Rows written per chunk of the CSV stream, and enterprises read per query.
CSV_CHUNK_ROWS = 500
DIRECTORY_SHEET = _("Enterprises")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Between the names of one cell: a name may hold a comma (« Arts, culture et communications »).
READABLE_SEPARATOR = "; "


def export_rows(queryset, **render_options):
    """Canonical format: the header row, then one row per enterprise, every cell made inert."""
    resource = EnterpriseResource()
    yield [inert(header) for header in resource.get_export_headers()]
    for row in resource.export_rows(queryset, **render_options):
        yield [inert(cell) for cell in row]


def names(items):
    """The related objects' names in the active language, in its dictionary order."""
    return READABLE_SEPARATOR.join(sorted((item.localized_name for item in items),
                                          key=collation_key))


def mrc_names(mrcs):
    """The MRCs' names in dictionary order: an MRC's name is the same in both languages."""
    return READABLE_SEPARATOR.join(sorted((mrc.name for mrc in mrcs), key=collation_key))


def national_phone(phone):
    """``+1 418-555-0123`` as people of Quebec write it, and no formula for a spreadsheet."""
    return phone.removeprefix("+1 ")


# (header, column width in characters, value of an enterprise); the page's language applies
# when the file is written.
READABLE_COLUMNS = [
    (pgettext_lazy("export column", "Name"), 40, lambda e: e.name),
    (pgettext_lazy("export column", "Profile"), 50, None),  # the page's absolute address
    (pgettext_lazy("export column", "NEQ"), 12, lambda e: e.neq),
    (pgettext_lazy("export column", "Legal form"), 30, lambda e: e.get_legal_form_display()),
    (pgettext_lazy("export column", "Description"), 60, lambda e: e.description),
    (pgettext_lazy("export column", "Categories"), 45, lambda e: names(e.readable_categories)),
    (pgettext_lazy("export column", "Sectors"), 35, lambda e: names(e.readable_sectors)),
    (pgettext_lazy("export column", "Address"), 35, lambda e: e.address),
    (pgettext_lazy("export column", "Municipality"), 25,
     lambda e: e.municipality.name if e.municipality else e.city),
    (pgettext_lazy("export column", "MRC"), 25, lambda e: e.mrc.name if e.mrc else ""),
    (pgettext_lazy("export column", "Region"), 25,
     lambda e: e.region.localized_name if e.region else ""),
    (pgettext_lazy("export column", "Postal code"), 12, lambda e: e.postal_code),
    (pgettext_lazy("export column", "Phone"), 18, lambda e: national_phone(e.phone)),
    (pgettext_lazy("export column", "Email"), 30, lambda e: e.email),
    (pgettext_lazy("export column", "Website"), 35, lambda e: e.website),
    (pgettext_lazy("export column", "Regions served"), 40,
     lambda e: names(e.readable_service_area)),
    (pgettext_lazy("export column", "MRCs served"), 40,
     lambda e: mrc_names(e.readable_mrcs_served)),
    (pgettext_lazy("export column", "Labels"), 30, lambda e: names(e.readable_labels)),
    (pgettext_lazy("export column", "Number of employees"), 24,
     lambda e: e.get_employee_band_display() if e.employee_band else ""),
    (pgettext_lazy("export column", "Year founded"), 12, lambda e: e.year_founded),
    (pgettext_lazy("export column", "Verified on"), 12,
     lambda e: e.verified_on if e.verification_status == Enterprise.Verification.VERIFIED
     else None),
]
READABLE_RELATIONS = {
    "categories": Category, "sectors": Sector, "service_area": Region, "labels": Label,
}


def readable_queryset(queryset):
    """Everything a readable row needs: 1 query for the enterprises and their places, 1 per
    many-to-many column, per chunk of rows."""
    return queryset.select_related("region", "municipality", "mrc").prefetch_related(None) \
        .prefetch_related(*(
            Prefetch(name, queryset=model.objects.only("pk", "name", "name_en"),
                     to_attr=f"readable_{name}")
            for name, model in READABLE_RELATIONS.items()
        ), Prefetch("mrcs_served", queryset=Mrc.objects.only("pk", "name"),
                    to_attr="readable_mrcs_served"))


def readable_rows(queryset, site_url, dates_as_text):
    """The header row in the active language, then one row per enterprise."""
    yield [str(header) for header, _width, _value in READABLE_COLUMNS]
    for enterprise in readable_queryset(queryset).iterator(chunk_size=CSV_CHUNK_ROWS):
        row = [
            site_url + enterprise.get_absolute_url() if value is None else value(enterprise)
            for _header, _width, value in READABLE_COLUMNS
        ]
        if dates_as_text:
            row = ["" if cell is None else cell.isoformat() if hasattr(cell, "isoformat")
                   else cell for cell in row]
        yield row


def in_language(language, rows):
    """The rows, written in ``language``: a streamed response is read after the view returns,
    when the request's language may no longer be active."""
    with translation.override(language):
        yield from rows


def printable(row):
    """The row with control characters removed from its text cells, which are then made inert
    again: removing a leading vertical tab may uncover a formula."""
    return [inert(strip_control_characters(cell)) for cell in row]


class Echo:
    """A file-like object whose write() hands back what it was given, for csv.writer."""

    def write(self, value):
        return value


def csv_chunks(rows):
    """CSV text in chunks of rows, starting with a byte order mark so Excel reads UTF-8."""
    writer = csv.writer(Echo())
    chunk = ["\ufeff"]
    for number, row in enumerate(rows, start=1):
        chunk.append(writer.writerow(printable(row)))
        if number % CSV_CHUNK_ROWS == 0:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)


def xlsx_file(rows, title=DIRECTORY_SHEET, widths=None):
    """An open temporary file holding the rows as a one-sheet XLSX workbook. With ``widths``
    (one per column), the sheet reads as a table: sized columns, a bold header row that stays
    in view, and a filter on every column."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(title))
    if widths:
        # A write-only sheet takes its columns' layout before its first row.
        for number, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = width
        sheet.freeze_panes = "A2"
    count = 0
    for count, row in enumerate(rows, start=1):
        row = printable(row)
        if widths and count == 1:
            row = [WriteOnlyCell(sheet, value=cell) for cell in row]
            for cell in row:
                cell.font = Font(bold=True)
        sheet.append(row)
    if widths and count:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(widths))}{count}"
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    return output


def csv_response(rows, filename):
    response = StreamingHttpResponse(csv_chunks(rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(rows, filename, widths=None):
    return FileResponse(
        xlsx_file(rows, widths=widths), as_attachment=True, filename=filename,
        content_type=XLSX_CONTENT_TYPE,
    )


def canonical_response(queryset, export_format, filename):
    """The canonical format, for staff (the import admin's download)."""
    if export_format == "xlsx":
        return xlsx_response(export_rows(queryset, force_native_type=True), filename)
    return csv_response(export_rows(queryset), filename)


def readable_response(request, queryset, export_format):
    """The readable format in the request's language, named in that language."""
    language = translation.get_language()
    site_url = request.build_absolute_uri("/").rstrip("/")
    filename = "{}-{:%Y-%m-%d}.{}".format(
        pgettext("export file name", "enterprise-directory"), timezone.localdate(),
        export_format,
    )
    if export_format == "xlsx":
        # Written whole before the response starts: the language is still the request's.
        widths = [width for _header, width, _value in READABLE_COLUMNS]
        return xlsx_response(readable_rows(queryset, site_url, dates_as_text=False), filename,
                             widths=widths)
    rows = in_language(language, readable_rows(queryset, site_url, dates_as_text=True))
    return csv_response(rows, filename)


class EnterpriseExportView(View):
    """``?format=csv|xlsx`` plus the listing's filters; published enterprises only, at most
    ``EXPORT_MAX_ROWS`` of them (the X-Export-Truncated header says when rows were left out)."""

    formats = ("csv", "xlsx")

    def get(self, request):
        export_format = request.GET.get("format", "csv")
        if export_format not in self.formats:
            return HttpResponse(
                _("Choose an export format: csv or xlsx."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        # Like the listing, an invalid filter value is left out: the export holds what the
        # listing showed.
        results = EnterpriseFilterSet(request.GET, queryset=Enterprise.objects.published()).qs
        limit = settings.EXPORT_MAX_ROWS
        response = readable_response(request, results[:limit], export_format)
        response["X-Export-Row-Limit"] = str(limit)
        response["X-Export-Truncated"] = "true" if results.count() > limit else "false"
        return response
