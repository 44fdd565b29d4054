"""The query string of a list page or a download: bounds on ids, and what a value its filters refuse does.

Every parameter a page or a download reads goes through a form or a FilterSet (students/filters.py,
alumni/forms.py, reports/views.py, sites/forms.py). A value a filter refuses is dropped: the page
lists as if it were absent and says which filter it ignored; a download refuses with 400, so a file
never holds more rows than the person asked for.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest
from django.utils.translation import gettext as _

# The largest id an integer column holds on PostgreSQL (and a bigint's ids stay far below it for
# decades): a larger one in a query string overflows the database's integer, a 500 on SQLite.
MAX_ID = 2_147_483_647


class IdField(forms.IntegerField):
    """An object's id in a query string: a whole number in the database's integer range."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def refused(bound) -> list[str]:
    """Labels of the filters (a Form or a FilterSet) whose value in the query string was refused."""
    form = getattr(bound, "form", bound)
    if not form.is_bound or form.is_valid():
        return []
    return [
        str(form.fields[name].label or name)
        for name in form.errors
        if name != NON_FIELD_ERRORS and name in form.fields
    ]


def warn_refused(request: HttpRequest, bound) -> None:
    """Tell the reader which filters the page ignored because their value is not valid."""
    labels = refused(bound)
    if labels:
        messages.warning(
            request,
            _("Ignored a filter value that is not valid: %(filters)s.") % {"filters": ", ".join(labels)},
        )


def kept_query(request: HttpRequest, bound=None) -> str:
    """A list's query string for its paging links and its download: without the page, and without any
    value its filters (a Form or a FilterSet) refused, so a download asks for what the page shows."""
    query = request.GET.copy()
    query.pop("page", None)
    form = getattr(bound, "form", bound)
    if form is not None and form.is_bound and not form.is_valid():
        for name in form.errors:
            query.pop(name, None)
    return query.urlencode()
