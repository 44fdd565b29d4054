"""Bounds on the dates people type: each rule once, used by the models, the services and the forms.

A date before 1900 or after 2100 is a typing slip (an extra 9, a two-digit year), never a real day in
a student's record; letting one through saves nonsense, and near year 9999 the calendar's date
arithmetic overflows into a server error. Start dates more than a year ahead, cohort terms longer
than 18 months and closures longer than a year are slips of the same kind.
"""

import calendar
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
START_MONTHS_AHEAD = 12  # enrollments, contracts and cohort terms start at most a year from today
TERM_MONTHS = 18  # a cohort's term
CLOSURE_MONTHS = 12  # a closure


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the last day of a shorter month (31 January + 1: end of February)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def shown_date(day: date) -> str:
    """A date as people read it in the active language (11/30/2026, 30/11/2026), for messages."""
    return date_format(day, "SHORT_DATE_FORMAT")


def in_range(value: date | None) -> bool:
    """Whether a date lies between 1900 and 2100 (the other checks leave one that does not to this one)."""
    return value is not None and EARLIEST <= value <= LATEST


def validate_date_in_range(value: date | None) -> None:
    """Refuse a date before 1900 or after 2100."""
    if value is not None and not in_range(value):
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": shown_date(EARLIEST), "last": shown_date(LATEST)},
        )


def validate_start_date(value: date, *, today: date | None = None) -> None:
    """Refuse a start date (enrollment, contract, cohort term) out of range or more than a year ahead."""
    validate_date_in_range(value)
    latest = add_months(today or timezone.localdate(), START_MONTHS_AHEAD)
    if value > latest:
        raise ValidationError(
            _("A start date can be at most a year ahead: %(date)s at the latest."),
            code="start_too_far_ahead",
            params={"date": shown_date(latest)},
        )


def validate_length(first: date | None, last: date | None, *, months: int, message, code: str) -> None:
    """Refuse a range whose last day falls `months` or more after its first (the message takes %(date)s)."""
    if not (in_range(first) and last is not None):
        return
    limit = add_months(first, months) - timedelta(days=1)
    if last > limit:
        raise ValidationError(message, code=code, params={"date": shown_date(limit)})


def validate_model_dates(instance, exclude=()) -> None:
    """Apply the 1900–2100 bound to every date field of a model instance (see TimeStampedModel)."""
    errors = {}
    for field in instance._meta.concrete_fields:
        if field.get_internal_type() != "DateField" or field.name in exclude:
            continue
        try:
            validate_date_in_range(getattr(instance, field.attname))
        except ValidationError as error:
            errors[field.name] = [error]
    if errors:
        raise ValidationError(errors)


class DateField(forms.DateField):
    """A form's date between 1900 and 2100, offered so by the browser's date picker too."""

    default_validators = [validate_date_in_range]

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "min": EARLIEST.isoformat(), "max": LATEST.isoformat()}
