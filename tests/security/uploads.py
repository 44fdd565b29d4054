"""Hostile roster files, built in the test: workbooks written part by part into a zip stream."""

import io
import zipfile
from collections.abc import Iterable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER = ("district_id", "first_name", "last_name", "date_of_birth", "grade", "site", "teacher", "started_on")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
    '<sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET = "xl/worksheets/sheet1.xml"


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row() -> str:
    return '<row r="1">' + "".join(cell(f"{chr(65 + i)}1", name) for i, name in enumerate(HEADER)) + "</row>"


def workbook(
    sheet: Iterable[bytes], *, parts: dict[str, str] | None = None, level: int = 6, doctype: str = ""
) -> bytes:
    """An .xlsx whose sheet XML is streamed from `sheet` (bytes chunks) straight into the zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        files = {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": PACKAGE_RELS,
            "xl/workbook.xml": WORKBOOK,
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
            **(parts or {}),
        }
        for name, text in files.items():
            archive.writestr(name, text)
        with archive.open(SHEET, "w", force_zip64=True) as member:
            member.write(f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'.encode())
            for chunk in sheet:
                member.write(chunk)
    return buffer.getvalue()


def sheet_xml(*, dimension: str, rows: Iterable[str]) -> Iterable[bytes]:
    yield f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/><sheetData>'.encode()
    yield from (row.encode() for row in rows)
    yield b"</sheetData></worksheet>"


def dimension_bomb() -> bytes:
    """The 1.6 KB workbook of issue #16: it declares A1:XFD1048576 and has a huge cell at XFD1048576."""
    huge = '<row r="1048576">' + cell("XFD1048576", "x" * 30_000) + "</row>"
    return workbook(sheet_xml(dimension="A1:XFD1048576", rows=[header_row(), huge]), level=9)


def wide_row_bomb() -> bytes:
    """A header, then a second row with one value at column XFD (the 16,384th)."""
    return workbook(
        sheet_xml(dimension="A1:XFD2", rows=[header_row(), '<row r="2">' + cell("XFD2", "x") + "</row>"])
    )


def million_rows(count: int = 3_000_000) -> bytes:
    """The issue's workbook of 3 million rows: rows without a row number, each with one number cell.

    Rows may leave out their `r` attribute (the reader counts them), so one batch of identical rows is
    written again and again: the sheet unpacks to 75 MB from under a megabyte, and builds in a second.
    """
    batch = b"<row><c><v>1</v></c></row>" * 20_000

    def sheet():
        yield f'<worksheet xmlns="{MAIN}"><dimension ref="A1"/><sheetData>'.encode()
        yield header_row().encode()
        for _ in range(count // 20_000):
            yield batch
        yield b"</sheetData></worksheet>"

    return workbook(sheet(), level=9)


def zip_bomb(megabytes: int = 200) -> bytes:
    """A workbook whose sheet unpacks to `megabytes` of spaces from a few hundred kilobytes."""
    block = b" " * (1024 * 1024)

    def sheet():
        yield f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
        yield header_row().encode()
        for _ in range(megabytes):
            yield block
        yield b"</sheetData></worksheet>"

    return workbook(sheet(), level=9)


ENTITY_BOMB = (
    "<!DOCTYPE worksheet ["
    f'<!ENTITY a "{"a" * 90}">'
    + "".join(
        f'<!ENTITY {name} "{("&" + previous + ";") * 10}">'
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "]>"
)  # &i; expands to 10^8 × 90 characters: 9 GB
EXTERNAL_ENTITY = '<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


def entity_workbook(doctype: str, entity: str) -> bytes:
    """A workbook whose sheet declares `doctype` and uses `&entity;` in a cell of row 2."""
    rows = [header_row(), '<row r="2">' + cell("A2", f"&{entity};") + "</row>"]
    return workbook(sheet_xml(dimension="A1:A2", rows=rows), doctype=doctype)


def workbook_part_bomb() -> bytes:
    """A workbook whose workbook.xml (parsed whole, not streamed) names its sheet with a billion laughs."""
    bombed = (
        ENTITY_BOMB.replace("worksheet", "workbook")
        + f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
        + '<sheet name="&i;" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    return workbook(sheet_xml(dimension="A1", rows=[header_row()]), parts={"xl/workbook.xml": bombed})


def with_parts(
    sheet_rows: list[str], parts: dict[str, str], types: dict[str, str], relations: dict[str, str]
):
    """A workbook with extra parts: `types` maps part name → content type, `relations` name → type."""
    manifest = CONTENT_TYPES.replace(
        "</Types>",
        "".join(f'<Override PartName="/{name}" ContentType="{kind}"/>' for name, kind in types.items())
        + "</Types>",
    )
    rels = WORKBOOK_RELS.replace(
        "</Relationships>",
        "".join(
            f'<Relationship Id="rId{n}" Type="{DOC_RELS}/{kind}" Target="{name.removeprefix("xl/")}"/>'
            for n, (name, kind) in enumerate(relations.items(), start=2)
        )
        + "</Relationships>",
    )
    return workbook(
        sheet_xml(dimension="A1", rows=sheet_rows),
        parts={"[Content_Types].xml": manifest, "xl/_rels/workbook.xml.rels": rels, **parts},
    )


STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"


def shared_strings_workbook(strings: list[str]) -> bytes:
    """The header as shared strings (as Excel saves text), `strings` after it, and one student."""
    table = [*HEADER, *strings]
    header = '<row r="1">' + "".join(
        f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(len(HEADER))
    )
    sst = f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{text}</t></si>" for text in table) + "</sst>"
    values = ("770001", "Ana", "Ruiz", "2009-04-01", "11", "Eastside Storefront", "teacher", "2026-11-02")
    student = (
        '<row r="2">' + "".join(cell(f"{chr(65 + i)}2", value) for i, value in enumerate(values)) + "</row>"
    )
    return with_parts(
        [header + "</row>", f'<row r="2">{student}</row>'],
        {"xl/sharedStrings.xml": sst},
        {"xl/sharedStrings.xml": STRINGS_TYPE},
        {"xl/sharedStrings.xml": "sharedStrings"},
    )


def styles_bomb(count: int = 100_000) -> bytes:
    """A styles part (parsed whole by openpyxl) of `count` cell formats: half a megabyte."""
    styles = f'<styleSheet xmlns="{MAIN}"><cellXfs>' + "<xf/>" * count + "</cellXfs></styleSheet>"
    return with_parts(
        [header_row()], {"xl/styles.xml": styles}, {"xl/styles.xml": STYLES_TYPE}, {"xl/styles.xml": "styles"}
    )
