"""Roster import: read a district export (CSV or XLSX), preview every row, then apply all or nothing.

Every row goes through the same services as the web pages (student_create, enrollment_create), so
the capacity rules hold on this path too; the preview asks the same enrollment checks without
writing (`enrollments_check_many`), so people see problems before anything is written.
"""

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from artworx.dates import validate_start_date
from artworx.exports import FORMULA_STARTS
from artworx.history import history_user
from artworx.phones import phone_parse
from artworx.roles import TEACHER, people_with
from artworx.uploads import TableLimits, table_read, too_many_rows
from sites.models import Site
from students.models import Enrollment, RosterImport, Student, validate_date_of_birth
from students.services import (
    BatchRefused,
    EnrollmentRequest,
    enrollments_check_many,
    enrollments_create_many,
    students_create_many,
)

REQUIRED = (
    "district_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "grade",
    "site",
    "teacher",
    "started_on",
)
OPTIONAL = ("preferred_name", "language", "phone", "email")
MAX_ROWS = 5000
# A district export carries more columns than the twelve read here; past this many, it is not a roster.
MAX_COLUMNS = 100
# The rules the save applies to a row's dates: the student's validator and the enrollment service's.
DATE_RULES = (("date_of_birth", validate_date_of_birth), ("started_on", validate_start_date))


