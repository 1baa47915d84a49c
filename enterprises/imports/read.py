"""Stage 1: turn an uploaded file (CSV, XLSX or JSON) into a header and a stream of rows.

Every upload is read as if it were hostile: what the reader takes in (rows, columns, cells,
characters, shared strings, unpacked bytes, nesting) is counted against ``Limits`` and reading
stops at the first one exceeded, whatever sizes the file declares. An XLSX is checked part by
part before parsing (sizes read, never trusted; no archive inside, no DTD or entity), then read
by a streaming parser that holds one row of the sheet at a time. A file above a small size is
read in a subprocess with its own CPU, memory and time limits (``sandbox``), so that a file
built to exhaust them fails alone. Cell text comes out without control characters.
"""

import codecs
import csv
import io
import json
import re
import zipfile
import zlib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import PurePath, PurePosixPath
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
from openpyxl.utils.escape import unescape
from openpyxl.utils.exceptions import CellCoordinatesException

from ..validators import strip_control_characters
from . import sandbox

SNIFF_BYTES = 64 * 1024
# csv.Sniffer's patterns backtrack: it only sees the start of the file.
SNIFF_CHARS = 4096
HEADER_SEARCH_ROWS = 10
DELIMITERS = ",;\t"
CHUNK_BYTES = 64 * 1024


class UnreadableFile(Exception):
    """The file as a whole cannot be read: nothing from it can be applied.

    The message is kept untranslated with its parameters, and put in the language active
    when it is shown (a subprocess sends the same two back, see ``sandbox``)."""

    def __init__(self, message, **params):
        super().__init__(message)
        self.template = message
        self.params = params

    @property
    def message(self):
        return str(self.template) % self.params if self.params else str(self.template)

    def __str__(self):
        return self.message


@dataclass(frozen=True)
class Limits:
    """What one file may hold. The defaults fit a network's whole directory; members' purchase
    uploads get tighter ones (``for_members``). Settings can override any of them."""

    rows: int = 300_000
    columns: int = 500
    cells: int = 10_000_000
    cell_chars: int = 32_767  # Excel's own limit for one cell
    text_chars: int = 300_000_000
    line_chars: int = 1_000_000
    shared_strings: int = 2_000_000
    archive_members: int = 500
    unpacked_bytes: int = 400 * 1024 * 1024
    # Unpacked size over packed size, checked past the first megabyte of a part: text XML
    # packs 5 to 30 times, a bomb hundreds or thousands of times.
    ratio: int = 100
    json_depth: int = 32

    @classmethod
    def for_staff(cls):
        defaults = cls(unpacked_bytes=getattr(
            settings, "MAX_XLSX_UNPACKED_BYTES", 20 * settings.MAX_UPLOAD_BYTES
        ))
        return replace(defaults, **getattr(settings, "IMPORT_READ_LIMITS", {}))

    @classmethod
    def for_members(cls):
        defaults = cls(rows=10_000, columns=60, cells=300_000, text_chars=20_000_000,
                       shared_strings=300_000, archive_members=100,
                       unpacked_bytes=50 * 1024 * 1024)
        return replace(defaults, **getattr(settings, "MEMBER_UPLOAD_READ_LIMITS", {}))

    def as_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, values):
        names = {field.name for field in fields(cls)}
        return cls(**{name: value for name, value in values.items() if name in names})


class Budget:
    """Counts the rows, cells and characters read so far against the limits."""

    def __init__(self, limits):
        self.limits = limits
        self.rows = self.cells = self.chars = 0

    def text(self, value, line):
        if len(value) > self.limits.cell_chars:
            raise UnreadableFile(
                _("Line %(line)s: a cell holds more than %(limit)s characters."),
                line=line, limit=self.limits.cell_chars,
            )
        self.chars += len(value)
        if self.chars > self.limits.text_chars:
            raise UnreadableFile(
                _("The file holds more than %(limit)s characters of text: split it into "
                  "smaller files."), limit=self.limits.text_chars,
            )
        return strip_control_characters(value)

    def row(self, values, line):
        """The row's cells cleaned, once they are counted."""
        self.columns(len(values), line)
        self.rows += 1
        if self.rows > self.limits.rows:
            raise UnreadableFile(
                _("The file has more than %(limit)s rows: split it into smaller files."),
                limit=self.limits.rows,
            )
        self.cells += len(values)
        if self.cells > self.limits.cells:
            raise UnreadableFile(
                _("The file has more than %(limit)s cells: split it into smaller files."),
                limit=self.limits.cells,
            )
        return [self.text(value, line) for value in values]

    def columns(self, count, line):
        if count > self.limits.columns:
            raise UnreadableFile(
                _("Line %(line)s has more than %(limit)s columns."),
                line=line, limit=self.limits.columns,
            )


