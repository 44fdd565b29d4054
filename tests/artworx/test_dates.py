"""The date bounds shared by every app (artworx.dates)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from artworx.dates import (
    DateField,
    add_months,
    validate_date_in_range,
    validate_length,
    validate_start_date,
)
from tests.factories import ClosureFactory

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 8, 31), 18, date(2029, 2, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),
    ],
)
def test_it_adds_months_keeping_to_the_months_last_day(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1899, 12, 31), date(2101, 1, 1), date(9999, 12, 31)])
def test_it_refuses_a_date_before_1900_or_after_2100(day):
    with pytest.raises(ValidationError) as refusal:
        validate_date_in_range(day)
    assert refusal.value.code == "date_out_of_range"


@pytest.mark.parametrize("day", [None, date(1900, 1, 1), date(2100, 12, 31)])
def test_it_takes_the_bounds_themselves_and_no_date(day):
    validate_date_in_range(day)


def test_a_start_may_be_a_year_ahead_and_not_a_day_more():
    validate_start_date(date(2027, 11, 30), today=TODAY)
    with pytest.raises(ValidationError) as refusal:
        validate_start_date(date(2027, 12, 1), today=TODAY)
    assert refusal.value.code == "start_too_far_ahead"


def test_a_start_out_of_range_is_refused_as_such():
    with pytest.raises(ValidationError) as refusal:
        validate_start_date(date(1, 1, 1), today=TODAY)
    assert refusal.value.code == "date_out_of_range"


def test_a_range_may_last_up_to_its_months_and_not_a_day_more():
    first = date(2026, 9, 1)
    rule = {"months": 18, "message": "until %(date)s", "code": "too_long"}
    validate_length(first, date(2028, 2, 29), **rule)
    with pytest.raises(ValidationError) as refusal:
        validate_length(first, date(2028, 3, 1), **rule)
    assert refusal.value.code == "too_long"
    assert refusal.value.messages == ["until 02/29/2028"]


def test_a_form_date_out_of_range_is_a_field_error_not_a_server_error():
    field = DateField()
    assert field.clean("2026-11-30") == date(2026, 11, 30)
    with pytest.raises(ValidationError, match="between"):
        field.clean("9999-12-31")
    assert field.widget_attrs(field.widget) == {"min": "1900-01-01", "max": "2100-12-31"}


def test_every_date_of_a_record_gets_the_bound_in_full_clean(db):
    closure = ClosureFactory.build(starts_on=date(1000, 1, 1), ends_on=date(1000, 1, 1) + timedelta(days=1))
    with pytest.raises(ValidationError) as refusal:
        closure.full_clean()
    assert set(refusal.value.message_dict) == {"starts_on", "ends_on"}