def _header(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def roster_limits() -> TableLimits:
    """How much of a roster file is read (artworx.uploads): the upload's size, rows, columns, seconds."""
    return TableLimits(
        max_bytes=settings.ARTWORX_UPLOAD_MAX_BYTES,
        max_rows=MAX_ROWS,
        max_columns=MAX_COLUMNS,
        seconds=settings.ARTWORX_UPLOAD_READ_SECONDS,
    )


def roster_read(*, name: str, content: bytes) -> list[dict]:
    """The rows of an uploaded CSV or XLSX file as dicts of text, or a ValidationError saying why not.

    Every path that reads a roster file comes here (the upload page, and through
    `roster_import_create` the benchmark and the tests); the file's limits are checked while reading.
    """
    table = table_read(name=name, content=content, limits=roster_limits())
    if len(table) < 2:
        raise ValidationError(_("The file has no rows of students."), code="empty")
    headers = [_header(h) for h in table[0]]
    missing = [column for column in REQUIRED if column not in headers]
    if missing:
        raise ValidationError(
            _("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}, code="columns"
        )
    keep = [*REQUIRED, *OPTIONAL]
    return [
        {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(headers) if h in keep}
        for row in table[1:]
    ]


# What each column takes, for the upload page (REQUIRED first, then OPTIONAL).
COLUMN_HELP = {
    "district_id": gettext_lazy("The district's student id: it finds a student already in artworx."),
    "first_name": gettext_lazy("First name."),
    "last_name": gettext_lazy("Last name."),
    "date_of_birth": gettext_lazy("Date of birth, as 2009-03-21 or 03/21/2009."),
    "grade": gettext_lazy("Grade, 9 to 12."),
    "site": gettext_lazy("The site's name, as artworx writes it."),
    "teacher": gettext_lazy("The teacher's full name, email or username."),
    "started_on": gettext_lazy("First day at the site, as 2026-09-01 or 09/01/2026."),
    "preferred_name": gettext_lazy("The name the student goes by (optional)."),
    "language": gettext_lazy("en or es: the language of messages to the student (optional, en by default)."),
    "phone": gettext_lazy("Mobile phone, a US number such as (323) 555-0199 (optional)."),
    "email": gettext_lazy("Email (optional)."),
}


def _name_key(value: str) -> str:
    return " ".join(value.lower().split())


class TeacherDirectory:
    """The active teachers, found by username, email or full name as a district file writes them.

    Built in one query. A name two teachers share is refused with both named, never guessed.
    """

    def __init__(self):
        self.by_key: dict[str, set] = {}
        for user in people_with(TEACHER):
            keys = {user.username.lower(), _name_key(user.get_full_name())}
            if user.email:
                keys.add(user.email.lower())
            for key in keys - {""}:
                self.by_key.setdefault(key, set()).add(user)

    def find(self, value: str):
        """The teacher `value` names, or a ValidationError saying none or which ones."""
        found = self.by_key.get(_name_key(value), set())
        if len(found) == 1:
            return next(iter(found))
        if not found:
            raise ValidationError(
                _("no active teacher is called %(teacher)s (give their full name, email or username)")
                % {"teacher": value},
                code="unknown_teacher",
            )
        candidates = sorted(f"{u.get_full_name()} ({u.email or u.username})" for u in found)
        raise ValidationError(
            _("%(teacher)s could be %(candidates)s: give their email or username")
            % {"teacher": value, "candidates": _(" or ").join(candidates)},
            code="ambiguous_teacher",
        )


def _date(value: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def roster_preview(*, rows: list[dict]) -> list[dict]:
    """Each row's verdict — new, update or error with reasons — by the enrollment checks; no writes."""
    sites = {s.name.lower(): s for s in Site.objects.active()}
    teachers = TeacherDirectory()
    ids = [row.get("district_id", "") for row in rows if row.get("district_id")]
    existing = {s.district_id: s for s in Student.objects.filter(district_id__in=ids)}
    open_enrollments = {
        e.student.district_id: e
        for e in Enrollment.objects.open()
        .filter(student__district_id__in=ids)
        .select_related("student", "site")
    }
    seen: set[str] = set()
    results = []
    requests, request_rows = [], []  # the enrollments the import would ask for, judged after the loop
    for line, row in enumerate(rows, start=2):
        errors = []
        if any(str(value).startswith(FORMULA_STARTS) for value in row.values()):
            errors.append(_("a cell looks like a spreadsheet formula"))
        for column in REQUIRED:
            if not row.get(column):
                errors.append(_("%(column)s is empty") % {"column": column})
        district_id = row.get("district_id", "")
        if district_id in seen:
            errors.append(_("district id %(id)s appears twice in the file") % {"id": district_id})
        seen.add(district_id)
        for column in ("date_of_birth", "started_on"):
            if row.get(column) and _date(row[column]) is None:
                errors.append(_("%(column)s is not a date (YYYY-MM-DD)") % {"column": column})
        for column, validate in DATE_RULES:
            day = _date(row.get(column, ""))
            if day is not None:
                try:
                    validate(day)
                except ValidationError as error:
                    errors.append(
                        _("%(column)s: %(reason)s") % {"column": column, "reason": " ".join(error.messages)}
                    )
        if row.get("grade") and row["grade"] not in {"9", "10", "11", "12"}:
            errors.append(_("grade must be 9 to 12"))
        if row.get("language", "en") not in {"en", "es", ""}:
            errors.append(_("language must be en or es"))
        if row.get("phone"):
            # The rule the student's field applies when the row is saved (artworx.phones).
            try:
                phone_parse(row["phone"])
            except ValidationError as error:
                errors.append(_("phone: %(reason)s") % {"reason": " ".join(error.messages)})
        site = sites.get(row.get("site", "").lower())
        teacher = None
        if row.get("site") and site is None:
            errors.append(_("unknown site %(site)s") % {"site": row["site"]})
        if row.get("teacher"):
            try:
                teacher = teachers.find(row["teacher"])
            except ValidationError as error:
                errors.extend(error.messages)
        current = open_enrollments.get(district_id)
        if current is not None and site is not None and current.site_id != site.pk:
            errors.append(_("already enrolled at %(site)s: transfer them instead") % {"site": current.site})
        started_on = _date(row.get("started_on", ""))
        if current is None and site and teacher and started_on and not errors:
            # As _apply_rows does: only a row that is clean otherwise reaches the enrollment service.
            student = existing.get(district_id) or Student(district_id=district_id)
            requests.append(
                EnrollmentRequest(student=student, site=site, teacher=teacher, started_on=started_on)
            )
            request_rows.append(len(results))
        name = f"{row.get('first_name', '')} {row.get('last_name', '')}".strip()
        changes = _changes(existing[district_id], row) if district_id in existing and not errors else []
        results.append({"line": line, "name": name, "errors": [str(e) for e in errors], "changes": changes})
    # The enrollment service's own checks, fed the same counts it locks for: seats, caseload, teacher.
    for index, refusal in zip(request_rows, enrollments_check_many(requests), strict=True):
        if refusal is not None:
            results[index]["errors"].extend(refusal.messages)
    for result, row in zip(results, rows, strict=True):
        new = row.get("district_id", "") not in existing
        result["action"] = "error" if result["errors"] else ("new" if new else "update")
    return results


def _changes(student: Student, row: dict) -> list[dict]:
    """What an update row would change on the student, field by field, old and new as people read them."""
    try:
        fields = _fields(row, line=0)
    except ValidationError:
        return []
    changes = []
    for name, new in fields.items():
        old = getattr(student, name)
        if old != new:
            label = str(capfirst(Student._meta.get_field(name).verbose_name))
            changes.append({"field": label, "old": _shown(old), "new": _shown(new)})
    return changes


def _shown(value) -> str:
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return "" if value is None else str(value)


def roster_import_create(*, name: str, content: bytes, by) -> RosterImport:
    """Read and preview a file; nothing but the preview itself is written."""
    rows = roster_read(name=name, content=content)
    return RosterImport.objects.create(
        uploaded_by=by, filename=name[:200], rows=rows, results=roster_preview(rows=rows)
    )


def roster_import_apply(*, roster_import_id: int) -> RosterImport:
    """Apply a clean preview in one transaction: every row saved, or none (the reason is kept)."""
    roster_import = RosterImport.objects.select_related("uploaded_by").get(pk=roster_import_id)
    if roster_import.status not in (RosterImport.Status.QUEUED, RosterImport.Status.PREVIEWED):
        return roster_import
    limits = roster_limits()
    if len(roster_import.rows) > limits.max_rows:
        # Rows come from roster_read, which holds the file to its limits; a row list written any other
        # way (the shell, a restored backup) is held to the same one before a worker walks it.
        RosterImport.objects.filter(pk=roster_import.pk).update(
            status=RosterImport.Status.FAILED, message=" ".join(too_many_rows(limits).messages)
        )
        roster_import.refresh_from_db()
        return roster_import
    RosterImport.objects.filter(pk=roster_import.pk).update(status=RosterImport.Status.APPLYING)
    try:
        # A worker has no request: the history names who uploaded the roster as the author.
        with transaction.atomic(), history_user(roster_import.uploaded_by):
            _apply_rows(roster_import.rows, by=roster_import.uploaded_by)
    except ValidationError as error:
        message = " ".join(error.messages)
        RosterImport.objects.filter(pk=roster_import.pk).update(
            status=RosterImport.Status.FAILED, message=message[:500]
        )
    else:
        RosterImport.objects.filter(pk=roster_import.pk).update(
            status=RosterImport.Status.APPLIED, applied=len(roster_import.rows)
        )
    roster_import.refresh_from_db()
    return roster_import


FIRST_LINE = 2  # line 1 of the file is the header


def _row_error(line: int, error: ValidationError) -> ValidationError:
    return ValidationError(_("Row %(line)d: %(reason)s") % {"line": line, "reason": " ".join(error.messages)})


def _fields(row: dict, *, line: int) -> dict:
    """A row's student fields, or a ValidationError naming the line."""
    try:
        fields = {
            "first_name": row["first_name"],
            "last_name": row["last_name"],
            "date_of_birth": _date(row["date_of_birth"]),
            "grade": int(row["grade"]),
        }
    except (KeyError, TypeError, ValueError) as error:
        raise ValidationError(_("Row %(line)d could not be read.") % {"line": line}) from error
    # An optional column the file does not have leaves the student's value as it is.
    optional = {"preferred_name": "", "language": "en", "phone": "", "email": ""}
    fields.update({name: row[name] or default for name, default in optional.items() if name in row})
    return fields


def _apply_rows(rows: list[dict], *, by) -> None:
    """Create or update every row's student, then enroll those not enrolled yet: a fixed number of queries.

    Students are validated one by one but written in batches; enrollments go through
    `enrollments_create_many`, which applies the capacity rules under one lock per site and teacher.
    """
    lines = {
        row["district_id"]: line for line, row in enumerate(rows, start=FIRST_LINE) if "district_id" in row
    }
    existing = {s.district_id: s for s in Student.objects.filter(district_id__in=list(lines))}
    new, changed, students = [], [], []
    for line, row in enumerate(rows, start=FIRST_LINE):
        fields = _fields(row, line=line)
        student = existing.get(row.get("district_id")) or Student(district_id=row.get("district_id", ""))
        for name, value in fields.items():
            setattr(student, name, value)
        try:
            # Uniqueness is left to the database constraint: one query per row would make the
            # import's cost grow with the file.
            student.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise _row_error(line, error) from error
        (changed if student.pk else new).append(student)
        students.append((line, row, student))
    if changed:
        now = timezone.now()
        for student in changed:  # a bulk update skips auto_now
            student.updated_at = now
        columns = [*_fields(rows[0], line=FIRST_LINE), "updated_at"]
        bulk_update_with_history(changed, Student, columns, batch_size=500, default_user=by)
    try:
        students_create_many(new, by=by)
    except IntegrityError as error:
        raise ValidationError(_("Another student already has one of these district ids.")) from error
    wanted_sites = {row["site"].lower() for _, row, _ in students}
    sites = {s.name.lower(): s for s in Site.objects.alias(key=Lower("name")).filter(key__in=wanted_sites)}
    teachers = TeacherDirectory()
    enrolled = set(
        Enrollment.objects.open()
        .filter(student__in=[s for _, _, s in students])
        .values_list("student_id", flat=True)
    )
    requests, request_lines = [], []
    for line, row, student in students:
        if student.pk in enrolled:
            continue
        site, started_on = sites.get(row["site"].lower()), _date(row["started_on"])
        if site is None or started_on is None:
            raise ValidationError(_("Row %(line)d could not be read.") % {"line": line})
        try:
            teacher = teachers.find(row["teacher"])
        except ValidationError as error:
            raise _row_error(line, error) from error
        requests.append(EnrollmentRequest(student=student, site=site, teacher=teacher, started_on=started_on))
        request_lines.append(line)
    try:
        enrollments_create_many(requests, by=by)
    except BatchRefused as error:
        raise _row_error(request_lines[error.index], error) from error
