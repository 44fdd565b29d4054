"""Downloads of every list as CSV or XLSX, with the list's filters and the columns the role may see.

Built on django-import-export resources. Every text cell that a spreadsheet would read as a
formula (=, +, -, @, tab, carriage return first) is prefixed with an apostrophe: a name typed as
`=HYPERLINK(...)` stays text when a teacher opens the file.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from import_export import fields, resources

from artworx.query import refused
from artworx.shortcuts import require_perm

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(value):
    """Text that would start a formula, made inert; everything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# Headers of columns that reach across a relation, where the field's own name would be ambiguous
# ("name" of the program, the site or the venue).
RELATED_HEADERS = {
    "student__first_name": _("Student's first name"),
    "student__last_name": _("Student's last name"),
    "student__district_id": _("District ID"),
    "participation__student__first_name": _("Student's first name"),
    "participation__student__last_name": _("Student's last name"),
    "site__name": _("Site"),
    "cohort__site__name": _("Site"),
    "cohort__venue__name": _("Partner venue"),
    "cohort__program__name": _("Program"),
    "session__cohort__program__name": _("Program"),
    "session__date": _("Session date"),
    "teacher__username": _("Teacher"),
    "counselor__username": _("Counselor"),
    "staff_contact__username": _("Staff contact"),
    "source__name": _("Referred by"),
}


def header(model, name: str) -> str:
    """A column's header in the reader's language: the field's own label where it has one."""
    if name in RELATED_HEADERS:
        return str(RELATED_HEADERS[name])
    if name == "id":
        return str(_("ID"))
    *path, last = name.split("__")
    for part in path:
        model = model._meta.get_field(part).related_model
    try:
        return str(capfirst(model._meta.get_field(last).verbose_name))
    except FieldDoesNotExist:
        return name


class SafeResource(resources.ModelResource):
    """Cells neutralised, headers in the reader's language, rows read in one pass."""

    CHUNK = 2000

    def iter_queryset(self, queryset):
        # The ids of the rows written, for a download that counts in the read audit (Export.audit).
        self.exported_pks = []
        # One query on a server-side cursor, prefetching per 2,000 rows. The library's fallback for
        # prefetching querysets pages with OFFSET, re-running the whole query for every 100 rows.
        rows = queryset.iterator(chunk_size=self.CHUNK) if isinstance(queryset, QuerySet) else queryset
        for row in rows:
            self.exported_pks.append(row.pk)
            yield row

    def export_resource(self, instance, selected_fields=None, **kwargs):
        # Resolve each column's dehydrate method once per file rather than once per cell.
        key = tuple(selected_fields or ())
        if getattr(self, "_cells_for", None) != key:
            self._cells_for, self._cells = (
                key,
                [self._cell(field) for field in self.get_export_fields(selected_fields)],
            )
        return [neutralise(cell(instance, **kwargs)) for cell in self._cells]

    def _cell(self, field) -> Callable:
        """How one column's cell is read: its dehydrate method, or its attribute path made readable."""
        method = field.get_dehydrate_method(self.get_field_name(field))
        method = method if callable(method) else getattr(self, method, None)
        if method is not None:
            return lambda instance, **kwargs: readable(method(instance))
        path = field.attribute.split("__")
        if path[-1] == "username":  # a person: their name, not their login
            path = path[:-1]
        labels = getattr(field, "labels", None) or choice_labels(self._meta.model, path)

        def cell(instance, **kwargs):
            value = instance
            for part in path:
                value = getattr(value, part, None)
                if value is None:
                    break
            return readable(value, labels)

        return cell

    def get_export_headers(self, selected_fields=None):
        return [
            header(self._meta.model, str(field.column_name))
            for field in self.get_export_fields(selected_fields)
            if field
        ]


def column(attribute: str, header: str, choices=None) -> fields.Field:
    """A read-only export column; `header` is a (lazy) translated label, `choices` the labels of its codes
    when the attribute is not a model field that has them (an annotation)."""
    field = fields.Field(attribute=attribute, column_name=header, readonly=True)
    field.labels = dict(choices) if choices else None
    return field


def choice_labels(model, path: list[str]) -> dict | None:
    """The labels of a model field's codes, for a column read along `path`; None for a field without."""
    try:
        for part in path[:-1]:
            model = model._meta.get_field(part).related_model
        field = model._meta.get_field(path[-1])
    except (FieldDoesNotExist, AttributeError):
        return None
    return dict(field.flatchoices) if field.choices else None


def readable(value, labels: dict | None = None):
    """A cell as a reader wants it: a code's label in their language, Yes or No, a person's or an
    object's name; numbers and dates stay numbers and dates (real ones in Excel), local times naive."""
    if value is None:
        return ""
    if labels and value in labels:
        return str(labels[value])
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date | int | float | Decimal):
        return value
    return str(value)


@dataclass(frozen=True)
class Export:
    """One downloadable list: who may have it, its rows for a request, and its columns for a user."""

    perm: str
    rows: Callable[[HttpRequest], object]
    resource: Callable[[object], type[resources.ModelResource]]
    # The list page's own filters (a Form or FilterSet for a request), when the list has any: a value
    # they refuse answers 400 rather than a file of more rows than asked for.
    filters: Callable[[HttpRequest], object] | None = None
    # Called with the request and the ids of the rows in the file, when the file holds what the read
    # audit counts (support flags, guardian contacts).
    audit: Callable[[HttpRequest, list[int]], None] | None = None
    # The list's name as a reader says it (the Excel sheet's name).
    title: str | None = None


# Every downloadable list by name; each app's exports.py registers its own (found at start-up by
# ArtworxConfig.ready), so the kernel serves downloads without knowing any domain app.
EXPORTS: dict[str, Export] = {}


def register(name: str, export: Export) -> None:
    """Make a list downloadable at /exports/<name>.<fmt>."""
    if name in EXPORTS:
        raise ValueError(f"An export named {name!r} is already registered.")
    EXPORTS[name] = export


def export_response(request: HttpRequest, *, name: str, fmt: str, export: Export) -> HttpResponse:
    """The list as a file in the asked format."""
    if fmt not in FORMATS:
        raise Http404
    labels = refused(export.filters(request)) if export.filters else []
    if labels:
        message = gettext("This download's filters hold a value that is not valid: %(filters)s.")
        return HttpResponseBadRequest(
            message % {"filters": ", ".join(labels)}, content_type="text/plain; charset=utf-8"
        )
    resource = export.resource(request.user)()
    dataset = resource.export(queryset=export.rows(request))
    dataset.title = str(export.title or capfirst(name))[:31]  # the sheet's name in Excel (31 at most)
    if export.audit is not None:
        export.audit(request, getattr(resource, "exported_pks", []))
    content = dataset.csv if fmt == "csv" else dataset.xlsx
    response = HttpResponse(content, content_type=FORMATS[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="artworx-{name}-{stamp}.{fmt}"'
    return response


@login_required
@require_GET
def export_view(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    """Download a list (with its filters in the query string) as CSV or XLSX."""
    export = EXPORTS.get(name)
    if export is None:
        raise Http404
    require_perm(request, export.perm)
    return export_response(request, name=name, fmt=fmt, export=export)
