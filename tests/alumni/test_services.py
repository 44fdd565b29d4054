"""Graduation into alumni records, check-ins and the cadence."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from alumni.models import Alumnus, CheckIn
from alumni.selectors import outcomes_by_year
from alumni.services import check_in_record, next_check_in_date
from students.models import ExitReason
from students.services import enrollment_exit
from tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


def test_graduating_opens_the_alumni_record_in_the_same_transaction(users, enrollment):
    contacts = users["staff"], users["counselor"]
    enrollment.student.phone = "(323) 555-0101"
    enrollment.student.save()
    enrollment_exit(
        enrollment=enrollment,
        ended_on=date(2026, 6, 12),
        exit_reason=ExitReason.GRADUATED,
        diploma="hiset",
        notes="Community college in the fall",
    )
    alumnus = Alumnus.objects.get(student=enrollment.student)
    assert (alumnus.graduated_on, alumnus.diploma, alumnus.phone) == (
        date(2026, 6, 12),
        "hiset",
        "(323) 555-0101",
    )
    assert alumnus.plans == "Community college in the fall"
    assert alumnus.next_check_in_on == date(2026, 7, 12)
    assert alumnus.staff_contact in contacts


def test_other_exits_open_no_alumni_record(enrollment):
    enrollment_exit(enrollment=enrollment, ended_on=date(2026, 6, 12), exit_reason=ExitReason.MOVED)
    assert not Alumnus.objects.exists()


def test_a_failed_alumni_record_undoes_the_exit(enrollment):
    with pytest.raises(ValidationError):
        enrollment_exit(
            enrollment=enrollment,
            ended_on=date(2026, 6, 12),
            exit_reason=ExitReason.GRADUATED,
            diploma="bogus",
        )
    enrollment.refresh_from_db()
    assert enrollment.is_open and not Alumnus.objects.exists()


def test_the_new_alumnus_goes_to_the_least_loaded_staff_contact(users, enrollment, graduate):
    # graduate is carried by staff; the next one goes to the counselor, who carries none
    second = EnrollmentFactory(site=enrollment.site, teacher=enrollment.teacher, started_on=date(2024, 9, 3))
    enrollment_exit(enrollment=second, ended_on=date(2026, 6, 12), exit_reason=ExitReason.GRADUATED)
    assert Alumnus.objects.get(student=second.student).staff_contact == users["counselor"]


def test_the_database_keeps_one_alumnus_per_student(graduate):
    with pytest.raises(IntegrityError):
        Alumnus.objects.create(student=graduate.student, graduated_on=date(2026, 1, 1))


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (date(2025, 6, 12), date(2025, 7, 12)),
        (date(2026, 6, 1), date(2026, 7, 1)),
        (date(2026, 6, 12), date(2026, 9, 11)),
    ],
)
def test_the_cadence_is_monthly_in_the_first_year_then_quarterly(after, expected):
    assert next_check_in_date(graduated_on=date(2025, 6, 12), after=after) == expected


def test_a_check_in_moves_the_next_due_date_and_the_current_outcome(graduate, users):
    check_in_record(
        alumnus=graduate,
        date=date(2025, 7, 10),
        staff=users["staff"],
        method="call",
        reached=True,
        outcome="college",
    )
    check_in_record(
        alumnus=graduate,
        date=date(2025, 8, 11),
        staff=users["staff"],
        method="text",
        reached=False,
        outcome="college",
    )
    graduate.refresh_from_db()
    assert graduate.current_outcome == "college"  # an unanswered call does not change where they are
    assert graduate.next_check_in_on == date(2025, 9, 10)
    assert CheckIn.objects.order_by("date").last().outcome == "unknown"


@pytest.mark.parametrize(
    ("day", "next_due", "code"),
    [
        (date(2099, 1, 1), None, "future"),
        (date(2025, 1, 1), None, "before_graduation"),
        (date(2025, 7, 10), date(2025, 7, 10), "next_due"),
    ],
)
def test_it_refuses_bad_check_in_dates_and_writes_nothing(graduate, users, day, next_due, code):
    with pytest.raises(ValidationError) as excinfo:
        check_in_record(
            alumnus=graduate,
            date=day,
            staff=users["staff"],
            method="call",
            reached=True,
            outcome="college",
            next_due_on=next_due,
        )
    assert excinfo.value.code == code
    assert not CheckIn.objects.exists()


def test_outcomes_at_6_and_12_months_count_the_latest_reached_check_in(
    graduate, users, django_assert_num_queries
):
    check_in_record(
        alumnus=graduate,
        date=date(2025, 8, 1),
        staff=users["staff"],
        method="call",
        reached=True,
        outcome="seeking",
    )
    check_in_record(
        alumnus=graduate,
        date=date(2026, 3, 1),
        staff=users["staff"],
        method="call",
        reached=True,
        outcome="creative_job",
    )
    check_in_record(
        alumnus=graduate,
        date=date(2026, 9, 1),
        staff=users["staff"],
        method="call",
        reached=True,
        outcome="college",
    )
    with django_assert_num_queries(1):  # years and every horizon in one grouped query
        (row,) = outcomes_by_year(alumni=Alumnus.objects.all(), today=date(2026, 11, 22))
    assert (row.year, row.alumni) == (2025, 1)
    assert row.at[6] == {"seeking": 1}
    assert row.at[12] == {"creative_job": 1}


def test_a_check_in_recorded_late_moves_the_outcome_of_its_horizon_only(graduate, users):
    def record(day, outcome, reached=True):
        check_in_record(
            alumnus=graduate, date=day, staff=users["staff"], method="call", reached=reached, outcome=outcome
        )
        graduate.refresh_from_db()
        return graduate.current_outcome, graduate.outcome_at_6_months, graduate.outcome_at_12_months

    assert record(date(2026, 9, 1), "college") == ("college", "", "")
    # Recorded afterwards but dated in the first months: both horizons, not the outcome now.
    assert record(date(2025, 8, 1), "seeking") == ("college", "seeking", "seeking")
    assert record(date(2026, 3, 1), "creative_job") == ("college", "seeking", "creative_job")
    # Not reached: it says nothing of where they are; the outcomes kept stay.
    assert record(date(2025, 9, 1), "", reached=False) == ("college", "seeking", "creative_job")


def test_a_horizon_counts_only_once_it_has_passed(graduate):
    (row,) = outcomes_by_year(alumni=Alumnus.objects.all(), today=date(2026, 3, 1))
    assert (row.eligible[6], row.eligible[12]) == (1, 0)
    assert row.share(12, "college") is None


def test_alumni_never_reached_count_as_not_reached(graduate):
    (row,) = outcomes_by_year(alumni=Alumnus.objects.all(), today=date(2026, 11, 22))
    assert dict(row.at[6]) == {None: 1}
    assert row.lines()[-1][1:3] == (1, 100)


def test_check_in_dates_stay_in_order_in_the_database(graduate, users):
    with pytest.raises(IntegrityError):
        CheckIn.objects.create(
            alumnus=graduate,
            date=date(2025, 7, 1),
            staff=users["staff"],
            method="call",
            outcome="college",
            next_due_on=date(2025, 7, 1) - timedelta(days=1),
        )
