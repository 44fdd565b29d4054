"""Races on PostgreSQL: the last cohort place, a capacity cut, and two artists saving one session at once."""

from datetime import date, time

import pytest

from artworx import roles
from programs.models import Attendance, Cohort, Participation, Session, SessionLogSubmission
from programs.services import cohort_save, participation_create, session_log_attendance
from tests.concurrency import race, race_measured
from tests.factories import (
    CohortFactory,
    EnrollmentFactory,
    PartnerFactory,
    SiteFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_last_place_in_a_cohort_goes_to_exactly_one_of_many():
    teacher = TeacherFactory()
    site = SiteFactory(teachers=[teacher])
    staff = UserFactory(role=roles.PROGRAM_STAFF)
    cohort = CohortFactory(site=site, capacity=1)
    students = [EnrollmentFactory(site=site, teacher=teacher).student for _ in range(25)]
    jobs = [
        lambda s=s: participation_create(cohort=cohort, student=s, joined_on=date(2026, 9, 14), by=staff)
        for s in students
    ]
    assert race(jobs) == {"ok": 1, "cohort_full": 24}
    assert Participation.objects.filter(cohort=cohort).count() == 1


def test_two_artists_saving_one_session_leave_one_mark_per_student():
    teacher = TeacherFactory()
    site = SiteFactory(teachers=[teacher])
    artists = [UserFactory(role=roles.TEACHING_ARTIST) for _ in range(2)]
    cohort = CohortFactory(site=site, teaching_artists=artists)
    participations = [
        Participation.objects.create(
            cohort=cohort,
            student=EnrollmentFactory(site=site, teacher=teacher).student,
            joined_on=date(2026, 9, 14),
        )
        for _ in range(20)
    ]
    session = Session.objects.create(
        cohort=cohort, date=date(2026, 11, 16), starts_at=time(15), duration_minutes=60
    )
    jobs = [
        lambda artist=artist, mark=mark: session_log_attendance(
            session=session, marks={p.pk: mark for p in participations}, topic=mark, by=artist
        )
        for artist, mark in [(artists[0], "P"), (artists[1], "T")] * 3
    ]
    assert race(jobs) == {"ok": 6}
    assert Attendance.objects.filter(session=session).count() == 20
    session.refresh_from_db()
    # Whichever save came last wins, whole: its topic and its marks agree.
    assert set(Attendance.objects.filter(session=session).values_list("mark", flat=True)) == {session.topic}


def test_one_offline_save_delivered_many_times_at_once_is_applied_once():
    """A phone retrying while its first delivery is still in flight: the key is saved once."""
    import uuid

    teacher = TeacherFactory()
    site = SiteFactory(teachers=[teacher])
    artist = UserFactory(role=roles.TEACHING_ARTIST)
    cohort = CohortFactory(site=site, teaching_artists=[artist])
    participations = [
        Participation.objects.create(
            cohort=cohort,
            student=EnrollmentFactory(site=site, teacher=teacher).student,
            joined_on=date(2026, 9, 14),
        )
        for _ in range(10)
    ]
    session = Session.objects.create(
        cohort=cohort, date=date(2026, 11, 16), starts_at=time(15), duration_minutes=60
    )
    key = uuid.uuid4()
    jobs = [
        lambda: session_log_attendance(
            session=session,
            marks={p.pk: "P" for p in participations},
            topic="Collage",
            by=artist,
            revision=0,
            submission_key=key,
        )
        for _ in range(8)
    ]
    assert race(jobs) == {"ok": 8}
    session.refresh_from_db()
    assert session.log_revision == 1
    assert Attendance.objects.filter(session=session).count() == 10
    assert SessionLogSubmission.objects.filter(key=key).count() == 1


RACE_REQUESTS = 60  # at least 50 at once behind one barrier
CUTS = 10  # of which capacity cuts from 25 to 20; the rest add a participant


def test_a_capacity_cut_racing_new_participants_never_leaves_a_cohort_over_capacity():
    """Cutting 25 to 20 while staff add students: the cut or the additions lose, never both pass."""
    staff = UserFactory(role=roles.PROGRAM_STAFF)
    cohort = CohortFactory(site=None, venue=PartnerFactory(), capacity=25)  # open to every site
    students = []
    while len(students) < 20 + RACE_REQUESTS - CUTS:
        teachers = TeacherFactory.create_batch(2)
        site = SiteFactory(capacity=50, teachers=teachers)
        students += [EnrollmentFactory(site=site, teacher=teachers[n % 2]).student for n in range(50)]
    for student in students[:20]:
        Participation.objects.create(cohort=cohort, student=student, joined_on=date(2026, 9, 14))

    def cut():
        smaller = Cohort.objects.get(pk=cohort.pk)
        smaller.capacity = 20
        cohort_save(cohort=smaller, teaching_artists=[])

    def add(student):
        return lambda: participation_create(
            cohort=cohort, student=student, joined_on=date(2026, 9, 14), by=staff
        )

    newcomers = iter(students[20:])
    # One cut every sixth request, the first among them, so cuts meet additions all through the race.
    jobs = [cut if n % (RACE_REQUESTS // CUTS) == 0 else add(next(newcomers)) for n in range(RACE_REQUESTS)]
    result = race_measured(jobs)
    print(f"cohort capacity cut race: {result}")
    cohort.refresh_from_db()
    enrolled = Participation.objects.enrolled().filter(cohort=cohort).count()
    assert set(result.outcomes) <= {"ok", "cohort_full", "capacity_below_enrolled"}, result.outcomes
    assert enrolled <= cohort.capacity, (enrolled, cohort.capacity, result.outcomes)
    assert result.peak > 1
