"""Uploaded tables (CSV, Excel), checked before they are read: size, zip, XML, rows, columns, time.

A roster file comes from outside and is attacker-shaped until proven otherwise. The limits below
answer the files of issue #16 — a 1.6 KB workbook declaring a million rows by 16,384 columns, an
887 KB workbook of 3 million rows, an upload read whole before its size was looked at — and the
other shapes of the same attack: zip and XML entity bombs, shared strings or styles by the hundred
thousand (tests/security/test_uploads.py builds each one). Every path that reads an uploaded table
calls `table_read`; the web form also puts `UploadLimitHandler` in front of the body
(`upload_limited`), so an oversized file is stopped while it streams in. A refusal is a
`ValidationError` with a plain, translated message and a code.
"""

import csv
import io
import logging
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

logger = logging.getLogger(__name__)

MB = 1024 * 1024
# The multipart envelope around the file: boundaries, part headers, the CSRF token. A body whose
# Content-Length passes the file limit by more than this is refused without reading the file.
ENVELOPE = 64 * 1024
# What a workbook may unpack to. A 5,000-row, twelve-column roster saved by openpyxl unpacks to
# 3.3 MB, its sheet compressed 12 times; the limits leave room for one seven times wider and refuse
# a zip bomb before any XML is parsed. The declared size is binding: Python's zipfile stops a member
# at its declared size and fails its CRC if it holds more.
XLSX_MAX_MEMBERS = 200
XLSX_MAX_UNPACKED = 25 * MB
XLSX_MAX_RATIO = 100  # for members over 1 MB: text compresses 5-20 times, a bomb hundreds of times
XLSX_RATIO_FLOOR = MB
# Tags cost the parser time and memory whatever their size. Counted in every part before parsing:
# in all (that roster: 350,000), and in the parts openpyxl parses whole rather than streams — styles,
# workbook, relationships, manifest (that roster: 440; 17,000 cell styles took 0.7 s to parse).
XLSX_MAX_TAGS = 2_000_000
XLSX_WHOLE_MAX_TAGS = 40_000
XLSX_WHOLE_MAX_BYTES = MB
# The shared strings are streamed but kept, each costing about 17 µs: 60,000 strings in a second.
XLSX_STRINGS_MAX_TAGS = 240_000  # four tags a string (<si><t></t></si>)
# Blank rows between rows of data are skipped, but the reading stops at this many rows read in all,
# blank or not: a sheet that pads out to row 1,048,576 is refused at once, not walked to the end.
BLANK_ROWS_FACTOR = 2


@dataclass(frozen=True)
class TableLimits:
    """How much of an uploaded table is read: bytes, rows after the header, columns, seconds."""

    max_bytes: int
    max_rows: int
    max_columns: int
    seconds: float


def too_large(max_bytes: int) -> ValidationError:
    """The refusal of a file over `max_bytes`, for the upload handler and the reader alike."""
    return ValidationError(
        _("The file is larger than %(mb)d MB: split it, or export only the columns needed.")
        % {"mb": max(1, round(max_bytes / MB))},
        code="too_large",
    )


def _unreadable_xlsx() -> ValidationError:
    return ValidationError(_("This is not a readable Excel (.xlsx) file."), code="unreadable")


def too_many_rows(limits: TableLimits) -> ValidationError:
    """The refusal of a table with more than `limits.max_rows` rows after its header."""
    return ValidationError(_("At most %(n)d rows per file.") % {"n": limits.max_rows}, code="too_many_rows")


def table_read(
    *, name: str, content: bytes, limits: TableLimits, clock: Callable[[], float] = time.monotonic
) -> list[list[str]]:
    """The non-empty rows of a CSV or XLSX file as text, or a ValidationError saying why not.

    Reads row by row and stops at the first row or column past the limits, or when the time is up.
    Nothing is read whole first but the file itself (already size-checked) and the small parts of a
    workbook that openpyxl parses whole, which are held to their own limits before it opens them.
    """
    deadline = clock() + limits.seconds
    if len(content) > limits.max_bytes:
        raise too_large(limits.max_bytes)
    lower = name.lower()
    if lower.endswith(".xlsx"):
        rows = _xlsx_rows(content, deadline=deadline, clock=clock)
    elif lower.endswith(".csv"):
        rows = _csv_rows(content)
    else:
        raise ValidationError(_("Upload a .csv or .xlsx file."), code="format")
    try:
        return _bounded(rows, limits=limits, deadline=deadline, clock=clock)
    finally:
        rows.close()  # closes the workbook's zip now, not when the generator is collected


