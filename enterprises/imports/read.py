"""Stage 1: turn an uploaded file (CSV, XLSX or JSON) into a header and a stream of rows.

Rows are streamed, never held twice: CSV is decoded on the fly once its encoding is known,
XLSX is read with openpyxl's read-only mode (which parses through defusedxml when installed).
"""

import codecs
import csv
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext_lazy as _

SNIFF_BYTES = 64 * 1024
HEADER_SEARCH_ROWS = 10
DELIMITERS = ",;\t"


class UnreadableFile(Exception):
    """The file as a whole cannot be read: nothing from it can be applied."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    headers: list
    rows: object  # iterator of (line number, list of cell strings)
    description: str = ""


def detect_encoding(binary):
    """UTF-8 (with or without BOM) when the whole file decodes as such, else Windows-1252,
    else Latin-1. Scans the stream without keeping it, then rewinds."""
    binary.seek(0)
    start = binary.read(len(codecs.BOM_UTF8))
    if start == codecs.BOM_UTF8:
        binary.seek(0)
        return "utf-8-sig"
    binary.seek(0)
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := binary.read(SNIFF_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            binary.seek(0)
            continue
        binary.seek(0)
        return encoding
    binary.seek(0)
    return "latin-1"


def sniff_delimiter(sample):
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first_line = sample.splitlines()[0] if sample else ""
        return max(DELIMITERS, key=first_line.count)


def read_csv(binary):
    encoding = detect_encoding(binary)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    sample = text.read(SNIFF_BYTES)
    text.seek(0)
    if not sample.strip():
        raise UnreadableFile(_("The file is empty."))
    reader = csv.reader(text, delimiter=sniff_delimiter(sample))
    headers = next(reader, [])

    def rows():
        for values in reader:
            if any(value.strip() for value in values):
                yield reader.line_num, values

    return Table(headers, rows(), f"CSV, {encoding}")


def check_xlsx_size(binary):
    """Refuse a workbook whose unpacked size is out of proportion (a zip bomb) before parsing."""
    limit = getattr(settings, "MAX_XLSX_UNPACKED_BYTES", 20 * settings.MAX_UPLOAD_BYTES)
    try:
        with zipfile.ZipFile(binary) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UnreadableFile(_("This is not a valid Excel (.xlsx) file.")) from None
    if unpacked > limit:
        raise UnreadableFile(_("This spreadsheet is too large once unpacked."))
    binary.seek(0)


def read_xlsx(binary, sheet_name="", known_header=None):
    import openpyxl

    check_xlsx_size(binary)
    try:
        workbook = openpyxl.load_workbook(binary, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(_("This Excel file cannot be read: %s") % error) from None
    if sheet_name:
        if sheet_name not in workbook.sheetnames:
            raise UnreadableFile(
                _("The workbook has no sheet named « %(name)s » (sheets: %(sheets)s).")
                % {"name": sheet_name, "sheets": ", ".join(workbook.sheetnames)}
            )
        sheet = workbook[sheet_name]
    else:
        sheet = workbook.worksheets[0]
    cells = (
        (number, ["" if value is None else str(value) for value in values])
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
    )
    # A title row (or a few) may sit above the header: take the first row that looks like one.
    skipped = []
    for number, values in cells:
        filled = [value for value in values if value.strip()]
        is_header = known_header(values) if known_header else len(filled) >= 2
        if is_header:
            headers = values
            break
        skipped.append(number)
        if len(skipped) >= HEADER_SEARCH_ROWS:
            raise UnreadableFile(_("No header row was found in the first rows of the sheet."))
    else:
        raise UnreadableFile(_("The sheet is empty."))

    def rows():
        for number, values in cells:
            if any(value.strip() for value in values):
                yield number, values
        workbook.close()

    return Table(headers, rows(), f"XLSX, {sheet.title}")


def find_records(data):
    """The list of records: the document itself, or the first list of objects it holds."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, list) and all(isinstance(item, dict) for item in value[:10]):
                return value
    raise UnreadableFile(_("The JSON file holds no list of records."))


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return " | ".join(cell_text(item) for item in value)
    return str(value)


def read_json(binary):
    text = io.TextIOWrapper(binary, encoding=detect_encoding(binary))
    try:
        data = json.load(text)
    except ValueError as error:
        raise UnreadableFile(_("This JSON file cannot be read: %s") % error) from None
    finally:
        text.detach()
    records = [record for record in find_records(data) if isinstance(record, dict)]
    headers = list(dict.fromkeys(key for record in records for key in record))

    def rows():
        for number, record in enumerate(records, start=1):
            yield number, [cell_text(record.get(header)) for header in headers]

    return Table(headers, rows(), "JSON")


def open_table(binary, file_name, sheet_name="", known_header=None):
    """Read a seekable binary file; the format comes from the name, then the content."""
    suffix = PurePath(file_name).suffix.lower()
    binary.seek(0)
    head = binary.read(4)
    binary.seek(0)
    if suffix in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):
        return read_xlsx(binary, sheet_name, known_header)
    if suffix == ".json" or head.lstrip(codecs.BOM_UTF8).lstrip()[:1] in (b"[", b"{"):
        return read_json(binary)
    if suffix == ".xls":
        raise UnreadableFile(_("Old Excel files (.xls) are not supported: save as .xlsx or CSV."))
    return read_csv(binary)