@dataclass
class Rows:
    """A file's rows before its header is known: (line number, cell texts) pairs."""

    rows: object
    description: str
    # A spreadsheet may have a title above its header; CSV and JSON start with theirs.
    header_search: bool = False


@dataclass
class Table:
    headers: list
    rows: object  # iterator of (line number, list of cell strings)
    description: str = ""


BOMS = (
    # UTF-32's little-endian mark starts with UTF-16's: it is looked for first.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect_encoding(binary):
    """The encoding its byte order mark names; else UTF-8 when the whole file decodes as such,
    else Windows-1252, else Latin-1. Scans the stream without keeping it, then rewinds."""
    binary.seek(0)
    start = binary.read(4)
    binary.seek(0)
    for bom, encoding in BOMS:
        if start.startswith(bom):
            return encoding
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
    sample = sample[:SNIFF_CHARS]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first_line = sample.splitlines()[0] if sample else ""
        return max(DELIMITERS, key=first_line.count)


def bounded_lines(text, limits):
    """The text's lines, refusing one longer than the limit before it is held whole."""
    number = 0
    while line := text.readline(limits.line_chars + 1):
        number += 1
        if len(line) > limits.line_chars:
            raise UnreadableFile(
                _("Line %(line)s is longer than %(limit)s characters."),
                line=number, limit=limits.line_chars,
            )
        yield line


def read_csv(binary, limits):
    encoding = detect_encoding(binary)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        sample = text.read(SNIFF_BYTES)
        text.seek(0)
    except UnicodeDecodeError:
        raise UnreadableFile(_("This file is not text in a known encoding.")) from None
    if not sample.strip():
        raise UnreadableFile(_("The file is empty."))
    reader = csv.reader(bounded_lines(text, limits), delimiter=sniff_delimiter(sample))
    budget = Budget(limits)

    def rows():
        try:
            for values in reader:
                if any(value.strip() for value in values) or reader.line_num == 1:
                    yield reader.line_num, budget.row(values, reader.line_num)
        except csv.Error:
            raise UnreadableFile(
                _("This CSV file cannot be read near line %(line)s: a cell is too long or a "
                  "quotation mark is not closed."), line=reader.line_num + 1,
            ) from None
        except UnicodeDecodeError:
            raise UnreadableFile(_("This file is not text in a known encoding.")) from None

    return Rows(rows(), f"CSV, {encoding}")


def refuse_damaged_xlsx():
    return UnreadableFile(
        _("This Excel file is damaged or cut short: open it in Excel or LibreOffice, save it "
          "again as .xlsx and upload it once more.")
    )


XML_SUFFIXES = (".xml", ".rels", ".vml")
ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")
# A DTD is where entities are declared: a spreadsheet part never needs one.
DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
RATIO_CHECKED_AFTER = 1024 * 1024


def check_archive(archive, limits):
    """Refuse a workbook whose parts are too many, too large once actually unpacked, packed out
    of proportion, archives themselves, or XML declaring a DTD (entities expand to billions)."""
    members = archive.infolist()
    if len(members) > limits.archive_members:
        raise UnreadableFile(
            _("This spreadsheet holds more than %(limit)s parts."), limit=limits.archive_members
        )
    unpacked = 0
    for member in members:
        if not member.is_dir():
            unpacked += check_part(archive, member, limits, limits.unpacked_bytes - unpacked)


def check_part(archive, member, limits, room):
    """Unpack one part, up to ``room`` bytes, looking at what it holds; returns its size."""
    is_xml = member.filename.lower().endswith(XML_SUFFIXES)
    most = max(RATIO_CHECKED_AFTER, limits.ratio * member.compress_size)
    size, tail = 0, b""
    with archive.open(member) as part:
        while chunk := part.read(CHUNK_BYTES):
            if size == 0 and not is_xml and chunk.startswith(ARCHIVE_MAGIC):
                raise UnreadableFile(
                    _("This spreadsheet holds another archive inside it: save it again as a "
                      "plain .xlsx file without embedded documents.")
                )
            size += len(chunk)
            if size > room:
                raise UnreadableFile(_("This spreadsheet is too large once unpacked."))
            if size > most:
                raise UnreadableFile(
                    _("This spreadsheet is compressed out of all proportion (a « zip bomb »): "
                      "it cannot be read safely.")
                )
            if is_xml and DTD.search(tail + chunk):
                raise UnreadableFile(
                    _("This spreadsheet declares a document type or XML entities, which are "
                      "refused: save it again from Excel or LibreOffice.")
                )
            tail = chunk[-16:]
    return size


MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Elements a workbook's smaller parts (workbook, relationships, styles) may hold: Excel itself
# stops at 64 000 cell styles.
STRUCTURE_ELEMENTS = 200_000


def items(archive, name, tags, most):
    """Each element of a part whose tag is in ``tags``, whole, with its parent's tag.

    The part is parsed as a stream through defusedxml (no DTD, no entity), and every element is
    dropped once it ends unless it belongs to an item not yet ended, so that no part sits whole
    in memory; past ``most`` elements in all, the part is refused.
    """
    stack, open_items, count = [], 0, 0
    events = iterparse(archive.open(name), events=("start", "end"), forbid_dtd=True)
    for event, element in events:
        if event == "start":
            stack.append(element)
            open_items += element.tag in tags
            continue
        stack.pop()
        count += 1
        if count > most:
            raise refuse_damaged_xlsx()
        parent = stack[-1] if stack else None
        if element.tag in tags:
            open_items -= 1
            yield element, None if parent is None else parent.tag
        if parent is not None and not open_items:
            parent.remove(element)


def sheet_path(archive, sheet_name):
    """The chosen (or first) sheet's title and part name, and whether dates count from 1904."""
    sheets, uses_1904 = [], False
    for element, _parent in items(archive, "xl/workbook.xml",
                                  {f"{MAIN}sheet", f"{MAIN}workbookPr"}, STRUCTURE_ELEMENTS):
        if element.tag == f"{MAIN}workbookPr":
            uses_1904 = element.get("date1904") in ("1", "true")
        else:
            sheets.append((element.get("name", ""), element.get(f"{RELATIONSHIPS}id")))
    if not sheets:
        raise UnreadableFile(_("The sheet is empty."))
    if sheet_name:
        chosen = [sheet for sheet in sheets if sheet[0] == sheet_name]
        if not chosen:
            raise UnreadableFile(
                _("The workbook has no sheet named « %(name)s » (sheets: %(sheets)s)."),
                name=sheet_name, sheets=", ".join(name for name, _id in sheets),
            )
        title, relation = chosen[0]
    else:
        title, relation = sheets[0]
    target = next((
        element.get("Target", "")
        for element, _parent in items(archive, "xl/_rels/workbook.xml.rels",
                                      {f"{PACKAGE_RELATIONSHIPS}Relationship"},
                                      STRUCTURE_ELEMENTS)
        if element.get("Id") == relation
    ), "")
    path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))
    return title, path, uses_1904


