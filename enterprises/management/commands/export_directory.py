"""``manage.py export_directory --format csv|xlsx|json FILE``: the whole directory in the
canonical format (``docs/import-format.md``), which ``import_directory`` reads back unchanged."""

import json
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand

from enterprises.exports import csv_chunks, export_rows, xlsx_file
from enterprises.models import Enterprise
from enterprises.resources import EnterpriseResource


def json_records(queryset):
    """Plain values (JSON is not opened by spreadsheets, so no formula escaping)."""
    resource = EnterpriseResource()
    headers = resource.get_export_headers()
    for enterprise in resource.iter_queryset(queryset):
        yield dict(zip(headers, resource.export_resource(enterprise), strict=True))


class Command(BaseCommand):
    help = "Export every enterprise in the canonical import format."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")

    def handle(self, *args, file, format, **options):
        queryset = Enterprise.objects.order_by("pk")
        if format == "csv":
            with file.open("w", encoding="utf-8", newline="") as output:
                output.writelines(csv_chunks(export_rows(queryset)))
        elif format == "xlsx":
            with xlsx_file(export_rows(queryset, force_native_type=True)) as workbook, \
                    file.open("wb") as output:
                shutil.copyfileobj(workbook, output)
        else:
            with file.open("w", encoding="utf-8") as output:
                output.write("[\n")
                for number, record in enumerate(json_records(queryset)):
                    output.write((",\n" if number else "") + json.dumps(record, ensure_ascii=False))
                output.write("\n]\n")
        self.stdout.write(f"{queryset.count()} enterprises written to {file}.")
