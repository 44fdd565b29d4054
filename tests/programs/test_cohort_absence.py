"""The cohorts' chronic absence (programs/totals.py, COHORT_ABSENCE): a total of the participations'
totals, which carry their participation's cohort and status; counted again when the thresholds are saved,
and right when marks, ends and new thresholds are written at the same moment."""

from datetime import date, time

import pytest

from programs.models import AbsenceThresholds, Attendance, CohortAbsenceTotals, Participation, Session
from programs.services import participation_end, session_log_attendance
from tests.concurrency import interleave, race
from tests.factories import CohortFactory, StudentFactory
from tests.reports.test_running_totals import recount_cohorts

pytestmark = pytest.mark.django_db


def cohort_totals(cohort) -> tuple[int, int]:
    """(current participants with a mark, chronically absent) of the cohort."""
    row = CohortAbsenceTotals.objects.filter(cohort=cohort).first()
    return (row.participants, row.chronic) if row else (0, 0)


def counted() -> dict[int, tuple[int, int]]:
    rows = CohortAbsenceTotals.objects.exclude(participants=0, chronic=0)
    return {row.cohort_id: (row.participants, row.chronic) for row in rows}


def thresholds(*, min_sessions: int, percent: int) -> None:
    """Saved as the admin console saves them."""
    saved = AbsenceThresholds.current()
    saved.chronic_absence_min_sessions, saved.chronic_absence_percent = min_sessions, percent
    saved.save()


def test_marks_ends_moves_and_new_thresholds_move_the_cohorts_totals(session, participants, users, cohort):
    thresholds(min_sessions=1, percent=50)
    marks = {participants[0].pk: "P", participants[1].pk: "U", participants[2].pk: "E"}
    session_log_attendance(session=session, marks=marks, topic="Light", by=users["teaching_artist"])
    assert cohort_totals(cohort) == (3, 2)

    participation_end(participation=participants[1], status="withdrawn", on=session.date)
    assert cohort_totals(cohort) == (2, 1)
    other = CohortFactory(site=cohort.site)
    Participation.objects.filter(pk=participants[2].pk).update(cohort=other)  # as the admin may
    assert (cohort_totals(cohort), cohort_totals(other)) == ((1, 0), (1, 1))

    thresholds(min_sessions=2, percent=50)  # nobody has two marks yet
    assert (cohort_totals(cohort), cohort_totals(other)) == ((1, 0), (1, 0))
    AbsenceThresholds.objects.all().delete()  # the defaults again: 10 % of at least 10 sessions
    assert counted() == recount_cohorts() == {cohort.pk: (1, 0), other.pk: (1, 0)}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mark_first", [True, False], ids=["first mark first", "end first"])
def test_a_first_mark_and_an_end_written_at_once_leave_the_participation_as_committed(
    session, participants, mark_first
):
    """Either may start first: the other waits for it on the totals row, and the row ends withdrawn."""
    ended = participants[0]

    def mark():
        Attendance.objects.create(session=session, participation=ended, mark="U")

    def end():
        Participation.objects.filter(pk=ended.pk).update(status="withdrawn")

    interleave(*((mark, end) if mark_first else (end, mark)))
    assert (ended.totals.status, ended.totals.marks) == ("withdrawn", 1)
    assert counted() == recount_cohorts() == {}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("roll_first", [True, False], ids=["roll first", "thresholds first"])
def test_a_roll_and_new_thresholds_written_at_once_count_every_mark_under_the_new_thresholds(
    session, participants, roll_first
):
    """The recount waits for the marks in flight, and marks written meanwhile wait for the recount: none
    is added under the thresholds it replaced."""
    absent = {p.pk: "U" for p in participants}

    def roll():
        Attendance.objects.bulk_create(
            Attendance(session=session, participation_id=pk, mark=mark) for pk, mark in absent.items()
        )

    def new_thresholds():
        thresholds(min_sessions=1, percent=100)

    interleave(*((roll, new_thresholds) if roll_first else (new_thresholds, roll)))
    assert counted() == recount_cohorts() == {session.cohort_id: (3, 3)}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rolls_ends_and_thresholds_written_at_once_keep_every_cohort_right_and_never_deadlock(site, users):
    cohorts = [CohortFactory(site=site) for _ in range(3)]
    sessions = [
        Session.objects.create(cohort=c, date=day, starts_at=time(15, 30), duration_minutes=90)
        for c in cohorts
        for day in (date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 7))
    ]
    joined = {
        c.pk: [
            Participation.objects.create(cohort=c, student=StudentFactory(), joined_on=date(2026, 9, 14))
            for _ in range(4)
        ]
        for c in cohorts
    }

    def roll(session, mark):
        return lambda: Attendance.objects.bulk_create(
            Attendance(session=session, participation=p, mark=mark) for p in joined[session.cohort_id]
        )

    def end(participation):
        return lambda: Participation.objects.filter(pk=participation.pk).update(status="completed")

    def new_thresholds(min_sessions, percent):
        return lambda: thresholds(min_sessions=min_sessions, percent=percent)

    jobs = [roll(s, "U" if n % 2 else "P") for n, s in enumerate(sessions)]
    jobs += [end(joined[c.pk][0]) for c in cohorts]
    jobs += [new_thresholds(1, 30), new_thresholds(2, 40), new_thresholds(3, 50)]
    assert race(jobs) == {"ok": len(jobs)}
    assert counted() == recount_cohorts()
    assert sum(participants for participants, _chronic in counted().values()) == 9