def date_styles(archive):
    """The cell style numbers whose number format shows a date or a duration."""
    if "xl/styles.xml" not in archive.namelist():
        return set(), set()
    custom, dates, durations = {}, set(), set()
    position = 0
    # Number formats come before the cell styles that use them.
    for element, parent in items(archive, "xl/styles.xml", {f"{MAIN}numFmt", f"{MAIN}xf"},
                                 STRUCTURE_ELEMENTS):
        number = int(element.get("numFmtId") or 0)
        if element.tag == f"{MAIN}numFmt":
            custom[number] = element.get("formatCode", "")
        elif parent == f"{MAIN}cellXfs":
            code = custom.get(number) or BUILTIN_FORMATS.get(number, "")
            if is_timedelta_format(code):
                durations.add(position)
            elif is_date_format(code):
                dates.add(position)
            position += 1
    return dates, durations


def shared_strings(archive, budget):
    """Every shared string, counted one by one: the count and text budgets stop a bomb before
    it is held."""
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings = []
    # An item holds a few elements (runs, their text and formatting).
    most = 4 * budget.limits.shared_strings + STRUCTURE_ELEMENTS
    for element, _parent in items(archive, "xl/sharedStrings.xml", {f"{MAIN}si"}, most):
        strings.append(budget.text(rich_text(element), len(strings) + 1))
        if len(strings) > budget.limits.shared_strings:
            raise UnreadableFile(
                _("The spreadsheet holds more than %(limit)s different texts: split it into "
                  "smaller files."), limit=budget.limits.shared_strings,
            )
    return strings


