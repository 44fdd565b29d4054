"""Each write that changes attendance marks moves their running totals (programs/totals.py): the
session log and its corrections, bulk and raw writes, deletes, a session moved, a cohort moved."""

from datetime import timedelta

import pytest

from programs.models import Attendance, ParticipationTotals, SessionTotals
from programs.services import session_log_attendance
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def participation_totals(participations) -> list[tuple[int, int]]:
    found = {t.participation_id: (t.marks, t.absences) for t in ParticipationTotals.objects.all()}
    return [found.get(p.pk, (0, 0)) for p in participations]


def session_totals(session) -> tuple:
    t = SessionTotals.objects.filter(session=session).first()
    return (t.date, t.site_id, t.marks, t.absences) if t else None


def test_a_first_log_counts_every_mark(session, participants, users):
    marks = {participants[0].pk: "P", participants[1].pk: "U", participants[2].pk: "E"}
    session_log_attendance(session=session, marks=marks, topic="Light", by=users["teaching_artist"])
    assert participation_totals(participants) == [(1, 0), (1, 1), (1, 1)]
    assert session_totals(session) == (session.date, session.cohort.site_id, 3, 2)


def test_a_correction_moves_absences_not_marks(session, participants, all_present, users):
    session_log_attendance(session=session, marks=all_present, topic="Light", by=users["teaching_artist"])
    corrected = {**all_present, participants[1].pk: "U"}
    session_log_attendance(session=session, marks=corrected, topic="Light", by=users["staff"])
    assert participation_totals(participants) == [(1, 0), (1, 1), (1, 0)]
    assert session_totals(session)[2:] == (3, 1)
    # Saved again unchanged (a retry): nothing moves.
    session_log_attendance(session=session, marks=corrected, topic="Light", by=users["staff"])
    assert session_totals(session)[2:] == (3, 1)


def test_bulk_inserts_raw_updates_and_deletes_move_the_totals(session, participants):
    # As the bench and demo generators write: one bulk INSERT of many marks.
    Attendance.objects.bulk_create(
        [Attendance(session=session, participation=p, mark="P") for p in participants]
    )
    assert session_totals(session)[2:] == (3, 0)
    Attendance.objects.filter(participation=participants[0]).update(mark="E")
    assert participation_totals(participants) == [(1, 1), (1, 0), (1, 0)]
    Attendance.objects.filter(participation=participants[2]).delete()
    assert participation_totals(participants) == [(1, 1), (1, 0), (0, 0)]
    assert session_totals(session)[2:] == (2, 1)


def test_a_moved_session_and_a_moved_cohort_carry_their_totals(session, participants, all_present, users):
    session_log_attendance(session=session, marks=all_present, topic="Light", by=users["teaching_artist"])
    session.date -= timedelta(days=1)
    session.save()
    elsewhere = SiteFactory()
    cohort = session.cohort
    cohort.site = elsewhere
    cohort.save()
    assert session_totals(session) == (session.date, elsewhere.pk, 3, 0)
