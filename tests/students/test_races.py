"""DESIGN.md rule 3 on PostgreSQL: concurrent requests for the last seat produce exactly one enrollment."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings

from students.models import Enrollment, Referral, Student, WaitlistEntry
from students.services import contract_open, enrollment_create, enrollment_transfer, referral_convert
from tests.concurrency import race
from tests.factories import EnrollmentFactory, ReferralFactory, SiteFactory, StudentFactory, TeacherFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CONCURRENCY = 60


def test_it_gives_the_last_seat_of_a_site_to_exactly_one_of_many():
    teacher = TeacherFactory()
    site = SiteFactory(capacity=1, teachers=[teacher])
    students = StudentFactory.create_batch(CONCURRENCY)
    jobs = [
        lambda s=s: enrollment_create(student=s, site=site, teacher=teacher, started_on=date(2026, 11, 2))
        for s in students
    ]
    outcomes = race(jobs)
    assert outcomes == {"ok": 1, "site_full": CONCURRENCY - 1}
    assert Enrollment.objects.open().filter(site=site).count() == 1


@override_settings(ARTWORX_MAX_CASELOAD=3)
def test_it_never_lets_a_teacher_carry_more_than_the_caseload_across_two_sites():
    teacher = TeacherFactory()
    sites = [SiteFactory(capacity=50, teachers=[teacher]) for _ in range(2)]
    students = StudentFactory.create_batch(CONCURRENCY)
    jobs = [
        lambda s=s, i=i: enrollment_create(
            student=s, site=sites[i % 2], teacher=teacher, started_on=date(2026, 11, 2)
        )
        for i, s in enumerate(students)
    ]
    outcomes = race(jobs)
    assert outcomes == {"ok": 3, "caseload_full": CONCURRENCY - 3}
    assert Enrollment.objects.open().filter(teacher=teacher).count() == 3


def test_it_fills_the_last_seat_once_when_transfers_race_into_it():
    teacher = TeacherFactory()
    target = SiteFactory(capacity=1, teachers=[teacher])
    movers = [EnrollmentFactory() for _ in range(20)]
    jobs = [
        lambda e=e: enrollment_transfer(enrollment=e, site=target, teacher=teacher, on=date(2026, 11, 2))
        for e in movers
    ]
    outcomes = race(jobs)
    assert outcomes == {"ok": 1, "site_full": 19}
    assert Enrollment.objects.open().filter(site=target).count() == 1
    assert Enrollment.objects.open().count() == 20


def test_it_enrolls_one_student_once_when_two_requests_race():
    student = StudentFactory()
    teachers = TeacherFactory.create_batch(2)
    sites = [SiteFactory(teachers=[t]) for t in teachers]
    jobs = [
        lambda i=i: enrollment_create(
            student=student, site=sites[i % 2], teacher=teachers[i % 2], started_on=date(2026, 11, 2)
        )
        for i in range(10)
    ]
    outcomes = race(jobs)
    assert outcomes == {"ok": 1, "already_enrolled": 9}
    assert student.enrollments.open().count() == 1


def test_it_opens_one_contract_when_two_requests_race():
    enrollment = EnrollmentFactory()
    courses = [{"subject_area": "english", "title": "English 11A", "credits": Decimal(5)}]
    jobs = [
        lambda: contract_open(student=enrollment.student, started_on=date(2026, 9, 14), courses=courses)
        for _ in range(10)
    ]
    outcomes = race(jobs)
    assert outcomes == {"ok": 1, "active_contract_exists": 9}
    assert enrollment.student.contracts.count() == 1


def test_two_referral_conversions_for_the_last_seat_end_with_one_enrollment_and_one_waiting():
    teacher = TeacherFactory()
    site = SiteFactory(capacity=1, teachers=[teacher])
    referrals = ReferralFactory.create_batch(2)
    jobs = [
        lambda r=r: referral_convert(referral=r, site=site, teacher=teacher, on=date(2026, 11, 9), grade=10)
        for r in referrals
    ]
    assert race(jobs) == {"ok": 2}
    assert Enrollment.objects.open().filter(site=site).count() == 1
    waiting = WaitlistEntry.objects.waiting().filter(site=site)
    assert waiting.count() == 1
    statuses = sorted(Referral.objects.values_list("status", flat=True))
    assert statuses == ["assessed", "enrolled"]
    assert waiting.get().student == Referral.objects.get(status="assessed").student


def test_the_same_referral_converted_twice_at_once_converts_once():
    teacher = TeacherFactory()
    site = SiteFactory(teachers=[teacher])
    referral = ReferralFactory()
    jobs = [
        lambda: referral_convert(
            referral=referral, site=site, teacher=teacher, on=date(2026, 11, 9), grade=10
        )
    ] * 2
    assert race(jobs) == {"ok": 1, "already_converted": 1}
    assert Student.objects.filter(referrals=Referral.objects.get()).count() == 1