def rich_text(element):
    """The text of a string item: its plain text and its formatted runs, without the phonetic
    guides (``rPh``) Excel adds to Japanese names."""
    parts = []
    for child in element:
        if child.tag == f"{MAIN}t":
            parts.append(child.text or "")
        elif child.tag == f"{MAIN}r":
            parts.extend(run.text or "" for run in child.iter(f"{MAIN}t"))
    # Excel writes the characters XML cannot hold as ``_xHHHH_``.
    return unescape("".join(parts))


class SheetReader:
    """Reads a worksheet row by row; cells are typed as openpyxl types them."""

    def __init__(self, archive, path, strings, styles, uses_1904, budget):
        self.archive, self.path, self.strings, self.budget = archive, path, strings, budget
        self.dates, self.durations = styles
        self.epoch = CALENDAR_MAC_1904 if uses_1904 else CALENDAR_WINDOWS_1900

    def rows(self):
        line = 0
        # A cell is a few elements (its value, an inline string's runs); so is each of the
        # sheet's other settings (columns, merged cells).
        most = 5 * self.budget.limits.cells + STRUCTURE_ELEMENTS
        for row, _parent in items(self.archive, self.path, {f"{MAIN}row"}, most):
            line = int(row.get("r") or line + 1)
            values = self.row_values(row, line)
            if any(value.strip() for value in values):
                yield line, self.budget.row(values, line)

    def row_values(self, row, line):
        values = []
        for cell in row.iter(f"{MAIN}c"):
            reference = cell.get("r")
            if reference:
                column = column_index_from_string(coordinate_from_string(reference)[0])
            else:
                column = len(values) + 1
            self.budget.columns(column, line)
            if column > len(values):
                values.extend([""] * (column - len(values)))
            values[column - 1] = self.value(cell)
        return values

    def value(self, cell):
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(f"{MAIN}is")
            return "" if inline is None else rich_text(inline)
        raw = cell.findtext(f"{MAIN}v")
        if raw is None:
            return ""
        if kind == "s":
            try:
                return self.strings[int(raw)]
            except (ValueError, IndexError):
                raise refuse_damaged_xlsx() from None
        if kind == "b":
            return str(raw == "1")
        if kind != "n":  # "str" (a formula's text), "e" (an error such as #N/A), "d"
            return raw
        return self.number(raw, int(cell.get("s") or 0))

    def number(self, raw, style):
        try:
            number = float(raw) if any(mark in raw for mark in ".eE") else int(raw)
            if style in self.dates or style in self.durations:
                return str(from_excel(number, self.epoch, timedelta=style in self.durations))
        except (ValueError, OverflowError):
            return raw
        return str(number)


# What a damaged or forged archive raises while it is unpacked or parsed: a wrong checksum,
# sizes that lie, a cut stream, a method zipfile lacks, a password, a part without a name, XML
# that stops short, a cell reference that is none.
DAMAGED_ARCHIVE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
                   IndexError, ValueError, ParseError, DefusedXmlException,
                   CellCoordinatesException)


def read_xlsx(binary, limits, sheet_name=""):
    budget = Budget(limits)
    try:
        archive = zipfile.ZipFile(binary)
    except (zipfile.BadZipFile, OSError):
        raise UnreadableFile(_("This is not a valid Excel (.xlsx) file.")) from None
    except DAMAGED_ARCHIVE:  # e.g. a directory asking for a zip version zipfile lacks
        raise refuse_damaged_xlsx() from None
    try:
        check_archive(archive, limits)
        title, path, uses_1904 = sheet_path(archive, sheet_name)
        reader = SheetReader(archive, path, shared_strings(archive, budget), date_styles(archive),
                             uses_1904, budget)
    except UnreadableFile:
        archive.close()
        raise
    except (KeyError, AttributeError):  # a part the workbook needs is missing
        archive.close()
        raise UnreadableFile(_("This is not a valid Excel (.xlsx) file.")) from None
    except DAMAGED_ARCHIVE:
        archive.close()
        raise refuse_damaged_xlsx() from None

    def rows():
        try:
            yield from reader.rows()
        except KeyError:
            raise UnreadableFile(_("This is not a valid Excel (.xlsx) file.")) from None
        except DAMAGED_ARCHIVE:
            raise refuse_damaged_xlsx() from None
        finally:
            archive.close()

    return Rows(rows(), f"XLSX, {title}", header_search=True)



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


