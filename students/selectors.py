"""Reads about students shared by pages, exports and tasks, scoped by user."""

from django.db.models import Prefetch, QuerySet

from students.models import Enrollment, Student


def student_rows(*, user) -> QuerySet[Student]:
    """Students the user may see, with status, credits and current enrollment, in two queries."""
    return (
        Student.objects.visible_to(user)
        .with_status()
        .with_credits()
        .prefetch_related(
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.open().select_related("site", "teacher"),
                to_attr="open_enrollments",
            )
        )
    )


def student_enrollment_history(*, student: Student) -> QuerySet[Enrollment]:
    """Every enrollment of a student, newest first."""
    return student.enrollments.select_related("site", "teacher").order_by("-started_on", "-pk")


def teacher_caseload(*, teacher) -> QuerySet[Student]:
    """Students a teacher carries now, with status and credits."""
    return (
        Student.objects.filter(enrollments__teacher=teacher, enrollments__ended_on__isnull=True)
        .with_credits()
        .prefetch_related(
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.open().select_related("site"),
                to_attr="open_enrollments",
            )
        )
    )
