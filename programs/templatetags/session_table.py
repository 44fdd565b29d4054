"""`{% load session_table %}`: a cohort's sessions as table rows, written in one pass.

A cohort lists every session of its term (fifty and more). Written through template tags, each row's
dozen values, three addresses and a plural went through the template engine one by one: a quarter of
the cohort page's time, the page teaching artists and staff open most.
"""

from collections.abc import Callable, Iterable
from datetime import date

from django import template
from django.urls import reverse
from django.utils.formats import date_format, time_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from programs.models import Session

register = template.Library()

ROW = (
    "<tr{}>"
    "<td>{}</td>"
    '<td data-label="{}">{}</td>'
    '<td data-label="{}">{}{}</td>'
    '<td data-label="{}">{}</td>'
    '<td class="text-nowrap">{}</td>'
    "</tr>"
)
OVERDUE = mark_safe(' class="table-danger"')  # a constant: a past session never logged
LOG = '<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>'
MOVE_AND_CANCEL = (
    '<a class="btn btn-sm btn-link" href="{}">{}</a> '
    '<a class="btn btn-sm btn-link text-danger" href="{}">{}</a>'
)


def path_for_each(name: str) -> Callable[[int], str]:
    """The path of the URL `name` for any primary key, reversed once rather than once per row."""
    marker = 2_147_483_647
    head, tail = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


@register.simple_tag
def session_rows(
    sessions: Iterable[Session], *, today: date, can_log: bool, can_schedule: bool
) -> SafeString:
    """Each session's date, time, status (with its marks, its reason or "not logged"), topic and the
    links the user may follow: log or view the log of a session begun, move or cancel a scheduled one."""
    statuses = {value: str(label) for value, label in Session.Status.choices}
    labels = {"time": gettext("Time"), "status": gettext("Status"), "topic": gettext("Topic")}
    log_labels = {True: gettext("View log"), False: gettext("Log")}
    move, cancel, not_logged = gettext("Move"), gettext("Cancel"), gettext("not logged")
    log_path = path_for_each("programs:session_log")
    move_path, cancel_path = path_for_each("programs:session_move"), path_for_each("programs:session_cancel")

    def row(session: Session) -> tuple:
        logged = session.status == Session.Status.LOGGED
        scheduled = session.status == Session.Status.SCHEDULED
        if logged:
            marks = ngettext("%(n)s mark", "%(n)s marks", session.marks) % {"n": session.marks}
            detail = format_html(" · {}", marks)
        elif session.status == Session.Status.CANCELLED:
            detail = format_html(" · {}", session.cancel_reason)
        elif session.date < today:
            detail = format_html(" · <strong>{}</strong>", not_logged)
        else:
            detail = ""
        actions = []
        if can_log and session.status != Session.Status.CANCELLED and session.date <= today:
            actions.append(format_html(LOG, log_path(session.pk), log_labels[logged]))
        if can_schedule and scheduled:
            paths = move_path(session.pk), cancel_path(session.pk)
            actions.append(format_html(MOVE_AND_CANCEL, paths[0], move, paths[1], cancel))
        return (
            OVERDUE if scheduled and session.date < today else "",
            _day(session.date),
            labels["time"],
            time_format(session.starts_at, "TIME_FORMAT"),
            labels["status"],
            statuses[session.status],
            detail,
            labels["topic"],
            session.topic,
            format_html_join(" ", "{}", ((action,) for action in actions)),
        )

    return format_html_join("\n", ROW, (row(session) for session in sessions))


def _day(day: date) -> str:
    """The weekday and the short date, as the filters `date:"D"` and `date:"SHORT_DATE_FORMAT"` write them."""
    return f"{date_format(day, 'D')} {date_format(day, 'SHORT_DATE_FORMAT')}"
