"""Download of the listing's current result set as CSV or XLSX, in the canonical format.

CSV is streamed row by row; XLSX is written with openpyxl's write-only mode into a temporary
file, so neither holds the whole export in memory. Every text cell that a spreadsheet could
read as a formula is made inert (django-import-export only escapes a leading ``=``); the
canonical resource drops that prefix again on import. Both writers drop the control characters
that XLSX refuses (a vertical tab pasted from Word), whatever the export.
"""

import csv
import tempfile

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from openpyxl import Workbook

from .filters import EnterpriseFilterSet
from .models import Enterprise
from .resources import EnterpriseResource, inert
from .validators import strip_control_characters

# Rows written per chunk of the CSV stream.
CSV_CHUNK_ROWS = 500
DIRECTORY_SHEET = _("Enterprises")


def export_rows(queryset, **render_options):
    """The header row, then one row per enterprise, every cell made inert."""
    resource = EnterpriseResource()
    yield [inert(header) for header in resource.get_export_headers()]
    for row in resource.export_rows(queryset, **render_options):
        yield [inert(cell) for cell in row]


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


def xlsx_file(rows, title=DIRECTORY_SHEET):
    """An open temporary file holding the rows as a one-sheet XLSX workbook."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(title))
    for row in rows:
        sheet.append(printable(row))
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    return output


def csv_response(queryset, filename):
    response = StreamingHttpResponse(
        csv_chunks(export_rows(queryset)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(queryset, filename):
    return FileResponse(
        xlsx_file(export_rows(queryset, force_native_type=True)),
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


class EnterpriseExportView(View):
    """``?format=csv|xlsx`` plus the listing's filters; published enterprises only, at most
    ``EXPORT_MAX_ROWS`` of them (the X-Export-Truncated header says when rows were left out)."""

    responses = {"csv": csv_response, "xlsx": xlsx_response}

    def get(self, request):
        export_format = request.GET.get("format", "csv")
        if export_format not in self.responses:
            return HttpResponse(
                _("Choose an export format: csv or xlsx."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        # Like the listing, an invalid filter value is left out: the export holds what the
        # listing showed.
        results = EnterpriseFilterSet(request.GET, queryset=Enterprise.objects.published()).qs
        limit = settings.EXPORT_MAX_ROWS
        filename = f"entreprises-economie-sociale-{timezone.localdate():%Y-%m-%d}.{export_format}"
        response = self.responses[export_format](results[:limit], filename)
        response["X-Export-Row-Limit"] = str(limit)
        response["X-Export-Truncated"] = "true" if results.count() > limit else "false"
        return response
