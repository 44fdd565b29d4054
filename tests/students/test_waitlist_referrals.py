"""Waitlists (DESIGN.md rule 4) and referrals: the services and their refusals."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from students.models import Enrollment, Referral, Student, WaitlistEntry
from students.services import (
    referral_advance,
    referral_convert,
    referral_create,
    waitlist_add,
    waitlist_enroll,
    waitlist_skip,
)
from tests.factories import (
    EnrollmentFactory,
    PartnerFactory,
    ReferralFactory,
    SiteFactory,
    StudentFactory,
    TeacherFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db

# Monday of last week, at whatever moment the suite runs (tests/clock.py): a day in the past.
ON = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)
EARLIER = ON - timedelta(days=7)  # when the referral came in, or the youth joined the waitlist


@pytest.fixture
def full_site(teacher):
    """A site of one seat, taken."""
    site = SiteFactory(name="Watts Classroom", capacity=1, teachers=[teacher])
    EnrollmentFactory(site=site, teacher=teacher)
    return site


def test_it_keeps_one_waiting_entry_per_student_and_site(full_site):
    student = StudentFactory()
    waitlist_add(student=student, site=full_site, on=ON)
    with pytest.raises(ValidationError) as error:
        waitlist_add(student=student, site=full_site, on=ON)
    assert error.value.code == "already_waiting"
    with pytest.raises(IntegrityError):
        WaitlistEntry.objects.create(student=student, site=full_site, added_on=ON)


def test_it_orders_the_waitlist_by_date_then_entry(full_site):
    later = WaitlistEntryFactory(site=full_site, added_on=ON)
    first = WaitlistEntryFactory(site=full_site, added_on=ON - timedelta(days=3))
    same_day = WaitlistEntryFactory(site=full_site, added_on=ON)
    assert list(full_site.waitlist_entries.waiting()) == [first, later, same_day]


def test_enrolling_from_the_waitlist_goes_through_the_capacity_rules(full_site, teacher):
    entry = WaitlistEntryFactory(site=full_site, added_on=EARLIER)
    with pytest.raises(ValidationError) as error:
        waitlist_enroll(entry=entry, teacher=teacher, on=ON)
    assert error.value.code == "site_full"
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING
    full_site.enrollments.update(ended_on=ON, exit_reason="moved")
    enrollment = waitlist_enroll(entry=entry, teacher=teacher, on=ON)
    entry.refresh_from_db()
    assert (entry.status, entry.resolved_on, enrollment.student_id) == ("enrolled", ON, entry.student_id)
    with pytest.raises(ValidationError) as again:
        waitlist_enroll(entry=entry, teacher=teacher, on=ON)
    assert again.value.code == "not_waiting"


def test_skipping_needs_a_reason(full_site):
    entry = WaitlistEntryFactory(site=full_site, added_on=EARLIER)
    with pytest.raises(ValidationError) as error:
        waitlist_skip(entry=entry, reason="  ", on=ON)
    assert error.value.code == "skip_reason"
    waitlist_skip(entry=entry, reason="Moved to Fresno", on=ON)
    entry.refresh_from_db()
    assert (entry.status, entry.skip_reason) == ("skipped", "Moved to Fresno")


def test_an_enrolled_student_cannot_join_a_waitlist(full_site, student):
    with pytest.raises(ValidationError) as error:
        waitlist_add(student=student, site=full_site, on=ON)
    assert error.value.code == "already_enrolled"


# Referrals --------------------------------------------------------------------------------------


def test_it_records_a_referral_with_credits_added_up():
    referral = referral_create(
        source=PartnerFactory(),
        first_name="Luz",
        last_name="Ortega",
        date_of_birth=date(2008, 1, 2),
        received_on=ON,
        credits_held={"english": "40", "math": Decimal("12.5")},
    )
    assert referral.credits_total == Decimal("52.5")
    assert referral.status == Referral.Status.RECEIVED


@pytest.mark.parametrize(
    "credits, code",
    [
        ({"english": "200", "math": "101"}, "credits"),
        ({"english": "-1"}, "credits"),
        ({"cooking": "5"}, "credits"),
    ],
)
def test_it_refuses_credits_out_of_bounds(credits, code):
    with pytest.raises(ValidationError) as error:
        referral_create(
            source=PartnerFactory(),
            first_name="A",
            last_name="B",
            date_of_birth=date(2008, 1, 2),
            received_on=ON,
            credits_held=credits,
        )
    assert error.value.code == code
    assert not Referral.objects.exists()


def test_the_database_refuses_credits_over_300():
    with pytest.raises(IntegrityError):
        ReferralFactory(credits_total=Decimal(301))


def test_it_moves_through_the_funnel_with_dates_only_forward():
    referral = ReferralFactory(received_on=ON)
    with pytest.raises(ValidationError) as backwards:
        referral_advance(referral=referral, status="contacted", on=ON - timedelta(days=1))
    assert backwards.value.code == "date_backwards"
    with pytest.raises(ValidationError) as skipped:
        referral_advance(referral=referral, status="assessed", on=ON)
    assert skipped.value.code == "bad_step"
    with pytest.raises(ValidationError) as future:
        referral_advance(referral=referral, status="contacted", on=timezone.localdate() + timedelta(days=1))
    assert future.value.code == "future"
    referral_advance(referral=referral, status="contacted", on=ON + timedelta(days=1))
    referral_advance(referral=referral, status="assessed", on=ON + timedelta(days=4))
    referral.refresh_from_db()
    assert (referral.status, referral.contacted_on, referral.assessed_on) == (
        "assessed",
        ON + timedelta(days=1),
        ON + timedelta(days=4),
    )
    with pytest.raises(ValidationError) as enrolled_by_hand:
        referral_advance(referral=referral, status="enrolled", on=ON + timedelta(days=5))
    assert enrolled_by_hand.value.code == "bad_step"


def test_converting_creates_a_student_and_enrolls_them(site, teacher):
    referral = ReferralFactory(
        first_name="Luz", last_name="Ortega", district_id="D7777777", received_on=EARLIER
    )
    enrollment = referral_convert(referral=referral, site=site, teacher=teacher, on=ON, grade=10)
    referral.refresh_from_db()
    assert isinstance(enrollment, Enrollment) and enrollment.site == site
    student = enrollment.student
    assert (student.first_name, student.district_id, student.prior_credits) == (
        "Luz",
        "D7777777",
        Decimal(30),
    )
    assert (referral.status, referral.enrolled_on, referral.student) == ("enrolled", ON, student)
    assert referral.contacted_on == referral.assessed_on == ON


def test_a_referral_converts_once(site, teacher):
    referral = ReferralFactory(received_on=EARLIER)
    referral_convert(referral=referral, site=site, teacher=teacher, on=ON, grade=10)
    with pytest.raises(ValidationError) as error:
        referral_convert(referral=referral, site=site, teacher=teacher, on=ON, grade=10)
    assert error.value.code == "already_converted"
    assert Student.objects.filter(first_name=referral.first_name).count() == 1


def test_an_existing_student_is_matched_with_the_counselor_confirming(site, teacher):
    existing = StudentFactory(
        first_name="Luz", last_name="Ortega", date_of_birth=date(2008, 3, 9), district_id=""
    )
    referral = ReferralFactory(
        first_name="luz", last_name="ORTEGA", date_of_birth=date(2008, 3, 9), received_on=EARLIER
    )
    with pytest.raises(ValidationError) as error:
        referral_convert(referral=referral, site=site, teacher=teacher, on=ON, grade=10)
    assert error.value.code == "confirm_match"
    assert Student.objects.count() == 1
    enrollment = referral_convert(referral=referral, site=site, teacher=teacher, on=ON, student=existing)
    assert enrollment.student == existing
    assert Student.objects.count() == 1


def test_a_student_that_does_not_match_is_refused(site, teacher):
    referral = ReferralFactory(received_on=EARLIER)
    with pytest.raises(ValidationError) as error:
        referral_convert(referral=referral, site=site, teacher=teacher, on=ON, student=StudentFactory())
    assert error.value.code == "not_a_match"


def test_a_full_site_puts_the_referred_youth_on_its_waitlist(full_site, teacher):
    referral = ReferralFactory(received_on=EARLIER)
    entry = referral_convert(referral=referral, site=full_site, teacher=teacher, on=ON, grade=11)
    referral.refresh_from_db()
    assert isinstance(entry, WaitlistEntry) and entry.site == full_site
    assert (referral.status, referral.student) == ("assessed", entry.student)
    assert not entry.student.enrollments.exists()
    # The seat frees; enrolling from the waitlist completes the referral's funnel.
    full_site.enrollments.update(ended_on=ON, exit_reason="moved")
    waitlist_enroll(entry=entry, teacher=teacher, on=ON + timedelta(days=2))
    referral.refresh_from_db()
    assert (referral.status, referral.enrolled_on) == ("enrolled", ON + timedelta(days=2))


def test_a_declined_referral_is_not_converted(site, teacher):
    referral = ReferralFactory(received_on=EARLIER)
    referral_advance(referral=referral, status="declined", on=ON)
    with pytest.raises(ValidationError) as error:
        referral_convert(referral=referral, site=site, teacher=teacher, on=ON, grade=10)
    assert error.value.code == "referral_closed"


def test_a_caseload_refusal_is_not_a_waitlist(site):
    busy = TeacherFactory()
    site.teachers.add(busy)
    EnrollmentFactory.create_batch(25, site=SiteFactory(teachers=[busy]), teacher=busy)
    referral = ReferralFactory(received_on=EARLIER)
    students = Student.objects.count()
    with pytest.raises(ValidationError) as error:
        referral_convert(referral=referral, site=site, teacher=busy, on=ON, grade=10)
    assert error.value.code == "caseload_full"
    # Counted rather than looked up by name: a generated name may repeat among the 25 enrolled.
    assert not WaitlistEntry.objects.exists() and Student.objects.count() == students
