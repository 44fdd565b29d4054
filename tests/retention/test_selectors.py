"""Who is past the retention policy, and who is never touched whatever the policy says."""

from datetime import date

import pytest

from alumni.models import Alumnus
from artworx import roles
from retention.models import LegalHold, RetentionPolicy
from retention.selectors import anonymisation_plan, referrals_due, students_due
from retention.services.anonymise import students_anonymise
from retention.services.nightly import retention_run
from students.models import Enrollment, Referral
from tests.factories import EnrollmentFactory, ReferralFactory, UserFactory
from tests.retention.leavers import leaver

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 18)


@pytest.fixture
def staff(db):
    return UserFactory(role=roles.PROGRAM_STAFF)


def left(*, site, teacher, on: date):
    enrollment = EnrollmentFactory(site=site, teacher=teacher, started_on=date(2018, 9, 4))
    Enrollment.objects.filter(pk=enrollment.pk).update(ended_on=on, exit_reason="moved")
    return enrollment.student


def test_it_finds_students_who_left_longer_ago_than_the_policy(site, teacher):
    old = left(site=site, teacher=teacher, on=date(2021, 11, 17))
    recent = left(site=site, teacher=teacher, on=date(2021, 11, 18))
    assert list(students_due(today=TODAY)) == [old]
    RetentionPolicy.objects.filter(pk=1).update(student_months=12)
    assert set(students_due(today=TODAY)) == {old, recent}


def test_it_never_touches_a_student_enrolled_now(site, teacher, student):
    Enrollment.objects.create(
        student=student,
        site=site,
        teacher=teacher,
        started_on=date(2018, 1, 8),
        ended_on=date(2018, 6, 1),
        exit_reason="moved",
    )
    assert list(students_due(today=TODAY)) == []
    assert students_anonymise(student_ids=[student.pk]) == []


def test_it_never_touches_a_student_under_a_legal_hold(site, teacher, staff):
    student = left(site=site, teacher=teacher, on=date(2020, 6, 1))
    LegalHold.objects.create(student=student, reason="court order", set_by=staff)
    assert list(students_due(today=TODAY)) == []
    assert students_anonymise(student_ids=[student.pk]) == []


def test_it_never_touches_an_alumnus_who_still_consents(site, teacher):
    student = left(site=site, teacher=teacher, on=date(2020, 6, 1))
    alumnus = Alumnus.objects.create(student=student, graduated_on=date(2020, 6, 1), consents_to_contact=True)
    assert list(students_due(today=TODAY)) == []
    assert students_anonymise(student_ids=[student.pk]) == []
    alumnus.consents_to_contact = False
    alumnus.save()  # consent ends today: kept twelve more months
    assert list(students_due(today=TODAY)) == []
    assert list(students_due(today=date(2027, 11, 19))) == [student]


def test_it_finds_referrals_closed_without_enrolling_past_their_time():
    closed = ReferralFactory(status=Referral.Status.DECLINED, closed_on=date(2025, 11, 1))
    ReferralFactory(status=Referral.Status.DECLINED, closed_on=date(2025, 12, 1))
    assert list(referrals_due(today=TODAY)) == [closed]


def test_a_dry_run_counts_by_kind_and_changes_nothing(site, teacher, staff):
    student = leaver(site=site, teacher=teacher, staff=staff)
    plan = retention_run(today=TODAY, dry_run=True)
    # The family messages: staff's text, and the signing link the guardian was texted.
    assert plan["students"] == 1 and plan["guardians"] == 1 and plan["family messages"] == 2
    assert plan == anonymisation_plan(student_ids=[student.pk])
    student.refresh_from_db()
    assert student.first_name != "Anonymised"


def test_the_nightly_run_anonymises_students_and_referrals_once(site, teacher, staff):
    student = leaver(site=site, teacher=teacher, staff=staff)
    referral = ReferralFactory(status=Referral.Status.DECLINED, closed_on=date(2024, 1, 5))
    result = retention_run(today=TODAY)
    assert result["students"] == 1 and result["referrals"] == 1
    student.refresh_from_db()
    referral.refresh_from_db()
    assert student.first_name == "Anonymised" and referral.first_name == "Anonymised"
    assert referral.last_name == referral.anonymisation.pseudonym
    assert retention_run(today=TODAY)["students"] == 0