# A string (skipped whole) or a bracket: the nesting is measured without parsing.
JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def check_nesting(text, limits):
    """Refuse a document nested deeper than the limit before the parser recurses into it."""
    if text.count("[") + text.count("{") <= limits.json_depth:
        return
    depth = 0
    for token in JSON_TOKENS.finditer(text):
        bracket = text[token.start()]
        if bracket in "[{":
            depth += 1
            if depth > limits.json_depth:
                raise UnreadableFile(
                    _("The JSON file is nested more than %(limit)s levels deep."),
                    limit=limits.json_depth,
                )
        elif bracket in "]}":
            depth -= 1


def read_json(binary, limits):
    encoding = detect_encoding(binary)
    try:
        text = binary.read().decode(encoding)
    except UnicodeDecodeError:
        raise UnreadableFile(_("This file is not text in a known encoding.")) from None
    check_nesting(text, limits)
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError) as error:
        raise UnreadableFile(_("This JSON file cannot be read: %(error)s"), error=error) from None
    del text
    records = find_records(data)
    if len(records) > limits.rows:
        raise UnreadableFile(
            _("The file has more than %(limit)s rows: split it into smaller files."),
            limit=limits.rows,
        )
    records = [record for record in records if isinstance(record, dict)]
    headers = list(dict.fromkeys(key for record in records for key in record))
    budget = Budget(limits)
    header = budget.row(headers, 1)

    def rows():
        yield 1, header
        for number, record in enumerate(records, start=1):
            yield number, budget.row([cell_text(record.get(key)) for key in headers], number)

    return Rows(rows(), "JSON")


def read_rows(binary, file_name, sheet_name, limits):
    """The file's rows as they come, read in this process; the format comes from the name, then
    the content."""
    suffix = PurePath(file_name).suffix.lower()
    binary.seek(0)
    head = binary.read(4)
    binary.seek(0)
    if suffix in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):
        return read_xlsx(binary, limits, sheet_name)
    if suffix == ".json" or head.lstrip(codecs.BOM_UTF8).lstrip()[:1] in (b"[", b"{"):
        return read_json(binary, limits)
    if suffix == ".xls":
        raise UnreadableFile(_("Old Excel files (.xls) are not supported: save as .xlsx or CSV."))
    return read_csv(binary, limits)


def find_header(found, known_header=None):
    """Split the header from the rows. A title row (or a few) may sit above a spreadsheet's
    header: the first row that looks like one is taken."""
    rows = iter(found.rows)
    skipped = 0
    for _number, values in rows:
        if not found.header_search:
            return Table(values, rows, found.description)
        filled = [value for value in values if value.strip()]
        if known_header(values) if known_header else len(filled) >= 2:
            return Table(values, rows, found.description)
        skipped += 1
        if skipped >= HEADER_SEARCH_ROWS:
            raise UnreadableFile(_("No header row was found in the first rows of the sheet."))
    raise UnreadableFile(_("The sheet is empty.") if found.header_search
                         else _("The file is empty."))


def file_size(binary):
    position = binary.tell()
    binary.seek(0, io.SEEK_END)
    size = binary.tell()
    binary.seek(position)
    return size


def open_table(binary, file_name, sheet_name="", known_header=None, limits=None):
    """Read a seekable binary file within ``limits`` (the staff's by default): in this process
    when it is small, else in a subprocess with limits of its own."""
    limits = limits or Limits.for_staff()
    binary.seek(0)
    if file_size(binary) > sandbox.in_process_bytes():
        found = sandbox.read_rows(binary, file_name, sheet_name, limits)
    else:
        found = read_rows(binary, file_name, sheet_name, limits)
    return find_header(found, known_header)
