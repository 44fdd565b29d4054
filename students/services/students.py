"""Writes on students themselves."""

from django.db import transaction
from simple_history.utils import bulk_create_with_history

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
def students_create_many(students: list[Student], *, by) -> list[Student]:
    """Insert validated students with their empty support profiles, in batches, with history."""
    students = bulk_create_with_history(students, Student, batch_size=500, default_user=by)
    profiles = [SupportProfile(student=student) for student in students]
    bulk_create_with_history(profiles, SupportProfile, batch_size=500, default_user=by)
    return students