def _bounded(
    rows: Iterator[Sequence], *, limits: TableLimits, deadline: float, clock: Callable[[], float]
) -> list[list[str]]:
    """The rows with a value, as text, each checked as it comes; every refusal is logged with its count."""
    read = 0
    try:
        table = []
        for read, row in enumerate(rows, start=1):
            _row_check(row, read=read, limits=limits, deadline=deadline, clock=clock)
            cells = ["" if value is None else str(value) for value in row[: limits.max_columns]]
            if not any(cell.strip() for cell in cells):
                continue
            # A NUL is never part of a name or a date, and PostgreSQL cannot store one (even in JSON).
            if any("\x00" in cell for cell in cells):
                raise ValidationError(_("The file holds characters that are not text (NUL)."), code="binary")
            table.append(cells)
            if len(table) > limits.max_rows + 1:  # the header and max_rows rows
                raise too_many_rows(limits)
    except ValidationError as refusal:
        # For operators: what stopped a file, and how far the reading went. Never a cell's content.
        logger.warning("Uploaded table refused (%s) after %d rows read", refusal.code, read)
        raise
    return table


def _row_check(
    row: Sequence, *, read: int, limits: TableLimits, deadline: float, clock: Callable[[], float]
) -> None:
    """Refuse at the deadline, past the rows that may be read, or at a value past the last column."""
    if clock() > deadline:
        raise _too_slow()
    if read > BLANK_ROWS_FACTOR * (limits.max_rows + 1):
        raise too_many_rows(limits)
    beyond = row[limits.max_columns :]
    # Counted in C: a row padded out to column XFD must cost microseconds, not a Python loop.
    if beyond and beyond.count(None) + beyond.count("") < len(beyond):
        raise ValidationError(
            _("At most %(n)d columns per file.") % {"n": limits.max_columns}, code="too_many_columns"
        )


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")  # a byte-order mark, as Excel writes "CSV UTF-8", is dropped
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”."), code="encoding"
        ) from exc
    # newline="" hands line endings to the csv module, which takes CR (Excel for Mac), CRLF and LF alike
    # and keeps a line break inside a quoted cell.
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a cell past the csv module's field limit, a stray quote
            raise ValidationError(_("This is not a readable CSV file."), code="unreadable") from exc
        yield row


