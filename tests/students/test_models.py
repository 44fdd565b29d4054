"""Constraints and scoping of the students app."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from students.models import Enrollment, ExitReason, Student
from tests.factories import EnrollmentFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_it_keeps_one_open_enrollment_per_student_in_the_database(enrollment, other_site, other_teacher):
    with pytest.raises(IntegrityError):
        Enrollment.objects.create(
            student=enrollment.student, site=other_site, teacher=other_teacher, started_on=date(2026, 9, 2)
        )


def test_it_refuses_an_enrollment_ending_before_it_starts(enrollment):
    Enrollment.objects.filter(pk=enrollment.pk).update(
        ended_on=date(2026, 9, 1), exit_reason=ExitReason.MOVED
    )
    with pytest.raises(IntegrityError):
        Enrollment.objects.filter(pk=enrollment.pk).update(ended_on=date(2026, 8, 1))


def test_it_refuses_an_ended_enrollment_without_a_reason(enrollment):
    with pytest.raises(IntegrityError):
        Enrollment.objects.filter(pk=enrollment.pk).update(ended_on=date(2026, 10, 1))


def test_it_refuses_a_duplicate_district_id_on_the_field():
    StudentFactory(district_id="123456")
    duplicate = StudentFactory.build(district_id="123456")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "district_id" in error.value.message_dict
    assert "Another student already has this district id." in error.value.message_dict["district_id"]


def test_it_allows_many_students_without_a_district_id():
    StudentFactory(district_id="")
    StudentFactory(district_id="")
    assert Student.objects.filter(district_id="").count() == 2


def test_it_refuses_a_grade_outside_9_to_12_in_the_database():
    with pytest.raises(IntegrityError):
        StudentFactory(grade=13)


def test_it_derives_the_status_of_each_student(enrollment):
    graduate = EnrollmentFactory(ended_on=date(2026, 10, 1), exit_reason=ExitReason.GRADUATED).student
    never = StudentFactory()
    status = dict(Student.objects.with_status().values_list("pk", "status"))
    assert status == {
        enrollment.student_id: Student.Status.ENROLLED,
        graduate.pk: Student.Status.GRADUATED,
        never.pk: Student.Status.NOT_ENROLLED,
    }


def test_it_scopes_students_by_role(users, enrollment):
    elsewhere = EnrollmentFactory(
        site=users["other_teacher"].teaching_sites.get(), teacher=users["other_teacher"]
    )
    unplaced = StudentFactory()
    everyone = {enrollment.student_id, elsewhere.student_id, unplaced.pk}
    for role in ("admin", "staff", "counselor"):
        assert set(Student.objects.visible_to(users[role]).values_list("pk", flat=True)) == everyone
    assert list(Student.objects.visible_to(users["teacher"]).values_list("pk", flat=True)) == [
        enrollment.student_id
    ]
    assert list(Student.objects.visible_to(users["other_teacher"]).values_list("pk", flat=True)) == [
        elsewhere.student_id
    ]
    assert not Student.objects.visible_to(users["teaching_artist"]).exists()
    assert not Student.objects.visible_to(users["no_role"]).exists()


def test_it_stops_showing_a_teacher_a_student_who_left(users, enrollment):
    Enrollment.objects.filter(pk=enrollment.pk).update(
        ended_on=date(2026, 10, 1), exit_reason=ExitReason.MOVED
    )
    assert not Student.objects.visible_to(users["teacher"]).exists()
