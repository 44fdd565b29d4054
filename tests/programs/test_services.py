"""Rules 8–10 through the programs services."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from artworx import roles
from programs.models import Attendance, Cohort, Participation, Session
from programs.services import (
    cohort_complete,
    cohort_save,
    participation_create,
    participation_end,
    session_add,
    session_cancel,
    session_log_attendance,
    session_move,
)
from tests.factories import (
    ClosureFactory,
    CohortFactory,
    EnrollmentFactory,
    PartnerFactory,
    ProgramFactory,
    SiteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# A Monday some weeks ahead: its sessions lie in the future, and a term may start then (at most a
# year ahead).
MONDAY = timezone.localdate() + timedelta(weeks=4, days=-timezone.localdate().weekday())


def refusal(excinfo) -> str:
    return excinfo.value.code


# Cohorts and their sessions ---------------------------------------------------------------------


def new_cohort(site, **fields) -> Cohort:
    defaults = {
        "program": ProgramFactory(),
        "site": site,
        "term_starts_on": date(2026, 11, 16),
        "term_ends_on": date(2026, 12, 4),
        "meeting_days": "0,2",
        "starts_at": time(15, 30),
        "duration_minutes": 90,
    }
    return Cohort(**{**defaults, **fields})


def test_it_schedules_the_terms_sessions_skipping_closures(site, users):
    ClosureFactory(name="Thanksgiving", starts_on=date(2026, 11, 26), ends_on=date(2026, 11, 27))
    ClosureFactory(name="Site day", site=site, starts_on=date(2026, 11, 30), ends_on=date(2026, 11, 30))
    cohort = cohort_save(
        cohort=new_cohort(site, meeting_days="0,3"), teaching_artists=[users["teaching_artist"]]
    )
    dates = list(cohort.sessions.values_list("date", flat=True))
    # Mondays and Thursdays from Nov 16 to Dec 4, without Thanksgiving (Thu 26) or the site day (Mon 30)
    assert dates == [date(2026, 11, 16), date(2026, 11, 19), date(2026, 11, 23), date(2026, 12, 3)]


def test_a_changed_pattern_cancels_future_sessions_that_no_longer_fit(site, users):
    cohort = cohort_save(
        cohort=new_cohort(site, term_starts_on=MONDAY, term_ends_on=MONDAY + timedelta(days=11)),
        teaching_artists=[],
    )
    assert cohort.sessions.count() == 4  # Mon and Wed of two weeks
    cohort.meeting_days = "4"
    cohort_save(cohort=cohort, teaching_artists=[])
    assert cohort.sessions.filter(status="cancelled").count() == 4
    assert list(cohort.sessions.exclude(status="cancelled").values_list("date", flat=True)) == [
        MONDAY + timedelta(days=4),
        MONDAY + timedelta(days=11),
    ]


@pytest.mark.parametrize(
    ("fields", "artists", "code"),
    [({"meeting_days": ""}, [], "meeting_days"), ({}, ["teacher"], "not_artist")],
)
def test_it_refuses_a_bad_cohort(site, users, fields, artists, code):
    with pytest.raises(ValidationError) as excinfo:
        cohort_save(cohort=new_cohort(site, **fields), teaching_artists=[users[a] for a in artists])
    assert refusal(excinfo) == code
    assert not Cohort.objects.exists()


def test_it_refuses_a_capacity_below_the_participants(cohort, participants):
    cohort.capacity = 2
    with pytest.raises(ValidationError) as excinfo:
        cohort_save(cohort=cohort, teaching_artists=[])
    assert refusal(excinfo) == "capacity_below_enrolled"


def test_the_database_refuses_a_cohort_both_at_a_site_and_a_venue(site):
    with pytest.raises(IntegrityError):
        CohortFactory(site=site, venue=PartnerFactory())


# Cohort enrollment (rule 9) ----------------------------------------------------------------------


def test_it_enrolls_a_student_of_the_cohorts_site(cohort, student, users):
    participation = participation_create(
        cohort=cohort, student=student, joined_on=date(2026, 9, 14), by=users["staff"]
    )
    assert participation.status == "enrolled"


def test_it_refuses_a_student_of_another_site(cohort, other_site, other_teacher, users):
    outsider = EnrollmentFactory(site=other_site, teacher=other_teacher).student
    with pytest.raises(ValidationError) as excinfo:
        participation_create(cohort=cohort, student=outsider, joined_on=date(2026, 9, 14), by=users["staff"])
    assert refusal(excinfo) == "not_enrolled_at_site"


def test_a_partner_venue_cohort_takes_students_of_any_site(other_site, other_teacher, student, users):
    venue_cohort = CohortFactory(site=None, venue=PartnerFactory(name="The Music Center"))
    outsider = EnrollmentFactory(site=other_site, teacher=other_teacher).student
    for s in (student, outsider):
        participation_create(cohort=venue_cohort, student=s, joined_on=date(2026, 9, 14), by=users["staff"])
    assert venue_cohort.participations.count() == 2


def test_the_prerequisite_must_be_completed_or_waived_by_staff(site, student, users):
    level1 = ProgramFactory(name="Photography 1")
    level2 = CohortFactory(
        site=site, program=ProgramFactory(name="Photography 2", level=2, prerequisite=level1)
    )
    with pytest.raises(ValidationError) as excinfo:
        participation_create(cohort=level2, student=student, joined_on=date(2026, 9, 14), by=users["staff"])
    assert refusal(excinfo) == "prerequisite"
    with pytest.raises(ValidationError) as excinfo:
        participation_create(
            cohort=level2,
            student=student,
            joined_on=date(2026, 9, 14),
            by=users["counselor"],
            override_reason="Portfolio",
        )
    assert refusal(excinfo) == "override_not_allowed"
    waived = participation_create(
        cohort=level2,
        student=student,
        joined_on=date(2026, 9, 14),
        by=users["staff"],
        override_reason="Strong portfolio",
    )
    assert waived.override_reason == "Strong portfolio"


def test_completing_a_level_unlocks_the_next(site, student, users):
    level1 = CohortFactory(site=site, program=ProgramFactory(name="Photography 1"))
    level2 = CohortFactory(
        site=site, program=ProgramFactory(name="Photography 2", level=2, prerequisite=level1.program)
    )
    first = participation_create(
        cohort=level1, student=student, joined_on=date(2026, 9, 14), by=users["staff"]
    )
    participation_end(participation=first, status="completed", on=date(2026, 12, 18))
    second = participation_create(
        cohort=level2, student=student, joined_on=date(2026, 12, 1), by=users["staff"]
    )
    assert second.override_reason == ""


def test_a_full_cohort_refuses_and_names_the_limit(site, teacher, users):
    cohort = CohortFactory(site=site, capacity=1)
    students = [EnrollmentFactory(site=site, teacher=teacher).student for _ in range(2)]
    participation_create(cohort=cohort, student=students[0], joined_on=date(2026, 9, 14), by=users["staff"])
    with pytest.raises(ValidationError) as excinfo:
        participation_create(
            cohort=cohort, student=students[1], joined_on=date(2026, 9, 14), by=users["staff"]
        )
    assert refusal(excinfo) == "cohort_full"
    assert "all 1 places are taken" in excinfo.value.messages[0]


def test_a_student_joins_a_cohort_once(cohort, student, users):
    participation_create(cohort=cohort, student=student, joined_on=date(2026, 9, 14), by=users["staff"])
    with pytest.raises(ValidationError) as excinfo:
        participation_create(cohort=cohort, student=student, joined_on=date(2026, 9, 14), by=users["staff"])
    assert refusal(excinfo) == "already_in_cohort"


def test_it_refuses_a_join_date_outside_the_term(cohort, student, users):
    with pytest.raises(ValidationError) as excinfo:
        participation_create(cohort=cohort, student=student, joined_on=date(2027, 3, 1), by=users["staff"])
    assert refusal(excinfo) == "join_date"


def test_end_of_term_completes_everyone_still_enrolled(cohort, participants):
    participation_end(participation=participants[0], status="withdrawn", on=date(2026, 10, 1))
    assert cohort_complete(cohort=cohort, on=date(2026, 12, 18)) == 2
    assert sorted(Participation.objects.values_list("status", flat=True)) == [
        "completed",
        "completed",
        "withdrawn",
    ]


def test_an_ended_participation_cannot_end_again(participants):
    participation_end(participation=participants[0], status="withdrawn", on=date(2026, 10, 1))
    with pytest.raises(ValidationError) as excinfo:
        participation_end(participation=participants[0], status="completed", on=date(2026, 10, 2))
    assert refusal(excinfo) == "participation_ended"


# Single sessions ----------------------------------------------------------------------------------


def test_sessions_are_added_moved_and_cancelled_with_a_reason(cohort):
    extra = session_add(cohort=cohort, date=date(2030, 1, 5), starts_at=time(10), duration_minutes=120)
    moved = session_move(session=extra, date=date(2030, 1, 6), starts_at=time(11), duration_minutes=60)
    assert (moved.date, moved.starts_at) == (date(2030, 1, 6), time(11))
    with pytest.raises(ValidationError) as excinfo:
        session_cancel(session=moved, reason=" ")
    assert refusal(excinfo) == "cancel_reason"
    cancelled = session_cancel(session=moved, reason="Venue flooded")
    assert cancelled.status == "cancelled"
    with pytest.raises(ValidationError):
        session_move(session=cancelled, date=date(2030, 1, 7), starts_at=time(11), duration_minutes=60)


def test_two_sessions_cannot_share_a_time(cohort, session):
    with pytest.raises(ValidationError):
        session_add(cohort=cohort, date=session.date, starts_at=session.starts_at, duration_minutes=60)


# The attendance log (rule 8) ---------------------------------------------------------------------


def test_logging_records_a_mark_for_every_participant(session, all_present, users):
    logged = session_log_attendance(
        session=session, marks=all_present, topic="Light", by=users["teaching_artist"]
    )
    assert logged.status == "logged" and logged.logged_by == users["teaching_artist"]
    assert Attendance.objects.filter(session=session).count() == 3
    assert Attendance.history.filter(history_user=users["teaching_artist"]).count() == 3


def test_a_missing_mark_is_refused_with_the_name_and_nothing_is_written(session, participants, users):
    marks = {p.pk: "P" for p in participants[1:]}
    with pytest.raises(ValidationError) as excinfo:
        session_log_attendance(session=session, marks=marks, topic="", by=users["teaching_artist"])
    assert refusal(excinfo) == "missing_marks"
    assert str(participants[0].student) in excinfo.value.messages[0]
    assert not Attendance.objects.exists()
    session.refresh_from_db()
    assert session.status == "scheduled"


@pytest.mark.parametrize(("extra", "code"), [({999999: "P"}, "not_in_cohort"), ({}, "unknown_mark")])
def test_marks_for_strangers_or_unknown_marks_are_refused(session, participants, users, extra, code):
    marks = {p.pk: "P" for p in participants} | extra
    if code == "unknown_mark":
        marks[participants[0].pk] = "Z"
    with pytest.raises(ValidationError) as excinfo:
        session_log_attendance(session=session, marks=marks, topic="", by=users["teaching_artist"])
    assert refusal(excinfo) == code
    assert not Attendance.objects.exists()


def test_a_cancelled_or_future_session_is_refused(cohort, session, all_present, users):
    session_cancel(session=session, reason="Rain")
    with pytest.raises(ValidationError) as excinfo:
        session_log_attendance(session=session, marks=all_present, topic="", by=users["teaching_artist"])
    assert refusal(excinfo) == "session_cancelled"
    future = Session.objects.create(
        cohort=cohort, date=timezone.localdate() + timedelta(days=1), starts_at=time(9), duration_minutes=60
    )
    with pytest.raises(ValidationError) as excinfo:
        session_log_attendance(session=future, marks=all_present, topic="", by=users["teaching_artist"])
    assert refusal(excinfo) == "future_session"


def test_another_artist_cannot_log_the_session(session, all_present):
    stranger = UserFactory(role=roles.TEACHING_ARTIST)
    with pytest.raises(ValidationError) as excinfo:
        session_log_attendance(session=session, marks=all_present, topic="", by=stranger)
    assert refusal(excinfo) == "not_artist"


def test_an_artist_corrects_a_log_for_seven_days_then_only_staff(session, all_present, participants, users):
    artist = users["teaching_artist"]
    session_log_attendance(session=session, marks=all_present, topic="", by=artist)
    corrected = all_present | {participants[0].pk: "T"}
    session_log_attendance(session=session, marks=corrected, topic="", by=artist)
    Session.objects.filter(pk=session.pk).update(logged_at=timezone.now() - timedelta(days=8))
    with pytest.raises(ValidationError) as excinfo:
        session_log_attendance(session=session, marks=all_present, topic="", by=artist)
    assert refusal(excinfo) == "edit_window_closed"
    session_log_attendance(session=session, marks=all_present, topic="", by=users["staff"])
    mark = Attendance.objects.get(participation=participants[0])
    assert mark.mark == "P"
    assert [h.mark for h in mark.history.order_by("history_date")] == ["P", "T", "P"]
    assert mark.history.first().history_user == users["staff"]


def test_saving_again_updates_marks_instead_of_adding(session, all_present, users):
    session_log_attendance(session=session, marks=all_present, topic="", by=users["teaching_artist"])
    session_log_attendance(session=session, marks=all_present, topic="Again", by=users["teaching_artist"])
    assert Attendance.objects.filter(session=session).count() == 3


def test_a_student_who_joined_later_is_not_expected_on_earlier_sessions(session, participants, users):
    Participation.objects.filter(pk=participants[0].pk).update(joined_on=session.date + timedelta(days=2))
    marks = {p.pk: "P" for p in participants[1:]}
    session_log_attendance(session=session, marks=marks, topic="", by=users["teaching_artist"])
    assert Attendance.objects.filter(session=session).count() == 2


def test_saving_attendance_for_25_takes_a_constant_number_of_queries(
    cohort, session, teacher, users, django_assert_max_num_queries
):
    cohort.site.capacity = 50
    participations = [
        Participation.objects.create(
            cohort=cohort,
            student=EnrollmentFactory(site=cohort.site, teacher=teacher).student,
            joined_on=date(2026, 9, 14),
        )
        for _ in range(25)
    ]
    marks = {p.pk: "P" for p in participations}
    # lock session, artist check, groups, participants, existing marks, insert marks, insert history,
    # save session (+ its history): no query per student
    with django_assert_max_num_queries(12) as first:
        session_log_attendance(session=session, marks=marks, topic="", by=users["teaching_artist"])
    changed = dict.fromkeys(marks, "T")
    with django_assert_max_num_queries(12):
        session_log_attendance(session=session, marks=changed, topic="", by=users["teaching_artist"])
    assert len(first.captured_queries) <= 12
    assert set(Attendance.objects.values_list("mark", flat=True)) == {"T"}


def test_participations_keep_one_open_per_cohort_in_the_database(cohort, participants):
    with pytest.raises(IntegrityError):
        Participation.objects.create(
            cohort=cohort, student=participants[0].student, joined_on=date(2026, 9, 15)
        )


def test_a_site_does_not_need_a_teacher_for_a_cohort():
    cohort = CohortFactory(site=SiteFactory())
    assert cohort.place == cohort.site


def test_a_session_is_logged_once_it_has_begun_not_before(cohort, participants, users):
    started = Session.objects.create(
        cohort=cohort, date=date(2026, 11, 16), starts_at=time(15, 30), duration_minutes=90
    )
    marks = {p.pk: "P" for p in participants}
    at_3_29 = datetime(2026, 11, 16, 15, 29, tzinfo=ZoneInfo("America/Los_Angeles"))
    with time_machine.travel(at_3_29, tick=False):
        with pytest.raises(ValidationError) as excinfo:
            session_log_attendance(session=started, marks=marks, topic="", by=users["teaching_artist"])
        assert refusal(excinfo) == "future_session"
        assert "3:30" in excinfo.value.messages[0]
    with time_machine.travel(at_3_29 + timedelta(minutes=1), tick=False):
        session_log_attendance(session=started, marks=marks, topic="", by=users["teaching_artist"])
    assert Attendance.objects.filter(session=started).count() == len(participants)


def test_a_corrected_mark_moves_its_updated_at_for_the_absence_sweep(
    session, participants, all_present, users
):
    at_5_pm = datetime.combine(session.date, time(17), tzinfo=ZoneInfo("America/Los_Angeles"))
    with time_machine.travel(at_5_pm, tick=False):
        session_log_attendance(session=session, marks=all_present, topic="", by=users["teaching_artist"])
    corrected = {**all_present, participants[0].pk: "U"}
    with time_machine.travel(at_5_pm + timedelta(days=1), tick=False):
        session_log_attendance(session=session, marks=corrected, topic="", by=users["teaching_artist"])
    moved = Attendance.objects.get(participation=participants[0])
    kept = Attendance.objects.get(participation=participants[1])
    assert (moved.mark, moved.updated_at) == ("U", at_5_pm + timedelta(days=1))
    assert kept.updated_at == at_5_pm
