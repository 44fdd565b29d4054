"""A family's copy: everything artworx holds about one student, as a readable PDF and a ZIP with JSON.

Built from the same graph the anonymisation reads (retention.graph), so a table that holds a student's
records is in the copy as soon as it is anonymised, and the other way round.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import capfirst
from phonenumber_field.phonenumber import PhoneNumber

from artworx.history import change_history
from artworx.pdf import pdf_of
from retention.graph import history_model, owned_models
from students.models import RecordRead, Student

# Left out of a family's copy, with the reason: a staff member's working notes are not part of the
# education record a family inspects (FERPA's sole-possession records); the digests prove a signature
# and are in the JSON for that use.
LEFT_OUT = {("students.SupportProfile", "private_notes")}
# Internal keys that mean nothing to a reader: in the JSON only.
JSON_ONLY = {"content_hash", "version_hash", "provider_sid", "dedupe_key", "occasion", "ip_address"}


class CopyEncoder(DjangoJSONEncoder):
    """JSON for the copy: dates and decimals as Django writes them, phone numbers in E.164."""

    def default(self, o):
        if isinstance(o, PhoneNumber):
            return str(o)
        return super().default(o)


@dataclass
class Section:
    """One kind of record in the copy: its title, column labels and rows (labels and values as read)."""

    label: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    data: list[dict] = field(default_factory=list)


def _display(row, field) -> str:
    if field.choices:
        return str(getattr(row, f"get_{field.name}_display")())
    if field.is_relation:
        related = getattr(row, field.name)
        return "" if related is None else str(related)
    value = getattr(row, field.name)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(translation.gettext("Yes") if value else translation.gettext("No"))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, cls=CopyEncoder)[:2000]
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def family_copy_sections(*, student: Student) -> list[Section]:
    """Each kind of record the student has, with every row; run inside the reader's language."""
    sections = []
    for label, model, path in owned_models():
        rows = list(model.objects.filter(**{f"{path}__in": [student.pk]}).distinct().order_by("pk"))
        if not rows:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if (label, f.name) not in LEFT_OUT and not f.primary_key and f.name != "student"
        ]
        shown = [f for f in fields if f.name not in JSON_ONLY]
        sections.append(
            Section(
                label=label,
                title=capfirst(str(model._meta.verbose_name_plural)),
                columns=[capfirst(str(f.verbose_name)) for f in shown],
                rows=[[_display(row, f) for f in shown] for row in rows],
                data=[{f.attname: getattr(row, f.attname) for f in fields} | {"id": row.pk} for row in rows],
            )
        )
    return sections


def family_copy_history(*, student: Student) -> list:
    """Who changed what and when in the student's records (field names, never values)."""
    sources = []
    for _label, model, path in owned_models():
        history = history_model(model)
        if history is not None:
            ids = model.objects.filter(**{f"{path}__in": [student.pk]}).values("pk")
            sources.append((history.objects.filter(id__in=ids), capfirst(str(model._meta.verbose_name))))
    return change_history(sources, excluded=["private_notes"], limit=10_000)


def family_copy_reads(*, student: Student) -> list[RecordRead]:
    """Who was shown the sensitive parts of the record, and when (kept a year: the read audit)."""
    return list(RecordRead.objects.filter(student=student).select_related("user").order_by("-at"))


def family_language(student: Student) -> str:
    """The family's language: the primary guardian's, or the student's."""
    guardian = student.guardians.order_by("-is_primary", "pk").first()
    return guardian.language if guardian else student.language


def family_copy_pdf(*, student: Student, language: str) -> bytes:
    """The copy as a PDF a family can read, in their language."""
    with translation.override(language):
        html = render_to_string(
            "retention/family_copy_pdf.html",
            {
                "student": student,
                "language": language,
                "sections": family_copy_sections(student=student),
                "history": family_copy_history(student=student),
                "reads": family_copy_reads(student=student),
                "made_at": timezone.localtime(),
            },
        )
    return pdf_of(html)


def family_copy_json(*, student: Student) -> dict:
    """The copy as data: every row of every kind of record, the history of changes and the read audit."""
    return {
        "student_id": student.pk,
        "made_at": timezone.now(),
        "records": {section.label: section.data for section in family_copy_sections(student=student)},
        "history": [
            {
                "when": change.when,
                "who": str(change.who or ""),
                "what": change.what,
                "kind": change.kind,
                "fields": change.fields,
            }
            for change in family_copy_history(student=student)
        ],
        "record_reads": [
            {"at": read.at, "who": str(read.user), "parts": read.parts}
            for read in family_copy_reads(student=student)
        ],
    }


def family_copy_zip(*, student: Student, language: str) -> bytes:
    """A ZIP holding the copy as JSON (machine-readable) and as the PDF."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            f"student-{student.pk}.json",
            json.dumps(family_copy_json(student=student), cls=CopyEncoder, ensure_ascii=False, indent=2),
        )
        archive.writestr(
            f"student-{student.pk}-{language}.pdf", family_copy_pdf(student=student, language=language)
        )
    return buffer.getvalue()
