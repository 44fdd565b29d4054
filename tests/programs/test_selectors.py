"""Attendance figures (rule 10) and the artist's session list."""

from datetime import date, time, timedelta

import pytest

from programs.models import AbsenceThresholds, Attendance, Session
from programs.selectors import attendance_figures, attendance_rate, my_sessions

pytestmark = pytest.mark.django_db


def log(cohort, participation, marks: str, start=date(2026, 9, 14)):
    """One session a day from `start`, marked with the letters given (P present, E/U absent)."""
    for n, mark in enumerate(marks.split()):
        session, _created = Session.objects.get_or_create(
            cohort=cohort,
            date=start + timedelta(days=n),
            starts_at=time(15),
            defaults={"duration_minutes": 60, "status": "logged"},
        )
        Attendance.objects.create(session=session, participation=participation, mark=mark)


@pytest.mark.parametrize(
    ("marks", "chronic", "streak", "rate"),
    [
        ("P P P P P P P P P E", True, 1, 90),  # 1 of 10 sessions: exactly 10 % counts
        ("P P P P P P P P P P P E", False, 1, 92),  # 1 of 12: under the line
        ("P P P P P P P P E", False, 1, 89),  # 1 of 9: too few sessions held yet
        ("P P P P P P P U E U", True, 3, 70),  # three in a row, excused counts too
        ("U U P T LE OS P P P P", True, 0, 80),  # tardy, left early and off-site count as attended
    ],
)
def test_figures_follow_californias_chronic_absence_line(cohort, participants, marks, chronic, streak, rate):
    log(cohort, participants[0], marks)
    figures = attendance_figures([participants[0].pk])[participants[0].pk]
    assert (figures.chronically_absent, figures.absences_in_a_row, figures.rate) == (chronic, streak, rate)
    assert figures.absent_in_a_row is (streak >= 3)


def test_the_thresholds_come_from_the_absence_thresholds(cohort, participants):
    log(cohort, participants[0], "P P P P P P P P P E")
    AbsenceThresholds.objects.update_or_create(pk=1, defaults={"chronic_absence_percent": 20})
    figures = attendance_figures([participants[0].pk])[participants[0].pk]
    assert not figures.chronically_absent  # 10 % is under a 20 % line


def test_the_streak_knows_when_it_started(cohort, participants):
    log(cohort, participants[0], "P U E U", start=date(2026, 9, 14))
    figures = attendance_figures([participants[0].pk])[participants[0].pk]
    assert (figures.absences_in_a_row, figures.streak_since) == (3, date(2026, 9, 15))


def test_figures_for_many_participants_take_two_queries(cohort, participants, django_assert_num_queries):
    for participation in participants:
        log(cohort, participation, "P U P")
    with django_assert_num_queries(2):  # the absence thresholds, then every mark at once
        figures = attendance_figures(p.pk for p in participants)
    assert {f.sessions for f in figures.values()} == {3}


def test_the_attendance_rate_counts_absences_in_one_query(cohort, participants, django_assert_num_queries):
    log(cohort, participants[0], "P P U E")
    with django_assert_num_queries(1):
        assert attendance_rate(marks=Attendance.objects.filter(session__cohort=cohort)) == 50
    assert attendance_rate(marks=Attendance.objects.none()) is None


def test_my_sessions_lists_today_then_what_is_still_to_log(cohort, users):
    today = date(2026, 11, 18)

    def make(d, **kw):
        return Session.objects.create(cohort=cohort, date=d, starts_at=time(15), duration_minutes=60, **kw)

    now = make(today)
    late = make(today - timedelta(days=2))
    make(today - timedelta(days=7), status="logged")
    make(today - timedelta(days=9), status="cancelled", cancel_reason="Rain")
    make(today + timedelta(days=1))
    assert my_sessions(user=users["teaching_artist"], today=today) == ([now], [late])
    assert my_sessions(user=users["other_teacher"], today=today) == ([], [])