def _xlsx_check(content: bytes) -> None:
    """Refuse a workbook that would unpack or parse to far more than a roster, before openpyxl opens it."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = {member.filename: member for member in archive.infolist()}
            unpacked = sum(member.file_size for member in members.values())
            bomb = any(
                member.file_size > XLSX_RATIO_FLOOR
                and member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1)
                for member in members.values()
            )
            if len(members) > XLSX_MAX_MEMBERS or unpacked > XLSX_MAX_UNPACKED or bomb:
                raise _unpacks_too_large()
            tags = {name: _tags(archive, name) for name in members}
            if sum(tags.values()) > XLSX_MAX_TAGS:
                raise _unpacks_too_large()
            sheets, strings = _streamed_parts(archive, members, tags)
    except ValidationError:
        raise
    except Exception as exc:  # a broken zip, manifest or relationship list
        raise _unreadable_xlsx() from exc
    if strings is not None and tags[strings] > XLSX_STRINGS_MAX_TAGS:
        raise _unpacks_too_large()
    whole = [name for name in members if name not in sheets and name != strings]
    if any(members[name].file_size > XLSX_WHOLE_MAX_BYTES for name in whole):
        raise _unpacks_too_large()
    if sum(tags[name] for name in whole) > XLSX_WHOLE_MAX_TAGS:
        raise _unpacks_too_large()


def _unpacks_too_large() -> ValidationError:
    return ValidationError(
        _("This workbook unpacks to far more than a roster. Save it again from Excel, or as CSV."),
        code="unpacks_too_large",
    )


def _tags(archive: zipfile.ZipFile, name: str) -> int:
    """How many tags a part holds (each "<"), counted in C as it unpacks, a megabyte at a time."""
    count = 0
    with archive.open(name) as part:
        while chunk := part.read(MB):
            count += chunk.count(b"<")
    return count


def _streamed_parts(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], tags: dict[str, int]
) -> tuple[set[str], str | None]:
    """The parts openpyxl's read-only mode streams: the worksheets, and the shared strings if any.

    Every other part it parses whole into a tree (manifest, workbook, relationships, styles), which
    costs memory and time by the tag. The parts are found as openpyxl (pinned) finds them, once the
    two small parts that name them have passed the limits of a part parsed whole.
    """
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.packaging.relationship import get_dependents, get_rels_path
    from openpyxl.reader.excel import _find_workbook_part
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    def small(name: str) -> str:
        if members[name].file_size > XLSX_WHOLE_MAX_BYTES or tags[name] > XLSX_WHOLE_MAX_TAGS:
            raise _unpacks_too_large()
        return name

    manifest = Manifest.from_tree(fromstring(archive.read(small(ARC_CONTENT_TYPES))))
    workbook = _find_workbook_part(manifest).PartName[1:]
    relations = get_dependents(archive, small(get_rels_path(workbook)))
    # A part that another kind of relationship also names may be parsed whole through it.
    others = {rel.target for rel in relations if not rel.Type.endswith(("/worksheet", "/sharedStrings"))}
    fixed = {ARC_CONTENT_TYPES, ARC_STYLE, workbook, *others}
    sheets = {rel.target for rel in relations if rel.Type.endswith("/worksheet")} - fixed
    found = manifest.find(SHARED_STRINGS)
    strings = found.PartName[1:] if found is not None and found.PartName[1:] not in fixed | sheets else None
    return {name for name in sheets if not name.endswith(".rels")}, strings


class _Deadline(io.BytesIO):
    """The workbook's bytes, refusing to hand more over once the time is up.

    openpyxl reads through the zip, and the zip through this: the parts it streams (shared strings,
    a sheet scanned for its size) stop at the deadline too, not only the rows the reader counts.
    """

    def __init__(self, content: bytes, *, deadline: float, clock: Callable[[], float]):
        super().__init__(content)
        self.deadline, self.clock = deadline, clock

    def read(self, size: int | None = -1, /) -> bytes:
        if self.clock() > self.deadline:
            raise _too_slow()
        return super().read(size)


def _too_slow() -> ValidationError:
    return ValidationError(
        _("The file took too long to read. Save it again with only the roster's rows and columns."),
        code="too_slow",
    )


def _xlsx_rows(content: bytes, *, deadline: float, clock: Callable[[], float]) -> Iterator[tuple]:
    _xlsx_check(content)
    try:
        # openpyxl is loaded only for a spreadsheet upload: most files are CSV, and it is a heavy import.
        from openpyxl import load_workbook

        # read_only streams the sheet row by row (with defusedxml's parser: check_xml_parser below).
        source = _Deadline(content, deadline=deadline, clock=clock)
        book = load_workbook(source, read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception as exc:  # any unreadable workbook gets the same plain message
        raise _unreadable_xlsx() from exc
    try:
        try:
            sheet = book.active
            # The sheet's <dimension> is the file's own claim (A1:XFD1048576 in the 1.6 KB bomb) and
            # openpyxl pads every row to it; forgotten, each row is as wide as its last real cell.
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=True)
        except Exception as exc:
            raise _unreadable_xlsx() from exc
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except ValidationError:
                raise
            except Exception as exc:  # a malformed or forbidden XML construct deep in the sheet
                raise _unreadable_xlsx() from exc
            yield row
    finally:
        book.close()


class UploadLimitHandler(FileUploadHandler):
    """Counts a request's file bytes as they stream in and stops the upload past `max_bytes`."""

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0  # file bytes handed over so far, across every file of the request
        self.exceeded = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Django reads no further than the declared Content-Length: a body that declares more than
        # the file limit and its envelope is refused at the file's first byte.
        if content_length > self.max_bytes + ENVELOPE:
            self.exceeded = True

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        if self.exceeded:
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.exceeded = True
            # connection_reset: the rest of the body is not read at all (nor stored anywhere).
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers (memory, temporary file) build the file


def upload_limited(view: Callable) -> Callable:
    """Run `view` with its uploads capped at ARTWORX_UPLOAD_MAX_BYTES; `request.upload_limit` says if stopped.

    The CSRF middleware reads the body to find the token, so it would parse the upload before the
    view could put the limit in place: the view is exempted from the middleware and checked with
    `csrf_protect` here instead, once the handler is first in line.
    """
    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        handler = UploadLimitHandler(request, max_bytes=settings.ARTWORX_UPLOAD_MAX_BYTES)
        request.upload_handlers.insert(0, handler)
        request.upload_limit = handler
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapped)


def check_xml_parser(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Start-up check: openpyxl must parse with defusedxml (entity bombs, external entities)."""
    from openpyxl import DEFUSEDXML

    if DEFUSEDXML:
        return []
    return [
        checks.Error(
            "openpyxl is not using defusedxml: uploaded workbooks could expand XML entities.",
            hint="Install defusedxml (a dependency in pyproject.toml) and leave OPENPYXL_DEFUSEDXML unset.",
            id="artworx.E010",
        )
    ]
