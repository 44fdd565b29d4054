"""Downloads of every list as CSV or XLSX, with the list's filters and the columns the role may see.

Built on django-import-export resources. Every text cell that a spreadsheet would read as a
formula (=, +, -, @, tab, carriage return first) is prefixed with an apostrophe: a name typed as
`=HYPERLINK(...)` stays text when a teacher opens the file.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from import_export import fields, resources

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


class SafeResource(resources.ModelResource):
    """A resource whose every exported cell is neutralised."""

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))


def column(attribute: str, header: str) -> fields.Field:
    """A read-only export column."""
    return fields.Field(attribute=attribute, column_name=header, readonly=True)


@dataclass(frozen=True)
class Export:
    """One downloadable list: who may have it, its rows for a request, and its columns for a user."""

    perm: str
    rows: Callable[[HttpRequest], object]
    resource: Callable[[object], type[resources.ModelResource]]


def export_response(request: HttpRequest, *, name: str, fmt: str, export: Export) -> HttpResponse:
    """The list as a file in the asked format."""
    if fmt not in FORMATS:
        raise Http404
    resource = export.resource(request.user)()
    dataset = resource.export(queryset=export.rows(request))
    content = dataset.csv if fmt == "csv" else dataset.xlsx
    response = HttpResponse(content, content_type=FORMATS[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="artworx-{name}-{stamp}.{fmt}"'
    return response
