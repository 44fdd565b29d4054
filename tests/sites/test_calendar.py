"""The instructional calendar: weekdays that are not closures (DESIGN.md rule 5)."""

from datetime import date, timedelta

import pytest

from sites.calendar import InstructionalCalendar, calendars_for_sites
from tests.factories import ClosureFactory

MONDAY = date(2026, 9, 14)


def test_it_counts_the_start_as_day_one_when_it_is_a_weekday():
    assert InstructionalCalendar().nth_day(MONDAY, 1) == MONDAY


def test_it_skips_weekends():
    calendar = InstructionalCalendar()
    assert calendar.nth_day(MONDAY, 5) == date(2026, 9, 18)  # Friday
    assert calendar.nth_day(MONDAY, 6) == date(2026, 9, 21)  # next Monday
    assert calendar.nth_day(MONDAY, 80) == date(2027, 1, 1)  # 16 weeks of 5 days, no closures


def test_a_start_on_a_weekend_begins_on_the_next_weekday():
    assert InstructionalCalendar().nth_day(date(2026, 9, 12), 1) == MONDAY


def test_a_start_on_a_closure_begins_after_it():
    calendar = InstructionalCalendar([(MONDAY, date(2026, 9, 15))])
    assert calendar.nth_day(MONDAY, 1) == date(2026, 9, 16)


def test_a_closure_at_the_end_pushes_the_due_date():
    calendar = InstructionalCalendar([(date(2026, 9, 18), date(2026, 9, 18))])
    assert calendar.nth_day(MONDAY, 5) == date(2026, 9, 21)


def test_overlapping_closures_count_each_day_once():
    one = InstructionalCalendar([(date(2026, 9, 15), date(2026, 9, 17))])
    two = InstructionalCalendar(
        [(date(2026, 9, 15), date(2026, 9, 16)), (date(2026, 9, 16), date(2026, 9, 17))]
    )
    assert one.nth_day(MONDAY, 10) == two.nth_day(MONDAY, 10) == date(2026, 9, 30)


def test_it_counts_february_29_in_a_leap_year():
    calendar = InstructionalCalendar()
    assert calendar.is_instructional(date(2028, 2, 29))  # a Tuesday
    assert calendar.nth_day(date(2028, 2, 28), 2) == date(2028, 2, 29)
    assert calendar.nth_day(date(2027, 2, 26), 2) == date(2027, 3, 1)  # 2027 has no 29th


def test_eighty_days_over_winter_break_and_a_configured_length():
    calendar = InstructionalCalendar(
        [(date(2026, 12, 21), date(2027, 1, 1)), (date(2026, 11, 26), date(2026, 11, 27))]
    )
    assert calendar.nth_day(MONDAY, 80) == date(2027, 1, 19)  # 12 closed weekdays push it 12 days
    assert calendar.nth_day(MONDAY, 60) == date(2026, 12, 8)  # 60 weekdays end Fri Dec 4; Thanksgiving adds 2


def test_it_counts_instructional_days_in_a_range():
    calendar = InstructionalCalendar([(date(2026, 9, 16), date(2026, 9, 16))])
    assert calendar.count(MONDAY, date(2026, 9, 20)) == 4
    assert calendar.count(MONDAY, MONDAY) == 1
    assert calendar.count(date(2026, 9, 20), MONDAY) == 0


def test_it_refuses_a_day_zero():
    with pytest.raises(ValueError):
        InstructionalCalendar().nth_day(MONDAY, 0)


@pytest.mark.django_db
def test_site_calendars_see_their_own_and_the_organisations_closures(
    site, other_site, django_assert_num_queries
):
    ClosureFactory(name="Org", starts_on=date(2026, 9, 15), ends_on=date(2026, 9, 15))
    ClosureFactory(name="Here", site=site, starts_on=date(2026, 9, 16), ends_on=date(2026, 9, 16))
    with django_assert_num_queries(1):
        calendars = calendars_for_sites([site.pk, other_site.pk])
    assert not calendars[site.pk].is_instructional(date(2026, 9, 16))
    assert calendars[other_site.pk].is_instructional(date(2026, 9, 16))
    assert not calendars[other_site.pk].is_instructional(date(2026, 9, 15))
    assert not calendars[None].is_instructional(date(2026, 9, 15))


def test_counting_matches_walking_day_by_day_over_many_ranges():
    """The arithmetic count agrees with checking every day, closures and weekends included."""
    import random

    rng = random.Random(5)
    closures = []
    for _ in range(12):
        first = date(2026, 1, 1) + timedelta(days=rng.randint(0, 500))
        closures.append((first, first + timedelta(days=rng.randint(0, 9))))
    calendar = InstructionalCalendar(closures)
    for _ in range(400):
        first = date(2026, 1, 1) + timedelta(days=rng.randint(-20, 520))
        last = first + timedelta(days=rng.randint(-3, 200))
        walked = sum(
            1 for n in range((last - first).days + 1) if calendar.is_instructional(first + timedelta(days=n))
        )
        assert calendar.count(first, last) == walked, (first, last)


def test_the_nth_day_matches_walking_day_by_day_over_many_calendars():
    """The arithmetic n-th instructional day agrees with walking the days one by one, counting only
    those no weekend or closure takes, from starts on weekdays, weekends and closed days."""
    import random

    rng = random.Random(11)
    for _ in range(300):
        base = date(2026, 1, 1) + timedelta(days=rng.randint(0, 600))
        closures = []
        for _ in range(rng.randint(0, 12)):
            first = base + timedelta(days=rng.randint(-30, 300))
            closures.append((first, first + timedelta(days=rng.randint(0, 12))))
        calendar = InstructionalCalendar(closures)
        start, n = base + timedelta(days=rng.randint(0, 30)), rng.randint(1, 130)
        day, left = start - timedelta(days=1), n
        while left:
            day += timedelta(days=1)
            left -= calendar.is_instructional(day)
        assert calendar.nth_day(start, n) == day, (start, n, closures)


@pytest.mark.django_db
def test_calendars_are_built_once_per_set_of_closures_and_anew_when_one_changes(site, other_site):
    ClosureFactory(site=None)
    first = calendars_for_sites([site.pk, other_site.pk])
    # Two sites with the same closures share one calendar, built once for this process.
    assert first[site.pk] is first[other_site.pk]
    assert calendars_for_sites([site.pk])[site.pk] is first[site.pk]
    ClosureFactory(site=site, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 1))
    after = calendars_for_sites([site.pk, other_site.pk])
    assert not after[site.pk].is_instructional(date(2026, 12, 1))
    assert after[other_site.pk] is first[other_site.pk]
    assert after[other_site.pk].is_instructional(date(2026, 12, 1))


def test_a_count_asked_again_is_still_the_days_walked():
    calendar = InstructionalCalendar([(date(2026, 11, 25), date(2026, 11, 27))])
    ranges = [(date(2026, 11, 2), date(2026, 11, 30)), (date(2026, 11, 26), date(2026, 12, 1))]
    for first, last in ranges * 2:  # the second time from the counts kept
        days = (last - first).days + 1
        walked = sum(calendar.is_instructional(first + timedelta(days=n)) for n in range(days))
        assert calendar.count(first, last) == walked
    assert set(calendar.counted) == set(ranges)
