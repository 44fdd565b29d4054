"""100 concurrent requests for the last seat on every capacity path end exactly at capacity (PostgreSQL).

Concurrency reached: each test releases 100 requests at once behind one `threading.Barrier`; each
request runs in its own thread with its own database connection, at most CONNECTIONS of them at the
same moment (the rest wait for a connection, as requests wait for a free server worker). The
PostgreSQL server here and in CI allows 100 connections and other clients use it too, so the race
keeps within 40; every one of those 40 transactions contends for the same locked row. The figures
(peak connections inside the database, seconds) are printed in the test summary.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from programs.models import Participation
from programs.services import participation_create
from students.models import Enrollment, Referral, RosterImport, Student, WaitlistEntry
from students.roster import roster_import_apply, roster_import_create
from students.services import enrollment_create, enrollment_transfer, referral_convert
from tests.concurrency import RaceResult, race_measured
from tests.factories import (
    CohortFactory,
    EnrollmentFactory,
    PartnerFactory,
    ReferralFactory,
    SiteFactory,
    StudentFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
REQUESTS = 100
CONNECTIONS = 40
ON = date(2026, 11, 9)


def fill(site, teachers, seats: int) -> None:
    """Enroll `seats` students at the site, spread over the teachers."""
    for n in range(seats):
        EnrollmentFactory(site=site, teacher=teachers[n % len(teachers)])


def enrolled_students(count: int) -> list:
    """`count` students enrolled at full sites of 50 (two teachers of 25 each), built quickly."""
    students = []
    while len(students) < count:
        teachers = TeacherFactory.create_batch(2)
        site = SiteFactory(capacity=50, teachers=teachers)
        for n in range(min(50, count - len(students))):
            students.append(EnrollmentFactory(site=site, teacher=teachers[n % 2]).student)
    return students


def run(jobs, figures, path: str) -> RaceResult:
    """Race the jobs within the connection bound and record the figures of the run."""
    assert len(jobs) == REQUESTS
    result = race_measured(jobs, connections=CONNECTIONS)
    figures.append(
        f"last seat, {path}: {result.requests} requests, {result.connections} connections allowed, "
        f"peak {result.peak} in the database at once, {result.seconds} s, outcomes {result.outcomes}"
    )
    # The race really was concurrent: requests met inside the database, not one after another.
    assert result.peak > 1
    return result


def test_the_last_seat_of_a_site_of_50_goes_to_exactly_one_of_100(figures):
    teachers = TeacherFactory.create_batch(3)  # 49 students over three teachers: no caseload is full
    site = SiteFactory(capacity=50, teachers=teachers)
    fill(site, teachers, 49)
    students = StudentFactory.create_batch(REQUESTS)
    jobs = [
        lambda s=s: enrollment_create(student=s, site=site, teacher=teachers[2], started_on=ON)
        for s in students
    ]
    result = run(jobs, figures, "site of 50")
    assert result.outcomes == {"ok": 1, "site_full": REQUESTS - 1}
    assert "is full: all 50 seats are taken" in result.messages["site_full"]
    assert Enrollment.objects.open().filter(site=site).count() == 50
    assert Enrollment.objects.filter(student__in=students).count() == 1


def test_the_last_place_in_a_teachers_caseload_of_25_goes_to_exactly_one_of_100(figures):
    teacher = TeacherFactory()
    sites = [SiteFactory(capacity=50, teachers=[teacher]) for _ in range(2)]
    fill(sites[0], [teacher], 24)
    students = StudentFactory.create_batch(REQUESTS)
    jobs = [
        lambda s=s, i=i: enrollment_create(student=s, site=sites[i % 2], teacher=teacher, started_on=ON)
        for i, s in enumerate(students)
    ]
    result = run(jobs, figures, "teacher caseload of 25")
    assert result.outcomes == {"ok": 1, "caseload_full": REQUESTS - 1}
    assert "already carries 25 students" in result.messages["caseload_full"]
    assert Enrollment.objects.open().filter(teacher=teacher).count() == 25


def test_the_last_place_in_a_cohort_of_25_goes_to_exactly_one_of_100(figures):
    staff = UserFactory(role="Program staff")
    # A cohort at a partner venue takes students of every site, so 124 enrolled students can ask.
    cohort = CohortFactory(site=None, venue=PartnerFactory(), capacity=25)
    students = enrolled_students(24 + REQUESTS)
    for student in students[:24]:
        participation_create(cohort=cohort, student=student, joined_on=date(2026, 9, 14), by=staff)
    students = students[24:]
    jobs = [
        lambda s=s: participation_create(cohort=cohort, student=s, joined_on=date(2026, 9, 14), by=staff)
        for s in students
    ]
    result = run(jobs, figures, "cohort of 25")
    assert result.outcomes == {"ok": 1, "cohort_full": REQUESTS - 1}
    assert "is full: all 25 places are taken" in result.messages["cohort_full"]
    assert Participation.objects.enrolled().filter(cohort=cohort).count() == 25


def test_the_last_seat_of_a_site_goes_to_exactly_one_of_100_transfers(figures):
    teachers = TeacherFactory.create_batch(3)
    target = SiteFactory(capacity=50, teachers=teachers)
    fill(target, teachers, 49)
    movers = [student.enrollments.get() for student in enrolled_students(REQUESTS)]
    jobs = [
        lambda e=e: enrollment_transfer(enrollment=e, site=target, teacher=teachers[2], on=ON) for e in movers
    ]
    result = run(jobs, figures, "transfer into a site of 50")
    assert result.outcomes == {"ok": 1, "site_full": REQUESTS - 1}
    assert "is full" in result.messages["site_full"]
    assert Enrollment.objects.open().filter(site=target).count() == 50
    # The losers stay where they were: their enrollment was not ended by a refused transfer.
    assert Enrollment.objects.open().count() == 49 + REQUESTS
    assert Enrollment.objects.filter(exit_reason="transferred").count() == 1


def test_the_last_two_seats_go_to_exactly_one_of_100_roster_imports(figures):
    teachers = TeacherFactory.create_batch(3)
    site = SiteFactory(capacity=50, teachers=teachers)
    fill(site, teachers, 48)
    staff = UserFactory(role="Program staff")
    header = "district_id,first_name,last_name,date_of_birth,grade,site,teacher,started_on\n"
    imports = []
    for n in range(REQUESTS):
        rows = "".join(
            f"9{n:03d}{row},Ana{n},Import{row},2009-04-01,11,{site.name},{teachers[2].username},2026-11-02\n"
            for row in range(2)
        )
        roster_import = roster_import_create(
            name=f"roster-{n}.csv", content=(header + rows).encode(), by=staff
        )
        assert roster_import.count("new") == 2  # each preview alone fits: the seats are free
        imports.append(roster_import)

    def apply(pk: int) -> None:
        status = roster_import_apply(roster_import_id=pk).status
        if status != RosterImport.Status.APPLIED:
            raise ValidationError("not applied", code=status)

    result = run(
        [lambda pk=i.pk: apply(pk) for i in imports], figures, "two roster rows for the last two seats"
    )
    assert result.outcomes == {"ok": 1, "failed": REQUESTS - 1}
    assert Enrollment.objects.open().filter(site=site).count() == 50
    # All or nothing: only the applied import's two students exist; no loser left a student behind.
    assert Student.objects.filter(district_id__startswith="9").count() == 2
    applied = RosterImport.objects.get(status=RosterImport.Status.APPLIED)
    assert set(Student.objects.filter(district_id__startswith="9").values_list("district_id", flat=True)) == {
        row["district_id"] for row in applied.rows
    }
    failed = RosterImport.objects.filter(status=RosterImport.Status.FAILED)
    assert all("full" in message for message in failed.values_list("message", flat=True))


def test_the_last_seat_goes_to_one_of_100_referral_conversions_and_99_wait(figures):
    teachers = TeacherFactory.create_batch(3)
    site = SiteFactory(capacity=50, teachers=teachers)
    fill(site, teachers, 49)
    # Names of their own: two youths of one name and birth date would be asked to confirm a match.
    referrals = [ReferralFactory(first_name=f"Youth{n}", last_name="Referral") for n in range(REQUESTS)]
    jobs = [
        lambda r=r: referral_convert(
            referral=r, site=site, teacher=teachers[2], on=date(2026, 11, 9), grade=10
        )
        for r in referrals
    ]
    result = run(jobs, figures, "referral conversion into a site of 50")
    # A conversion that finds the site full puts the youth on its waitlist instead (not an error).
    assert result.outcomes == {"ok": REQUESTS}
    assert Enrollment.objects.open().filter(site=site).count() == 50
    assert WaitlistEntry.objects.waiting().filter(site=site).count() == REQUESTS - 1
    statuses = Referral.objects.values_list("status", flat=True)
    assert sorted(set(statuses)) == ["assessed", "enrolled"]
    assert list(statuses).count("enrolled") == 1
    # One student per referral, never two.
    assert Student.objects.filter(referrals__isnull=False).count() == REQUESTS
