"""Hostile uploads, built in memory: the files the reader must refuse (or clean) cheaply.

The tests send each one through both upload paths, ``manage.py benchmark_hostile_uploads``
measures what each costs to refuse, and the load test's hostile mode uploads them while buyers
browse. Nothing here is committed as a binary: every file is generated on demand.
"""

import io
import json
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'  # noqa: E501
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'  # noqa: E501
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'  # noqa: E501
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'  # noqa: E501
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'  # noqa: E501
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'  # noqa: E501
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Achats" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'  # noqa: E501
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'  # noqa: E501
    "</Relationships>"
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>'
)
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_END = "</sheetData></worksheet>"
HEADER = ["supplier_name", "description", "amount", "award_date"]
BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    + "]>"
)


def inline_row(line, values):
    cells = "".join(
        f'<c r="{chr(65 + column)}{line}" t="inlineStr"><is><t>{value}</t></is></c>'
        for column, value in enumerate(values)
    )
    return f'<row r="{line}">{cells}</row>'


def shared_strings_part(strings):
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{items}</sst>"
    )


def workbook(sheet=None, shared=None, extra=(), parts=None):
    """An .xlsx built part by part; ``parts`` replaces any of them by name."""
    rows = [inline_row(1, HEADER), inline_row(2, ["Coop du Quartier", "Traiteur", "100", "x"])]
    contents = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": shared or shared_strings_part(["Coop"]),
        "xl/worksheets/sheet1.xml": sheet or SHEET_START + "".join(rows) + SHEET_END,
        **(parts or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in [*contents.items(), *extra]:
            if callable(content):
                with archive.open(name, "w", force_zip64=True) as part:
                    content(part)
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


def repeated(start, piece, times, end):
    """A part written piece by piece: a bomb is never held whole, even while it is built."""
    def write(part):
        part.write(start.encode())
        block = (piece * 1000).encode()
        for _round in range(times // 1000):
            part.write(block)
        part.write(end.encode())
    return write


def shared_strings_bomb(megabytes=38):
    """A hundred kilobytes that unpack to tens of megabytes of tiny shared strings (millions of
    them: each costs a parser far more than its bytes)."""
    piece = "<si><t>A</t></si>"
    start = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
    return workbook(parts={"xl/sharedStrings.xml": repeated(
        start, piece, megabytes * 1_000_000 // len(piece), "</sst>")})


def shared_strings_count_bomb(count):
    """Many distinct short strings: packed modestly, caught by the shared strings count."""
    return workbook(shared=shared_strings_part(str(number) for number in range(count)))


def rows_bomb(rows=1_048_576):
    """A row for each of Excel's million lines."""
    def write(part):
        part.write(SHEET_START.encode())
        for start in range(1, rows + 1, 10_000):
            part.write("".join(
                f'<row r="{line}"><c r="A{line}"><v>1</v></c><c r="B{line}"><v>2</v></c></row>'
                for line in range(start, min(start + 10_000, rows + 1))
            ).encode())
        part.write(SHEET_END.encode())
    return workbook(parts={"xl/worksheets/sheet1.xml": write})


def styles_bomb(count=250_000):
    """More cell styles than Excel allows (64 000), in a part read before any row."""
    return workbook(parts={"xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<cellXfs count="{count}">' + '<xf numFmtId="0"/>' * count + "</cellXfs></styleSheet>"
    )})


def columns_bomb():
    """A first row reaching Excel's last column (XFD, 16 384)."""
    return workbook(sheet=SHEET_START + '<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is>'
                    '</c><c r="XFD1" t="inlineStr"><is><t>Fin</t></is></c></row>' + SHEET_END)


def forged_sizes():
    """A bomb whose central directory claims each part unpacks to a few bytes."""
    buffer = io.BytesIO(shared_strings_bomb(megabytes=10))
    with zipfile.ZipFile(buffer, "a") as archive:
        for info in archive.infolist():
            info.file_size = 100
        archive._didModify = True
    return buffer.getvalue()


def billion_laughs(part_name):
    """The entity expansion bomb, declared in one XML part of an otherwise fine workbook."""
    defaults = {
        "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": STYLES, "xl/sharedStrings.xml": shared_strings_part(["&lol9;"]),
        "xl/worksheets/sheet1.xml": SHEET_START + inline_row(1, ["&lol9;", "Ville"])
        + SHEET_END,
    }
    declaration = '<?xml version="1.0" encoding="UTF-8"?>' + BILLION_LAUGHS
    content = defaults[part_name].replace('<?xml version="1.0" encoding="UTF-8"?>', declaration)
    return workbook(parts={part_name: content})


XML_PARTS = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
             "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/sharedStrings.xml",
             "xl/worksheets/sheet1.xml"]


def nested_archive():
    """A workbook carrying another archive (a zip bomb could hide in it)."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("inside.txt", "bonjour")
    return workbook(extra=[("xl/embeddings/Feuille1.xlsx", inner.getvalue())])


def truncated_sheet():
    sheet = SHEET_START + "".join(inline_row(line, ["Coop", "Québec", "10", "x"])
                                  for line in range(1, 50)) + SHEET_END
    return workbook(sheet=sheet[: len(sheet) // 2])


def long_csv_field(length=200_000):
    return (";".join(HEADER) + "\r\n" + "Coop;" + "x" * length + ";100;2025-03-14\r\n").encode()


def wide_csv(columns=524_288):
    return (",".join(["a"] * columns) + "\r\n").encode()


def deep_json(depth=100_000):
    return ("[" * depth + "]" * depth).encode()


def utf16_csv():
    """A sheet saved as « Unicode text » by Excel: UTF-16 with its byte order mark, tabs."""
    rows = ["supplier_name\tdescription\tamount\taward_date\tprocurement_method",
            "Boulot’Vert Économie\tTraiteur à Trois-Rivières (Québec)\t12500.00\t2025-03-14"
            "\tdirect"]
    return "\r\n".join(rows).encode("utf-16")


def control_characters_csv():
    """NUL and vertical tabs (pasted from Word) in headers and cells."""
    return ("supplier_\x00name,descrip\x0btion,amount,award_date\r\n"
            "Coop\x00 du Quartier,Traiteur\x0bà domicile,12500.00,2025-03-14\r\n").encode()


def control_characters_xlsx():
    """Excel writes a vertical tab as ``_x000B_``; a NUL as ``_x0000_``."""
    return workbook(shared=shared_strings_part(["Coop_x0000_ du_x000B_Quartier"]),
                    sheet=SHEET_START + inline_row(1, HEADER)
                    + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>' + SHEET_END)


def control_characters_json():
    return json.dumps([{"nom\u0000": "Coop\u0000 du\u000b Quartier", "ville": "Québec"}]).encode()


# Name, file name, builder: what the reader must refuse with a message of its own.
REFUSED = [
    ("shared strings bomb", "achats.xlsx", shared_strings_bomb),
    ("rows bomb", "achats.xlsx", rows_bomb),
    ("columns bomb", "achats.xlsx", columns_bomb),
    ("styles bomb", "achats.xlsx", styles_bomb),
    ("forged sizes", "achats.xlsx", forged_sizes),
    *((f"billion laughs in {part}", "achats.xlsx", lambda part=part: billion_laughs(part))
      for part in XML_PARTS),
    ("archive inside", "achats.xlsx", nested_archive),
    ("truncated sheet", "achats.xlsx", truncated_sheet),
    ("200 000-character field", "achats.csv", long_csv_field),
    ("524 288 columns", "achats.csv", wide_csv),
    ("JSON nested 100 000 deep", "achats.json", deep_json),
]
# What it must read, cleaned.
READ = [
    ("UTF-16 with its mark", "achats.csv", utf16_csv),
    ("NUL and vertical tabs", "achats.csv", control_characters_csv),
    ("NUL and vertical tabs in JSON", "achats.json", control_characters_json),
    ("NUL and vertical tabs in XLSX", "achats.xlsx", control_characters_xlsx),
]
