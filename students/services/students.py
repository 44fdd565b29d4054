"""Writes on students themselves."""

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from notifications.items import items_close
from notifications.models import Kind
from students.models import (
    Student,
    SupportProfile,
)


@transaction.atomic
def student_create(**fields) -> Student:
    """Create a student together with their (empty) support profile."""
    student = Student(**fields)
    student.full_clean()
    student.save()
    SupportProfile.objects.create(student=student)
    return student


@transaction.atomic
def student_save(*, student: Student) -> Student:
    """Save a student's details (the edit page and the admin). A corrected email address closes the
    item that said the old one was refused."""
    before = Student.objects.filter(pk=student.pk).values_list("email", flat=True).first()
    student.full_clean()
    student.save()
    if before is not None and before != student.email:
        items_close(kind=Kind.ADDRESS_REFUSED, subject_ids=[student.pk], subject_model=Student)
    return student


@transaction.atomic
def students_create_many(students: list[Student], *, by) -> list[Student]:
    """Insert validated students with their empty support profiles, in batches, with history."""
    students = bulk_create_with_history(students, Student, batch_size=500, default_user=by)
    profiles = [SupportProfile(student=student) for student in students]
    bulk_create_with_history(profiles, SupportProfile, batch_size=500, default_user=by)
    return students
