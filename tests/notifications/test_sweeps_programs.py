"""Reminder sweeps for sessions not logged, absences and alumni check-ins: once, to the right people."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alumni.models import Alumnus
from alumni.reminders import alumni_check_ins_due
from alumni.services import alumnus_save, check_in_record
from artworx import roles
from notifications.models import Kind, Notification, ReminderSettings
from programs.models import AbsenceThresholds, Attendance, Participation, Session
from programs.reminders import absences, attendance_not_logged
from programs.services import cohort_save, session_log_attendance
from sites.models import Site
from sites.services import site_save
from students.models import ExitReason, SupportProfile
from students.services import enrollment_exit
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory
from tests.notifications.conftest import read

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 16)


def moment(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def recipients(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.fixture(autouse=True)
def responsibility(site, users):
    """The site's lead is the staff user, its counselor the counselor user (DESIGN.md Responsibility);
    other program staff and counselors exist and must hear nothing."""
    Site.objects.filter(pk=site.pk).update(lead=users["staff"], counselor=users["counselor"])
    UserFactory(username="other-staff", role=roles.PROGRAM_STAFF)
    UserFactory(username="other-counselor", role=roles.COUNSELOR)


@pytest.fixture
def cohort(users, site):
    return CohortFactory(site=site, teaching_artists=[users["teaching_artist"]])


@pytest.fixture
def session(cohort):
    """Monday 15:30–17:00 in Los Angeles."""
    return Session.objects.create(cohort=cohort, date=MONDAY, starts_at=time(15, 30), duration_minutes=90)


def test_an_unlogged_session_reminds_its_artist_two_hours_after_it_ended(session, users):
    assert attendance_not_logged(now=moment(MONDAY, 18, 59)) == 0
    assert attendance_not_logged(now=moment(MONDAY, 19, 0)) == 1
    assert recipients(Kind.ATTENDANCE_NOT_LOGGED) == {"artist"}
    assert attendance_not_logged(now=moment(MONDAY, 21)) == 0  # once, however often the sweep runs


def test_after_48_hours_program_staff_hear_of_it(session, users):
    attendance_not_logged(now=moment(MONDAY, 19))
    assert attendance_not_logged(now=moment(MONDAY + timedelta(days=2), 17)) == 1
    assert recipients(Kind.ATTENDANCE_NOT_LOGGED) == {"artist", "staff"}
    staff_note = Notification.objects.get(recipient=users["staff"])
    assert "Still not logged after 48 hours" in read(staff_note)[0]
    assert staff_note.link_url.endswith(f"/programs/cohorts/{session.cohort_id}/")


def test_logged_or_cancelled_sessions_are_left_alone(session, cohort, users):
    Session.objects.filter(pk=session.pk).update(status="cancelled", cancel_reason="Rain")
    Session.objects.create(
        cohort=cohort,
        date=MONDAY - timedelta(days=2),
        starts_at=time(10),
        duration_minutes=60,
        status="logged",
    )
    assert attendance_not_logged(now=moment(MONDAY + timedelta(days=5), 9)) == 0


def test_the_thresholds_follow_the_reminder_settings(session):
    ReminderSettings.objects.update_or_create(
        pk=1, defaults={"attendance_remind_after_hours": 5, "attendance_escalate_after_hours": 6}
    )
    assert attendance_not_logged(now=moment(MONDAY, 21, 59)) == 0
    assert attendance_not_logged(now=moment(MONDAY, 23)) == 2  # the artist and, at 6 hours, staff


def log_marks(cohort, participation, marks: str, by, first=date(2026, 9, 14)):
    for n, mark in enumerate(marks.split()):
        session = Session.objects.create(
            cohort=cohort, date=first + timedelta(days=7 * n), starts_at=time(15), duration_minutes=60
        )
        # Logged now; at a suite's moment before the session (tests/clock.py), as soon as it ended.
        logged_at = max(timezone.now(), moment(session.date, 16))
        with time_machine.travel(logged_at):
            session_log_attendance(session=session, marks={participation.pk: mark}, topic="", by=by)


@pytest.fixture
def participation(cohort, enrollment):
    return Participation.objects.create(
        cohort=cohort, student=enrollment.student, joined_on=date(2026, 9, 14)
    )


def test_three_absences_in_a_row_tell_the_teacher_and_the_site_lead_once_per_run(
    cohort, participation, users
):
    log_marks(cohort, participation, "P P U E", users["staff"])
    now = moment(date(2026, 10, 20), 9)
    assert absences(now=now) == 0
    log_marks(cohort, participation, "U", users["staff"], first=date(2026, 10, 12))
    assert absences(now=now) == 2
    assert recipients(Kind.CONSECUTIVE_ABSENCES) == {"teacher", "staff"}
    log_marks(cohort, participation, "U", users["staff"], first=date(2026, 10, 19))
    assert absences(now=now) == 0  # the same run, now four long: no second message
    log_marks(cohort, participation, "P U U U", users["staff"], first=date(2026, 10, 26))
    absences(now=moment(date(2026, 11, 20), 9))
    # a new run is a new message (and by now the student is over the chronic-absence line too)
    assert Notification.objects.filter(kind=Kind.CONSECUTIVE_ABSENCES).count() == 4


def test_crossing_the_chronic_absence_line_tells_the_teacher_and_the_site_counselor(
    cohort, participation, users
):
    log_marks(cohort, participation, "P P P P P P P P P E", users["staff"])
    assert absences(now=moment(date(2026, 11, 20), 9)) == 2
    assert recipients(Kind.CHRONIC_ABSENCE) == {"teacher", "counselor"}
    note = Notification.objects.filter(kind=Kind.CHRONIC_ABSENCE).first()
    assert "absent from 1 of the 10 sessions" in read(note)[1]
    assert absences(now=moment(date(2026, 11, 21), 9)) == 0


def test_absence_notices_carry_no_support_flags_or_notes(cohort, participation, users):
    SupportProfile.objects.filter(student=participation.student).update(
        on_probation=True, mental_health=True, private_notes="SENTINEL-NOTE"
    )
    log_marks(cohort, participation, "U U U U U U U U U U", users["staff"])
    absences(now=moment(date(2026, 11, 20), 9))
    for note in Notification.objects.all():
        for secret in ("SENTINEL", "probation", "mental"):
            assert secret not in "".join(read(note)) + repr(note.context)


def test_the_absence_sweep_takes_the_same_queries_for_few_or_many(cohort, teacher, users):
    @time_machine.travel(moment(date(2026, 11, 10), 8, 30))  # saved after the first pass, before the others
    def add(n):
        for _ in range(n):
            p = Participation.objects.create(
                cohort=cohort,
                student=EnrollmentFactory(site=cohort.site, teacher=teacher).student,
                joined_on=date(2026, 9, 14),
            )
            for s in cohort.sessions.all():
                Attendance.objects.create(session=s, participation=p, mark="U")

    for n in range(3):
        Session.objects.create(
            cohort=cohort,
            date=date(2026, 11, 2) + timedelta(days=n),
            starts_at=time(15),
            duration_minutes=60,
            status="logged",
        )
    absences(now=moment(date(2026, 11, 9), 9))  # a first, full pass; the ones measured read what changed
    ContentType.objects.get_for_model(Participation)  # cached per process: filled by whichever test ran first
    add(2)
    cache.clear()  # both passes read the thresholds afresh (kept ones expire across the travels above)
    with CaptureQueriesContext(connection) as few:
        absences(now=moment(date(2026, 11, 10), 9))
    Notification.objects.all().delete()
    add(10)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        absences(now=moment(date(2026, 11, 10), 9))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert Notification.objects.filter(kind=Kind.CONSECUTIVE_ABSENCES).count() == 12 * 2


@pytest.fixture
def graduate(users, site, teacher):
    enrollment = EnrollmentFactory(site=site, teacher=teacher, started_on=date(2024, 9, 3))
    enrollment_exit(enrollment=enrollment, ended_on=date(2025, 6, 12), exit_reason=ExitReason.GRADUATED)
    alumnus = Alumnus.objects.get(student=enrollment.student)
    Alumnus.objects.filter(pk=alumnus.pk).update(staff_contact=users["counselor"])
    return alumnus


def test_a_due_check_in_reminds_the_staff_contact_once_per_due_date(graduate, users):
    assert alumni_check_ins_due(now=moment(date(2025, 7, 11), 9)) == 0
    assert alumni_check_ins_due(now=moment(date(2025, 7, 12), 9)) == 1
    assert recipients(Kind.ALUMNI_CHECK_IN_DUE) == {"counselor"}
    assert alumni_check_ins_due(now=moment(date(2025, 7, 20), 9)) == 0
    check_in_record(
        alumnus=graduate,
        date=date(2025, 7, 20),
        staff=users["counselor"],
        method="call",
        reached=True,
        outcome="college",
    )
    assert alumni_check_ins_due(now=moment(date(2025, 8, 19), 9)) == 1  # the next due date, once


def test_a_new_staff_contact_takes_over_the_open_check_in_item(graduate, users):
    assert alumni_check_ins_due(now=moment(date(2025, 7, 12), 9)) == 1
    graduate.refresh_from_db()
    graduate.staff_contact = users["staff"]
    alumnus_save(alumnus=graduate)
    item = Notification.objects.get(kind=Kind.ALUMNI_CHECK_IN_DUE)
    assert (item.recipient, item.closed_at) == (users["staff"], None)
    assert alumni_check_ins_due(now=moment(date(2025, 7, 12), 10)) == 0  # no second item for the newcomer


def test_only_program_staff_and_counselors_are_alumni_contacts_and_nothing_moves_otherwise(graduate, users):
    alumni_check_ins_due(now=moment(date(2025, 7, 12), 9))
    graduate.refresh_from_db()
    graduate.staff_contact = users["teacher"]
    with pytest.raises(ValidationError, match="cannot be an alumni contact"):
        alumnus_save(alumnus=graduate)
    graduate.refresh_from_db()
    assert graduate.staff_contact == users["counselor"]
    assert recipients(Kind.ALUMNI_CHECK_IN_DUE) == {"counselor"}


def test_withdrawn_consent_closes_the_open_check_in_item(graduate):
    alumni_check_ins_due(now=moment(date(2025, 7, 12), 9))
    graduate.refresh_from_db()
    graduate.consents_to_contact = False
    alumnus_save(alumnus=graduate)
    assert Notification.objects.get(kind=Kind.ALUMNI_CHECK_IN_DUE).closed_at is not None


def test_an_artist_taken_off_a_cohort_no_longer_owes_its_rolls(session, users):
    attendance_not_logged(now=moment(MONDAY, 19))
    newcomer = UserFactory(username="new-artist", role=roles.TEACHING_ARTIST)
    cohort = session.cohort
    cohort_save(cohort=cohort, teaching_artists=[newcomer])
    leaver_item = Notification.objects.get(recipient=users["teaching_artist"])
    assert leaver_item.closed_at is not None
    attendance_not_logged(now=moment(MONDAY, 19, 15))
    # The newcomer owes this roll now (and any other the saved cohort laid out); the leaver owes none.
    assert Notification.objects.filter(
        recipient=newcomer, subject_id=session.pk, closed_at__isnull=True
    ).exists()
    assert not Notification.objects.filter(
        recipient=users["teaching_artist"], closed_at__isnull=True
    ).exists()


def test_no_reminders_about_an_alumnus_who_withdrew_consent(graduate):
    Alumnus.objects.filter(pk=graduate.pk).update(consents_to_contact=False)
    assert alumni_check_ins_due(now=moment(date(2026, 1, 1), 9)) == 0
    assert graduate.check_ins.count() == 0 and Alumnus.objects.filter(pk=graduate.pk).exists()


def test_a_spanish_speaking_artist_reads_the_reminder_in_spanish(session, users):
    users["teaching_artist"].language = "es"
    users["teaching_artist"].save()
    attendance_not_logged(now=moment(MONDAY, 19))
    note = Notification.objects.get(recipient=users["teaching_artist"])
    title, body = read(note)
    assert title.startswith("Registre la asistencia")
    assert "todavía no se ha registrado" in body


def test_after_a_first_pass_the_absence_sweep_reads_only_participants_with_new_marks(
    cohort, participation, users
):
    log_marks(cohort, participation, "P P P P P P P", users["staff"])
    assert absences(now=moment(date(2026, 11, 20), 9)) == 0  # the first pass reads everyone
    # Marks saved long before that run are not read again: these (backdated) absences stay unread
    # until a mark of the participant changes.
    log_marks(cohort, participation, "U U U", users["staff"], first=date(2026, 11, 2))
    Attendance.objects.update(updated_at=moment(date(2026, 11, 1), 9))
    assert absences(now=moment(date(2026, 11, 20), 10)) == 0
    with time_machine.travel(moment(date(2026, 11, 20), 10, 30)):  # saved again after that run
        Attendance.objects.filter(mark="U").latest("session__date").save()
    # Three in a row to the teacher and the site lead; 3 of 10 sessions over the chronic line to
    # the teacher and the site counselor.
    assert absences(now=moment(date(2026, 11, 20), 11)) == 4


def test_changing_the_absence_thresholds_makes_the_next_sweep_read_everyone(cohort, participation, users):
    log_marks(cohort, participation, "P P P P P P P P E E", users["staff"])
    Attendance.objects.update(updated_at=moment(date(2026, 11, 1), 9))
    settings = AbsenceThresholds.current()
    settings.chronic_absence_percent = 50
    settings.save()
    assert absences(now=moment(date(2026, 11, 20), 9)) == 0  # 20 % is under the line of 50 %
    Attendance.objects.update(updated_at=moment(date(2026, 11, 1), 9))
    settings.chronic_absence_percent = 20
    with time_machine.travel(moment(date(2026, 11, 20), 9, 30)):  # after that run, in the admin console
        settings.save()  # recorded in the history
    assert absences(now=moment(date(2026, 11, 20), 10)) == 2


def test_a_session_logged_by_anyone_closes_its_items_for_everyone(session, cohort, users, enrollment):
    participation = Participation.objects.create(
        cohort=cohort, student=enrollment.student, joined_on=date(2026, 9, 14)
    )
    attendance_not_logged(now=moment(MONDAY + timedelta(days=2), 17))
    assert Notification.objects.open(today=MONDAY).filter(kind=Kind.ATTENDANCE_NOT_LOGGED).count() == 2
    with time_machine.travel(moment(MONDAY + timedelta(days=2), 18)):  # logged after the reminders
        session_log_attendance(session=session, marks={participation.pk: "P"}, topic="", by=users["staff"])
    assert not Notification.objects.open(today=MONDAY).filter(kind=Kind.ATTENDANCE_NOT_LOGGED).exists()


def test_chronic_absence_closes_when_the_student_is_back_under_the_line(cohort, participation, users):
    log_marks(cohort, participation, "P P P P P P P P P E", users["staff"])
    absences(now=moment(date(2026, 11, 18), 9))
    assert Notification.objects.filter(kind=Kind.CHRONIC_ABSENCE, closed_at__isnull=True).count() == 2
    with time_machine.travel(moment(date(2026, 11, 18), 12)):  # between the two sweeps
        log_marks(cohort, participation, "P", users["staff"], first=date(2026, 11, 17))  # 1 of 11: under
    absences(now=moment(date(2026, 11, 18), 15))
    assert not Notification.objects.filter(kind=Kind.CHRONIC_ABSENCE, closed_at__isnull=True).exists()


def test_a_new_site_counselor_takes_over_the_open_items(cohort, participation, users, site):
    log_marks(cohort, participation, "P P P P P P P P P E", users["staff"])
    absences(now=moment(date(2026, 11, 20), 9))
    newcomer = UserFactory(username="new-counselor", role=roles.COUNSELOR)
    site.refresh_from_db()
    site.counselor = newcomer
    site_save(site=site, teachers=list(site.teachers.all()))
    assert recipients(Kind.CHRONIC_ABSENCE) == {"teacher", "new-counselor"}
    assert absences(now=moment(date(2026, 11, 21), 9)) == 0  # the sweep writes no second item
