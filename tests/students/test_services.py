"""The capacity rules (DESIGN.md rules 1–4) through the enrollment services."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from artworx import roles
from students.capacity import site_capacity_rows
from students.forms import PlacementForm
from students.models import Enrollment, ExitReason, SupportProfile, WaitlistEntry
from students.reminders import seats_open
from students.roster import roster_preview
from students.services import (
    BatchRefused,
    EnrollmentRequest,
    enrollment_create,
    enrollment_exit,
    enrollment_transfer,
    enrollments_create_many,
    student_create,
)
from tests.factories import EnrollmentFactory, SiteFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db
START = date(2026, 9, 1)


def refused(code: str):
    """Expect a ValidationError with this code."""

    class Refused:
        def __enter__(self):
            return self

        def __exit__(self, kind, error, tb):
            assert kind is ValidationError, f"expected a refusal with code {code!r}"
            assert error.code == code
            return True

    return Refused()


def test_it_enrolls_a_student_at_a_site_with_a_teacher(site, teacher):
    student = StudentFactory()
    enrollment = enrollment_create(student=student, site=site, teacher=teacher, started_on=START)
    assert enrollment.is_open and enrollment.site == site and enrollment.teacher == teacher


def test_it_refuses_a_full_site_and_names_the_limit(teacher):
    site = SiteFactory(capacity=2, teachers=[teacher])
    for _ in range(2):
        enrollment_create(student=StudentFactory(), site=site, teacher=teacher, started_on=START)
    with pytest.raises(ValidationError) as refusal:
        enrollment_create(student=StudentFactory(), site=site, teacher=teacher, started_on=START)
    assert refusal.value.code == "site_full"
    assert "all 2 seats are taken" in refusal.value.messages[0]
    assert Enrollment.objects.filter(site=site).count() == 2


@override_settings(ARTWORX_MAX_CASELOAD=2)
def test_it_refuses_a_full_teacher_and_says_how_many_seats_the_site_has(site, teacher):
    for _ in range(2):
        enrollment_create(student=StudentFactory(), site=site, teacher=teacher, started_on=START)
    with pytest.raises(ValidationError) as refusal:
        enrollment_create(student=StudentFactory(), site=site, teacher=teacher, started_on=START)
    assert refusal.value.code == "caseload_full"
    assert "48 seats" in refusal.value.messages[0]


def test_it_counts_a_teachers_caseload_across_sites(teacher, other_site):
    other_site.teachers.add(teacher)
    with override_settings(ARTWORX_MAX_CASELOAD=1):
        enrollment_create(student=StudentFactory(), site=other_site, teacher=teacher, started_on=START)
        site = teacher.teaching_sites.exclude(pk=other_site.pk).get()
        with refused("caseload_full"):
            enrollment_create(student=StudentFactory(), site=site, teacher=teacher, started_on=START)


def test_it_refuses_a_teacher_who_does_not_teach_at_the_site(site, other_teacher):
    with refused("teacher_not_at_site"):
        enrollment_create(student=StudentFactory(), site=site, teacher=other_teacher, started_on=START)


def test_it_refuses_a_user_who_is_not_a_teacher(site):
    artist = UserFactory(role=roles.TEACHING_ARTIST)
    site.teachers.add(artist)
    with refused("not_a_teacher"):
        enrollment_create(student=StudentFactory(), site=site, teacher=artist, started_on=START)


def test_it_refuses_an_inactive_site(teacher):
    site = SiteFactory(is_active=False, teachers=[teacher])
    with refused("site_inactive"):
        enrollment_create(student=StudentFactory(), site=site, teacher=teacher, started_on=START)


def test_it_refuses_a_second_open_enrollment(enrollment, other_site, other_teacher):
    with refused("already_enrolled"):
        enrollment_create(
            student=enrollment.student, site=other_site, teacher=other_teacher, started_on=START
        )


def test_it_refuses_a_start_before_the_last_enrollment_ended(enrollment, site, teacher):
    enrollment_exit(enrollment=enrollment, ended_on=date(2026, 10, 1), exit_reason=ExitReason.MOVED)
    with refused("overlaps_history"):
        enrollment_create(
            student=enrollment.student, site=site, teacher=teacher, started_on=date(2026, 9, 15)
        )


def test_it_re_enrolls_a_student_who_left(enrollment, site, teacher):
    enrollment_exit(enrollment=enrollment, ended_on=date(2026, 10, 1), exit_reason=ExitReason.MOVED)
    again = enrollment_create(
        student=enrollment.student, site=site, teacher=teacher, started_on=date(2026, 11, 2)
    )
    assert again.is_open
    assert enrollment.student.enrollments.count() == 2


def test_it_transfers_to_another_site_keeping_the_history(enrollment, other_site, other_teacher):
    new = enrollment_transfer(
        enrollment=enrollment, site=other_site, teacher=other_teacher, on=date(2026, 10, 5)
    )
    enrollment.refresh_from_db()
    assert enrollment.ended_on == date(2026, 10, 5)
    assert enrollment.exit_reason == ExitReason.TRANSFERRED
    assert new.is_open and new.site == other_site and new.started_on == date(2026, 10, 5)


def test_it_transfers_to_another_teacher_at_the_same_site(enrollment, site):
    second = UserFactory(role=roles.TEACHER)
    site.teachers.add(second)
    new = enrollment_transfer(enrollment=enrollment, site=site, teacher=second, on=date(2026, 10, 5))
    assert new.teacher == second
    assert Enrollment.objects.open().filter(site=site).count() == 1


def test_it_refuses_a_transfer_into_a_full_site(enrollment, other_teacher):
    full = SiteFactory(capacity=1, teachers=[other_teacher])
    EnrollmentFactory(site=full, teacher=other_teacher)
    with refused("site_full"):
        enrollment_transfer(enrollment=enrollment, site=full, teacher=other_teacher, on=date(2026, 10, 5))
    enrollment.refresh_from_db()
    assert enrollment.is_open


def test_it_refuses_a_transfer_to_the_same_place(enrollment, site, teacher):
    with refused("no_change"):
        enrollment_transfer(enrollment=enrollment, site=site, teacher=teacher, on=date(2026, 10, 5))


def test_it_refuses_a_transfer_dated_before_the_start(enrollment, other_site, other_teacher):
    with refused("before_start"):
        enrollment_transfer(
            enrollment=enrollment, site=other_site, teacher=other_teacher, on=date(2026, 8, 1)
        )
    assert Enrollment.objects.count() == 1


def test_it_exits_an_enrollment_and_frees_the_seat(teacher):
    site = SiteFactory(capacity=1, teachers=[teacher])
    first = enrollment_create(student=StudentFactory(), site=site, teacher=teacher, started_on=START)
    enrollment_exit(enrollment=first, ended_on=date(2026, 10, 1), exit_reason=ExitReason.DROPPED_OUT)
    second = enrollment_create(
        student=StudentFactory(), site=site, teacher=teacher, started_on=date(2026, 10, 2)
    )
    assert second.is_open


def test_it_refuses_to_exit_twice(enrollment):
    enrollment_exit(enrollment=enrollment, ended_on=date(2026, 10, 1), exit_reason=ExitReason.MOVED)
    with refused("enrollment_ended"):
        enrollment_exit(enrollment=enrollment, ended_on=date(2026, 10, 2), exit_reason=ExitReason.MOVED)


def test_it_refuses_an_exit_before_the_start(enrollment):
    with refused("before_start"):
        enrollment_exit(enrollment=enrollment, ended_on=date(2026, 8, 1), exit_reason=ExitReason.MOVED)


def test_it_creates_the_support_profile_with_the_student():
    student = student_create(first_name="Ana", last_name="López", date_of_birth=date(2009, 1, 2), grade=10)
    assert SupportProfile.objects.filter(student=student).exists()


# One home for "open seats" and "teaches at this site" ---------------------------------------------


def test_an_over_full_site_shows_no_open_seats_on_any_page(as_role, users, site, teacher):
    """A site holding more than its capacity (seats cut in the admin long ago) has 0 seats open, not -1."""
    for _ in range(3):
        EnrollmentFactory(site=site, teacher=teacher)
    type(site).objects.filter(pk=site.pk).update(capacity=2)
    WaitlistEntry.objects.create(student=StudentFactory(), site=site, added_on=date(2026, 11, 2))
    listed = site_capacity_rows(user=users["staff"]).get(pk=site.pk)
    page = as_role("staff").get(reverse("students:waitlist", args=[site.pk]))
    assert (listed.enrolled, listed.seats_left, page.context["seats"]) == (3, 0, 0)
    assert seats_open(now=timezone.now()) == 0  # nothing freed: the waiting student is not announced


def test_every_path_refuses_a_teacher_of_another_site_in_the_same_words(users, site, other_teacher):
    """The form, the service, the batch and the roster preview ask one question and give one answer."""

    student = StudentFactory(district_id="880001")
    expected = f"{other_teacher} does not teach at {site}."
    form = PlacementForm(
        {"site": site.pk, "teacher": other_teacher.pk, "on": "2026-11-02"}, user=users["staff"]
    )
    assert not form.is_valid() and form.errors["teacher"] == [expected]
    with pytest.raises(ValidationError) as single:
        enrollment_create(student=student, site=site, teacher=other_teacher, started_on=date(2026, 11, 2))
    assert (single.value.code, single.value.messages) == ("teacher_not_at_site", [expected])
    request = EnrollmentRequest(
        student=student, site=site, teacher=other_teacher, started_on=date(2026, 11, 2)
    )
    with pytest.raises(BatchRefused) as batch:
        enrollments_create_many([request], by=users["staff"])
    assert batch.value.messages == [expected]
    row = {
        "district_id": "880001",
        "first_name": "Ana",
        "last_name": "Ruiz",
        "date_of_birth": "2009-04-01",
        "grade": "11",
        "site": site.name,
        "teacher": other_teacher.username,
        "started_on": "2026-11-02",
    }
    assert roster_preview(rows=[row])[0]["errors"] == [expected]
