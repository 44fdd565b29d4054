"""What programs adds to the pages of the apps below it (artworx.sections)."""

from artworx.roles import manages_programs
from artworx.sections import register
from programs.selectors import student_participations


def student_career(request, student) -> dict:
    """The student page's arts programs with attendance, and their credentials and placements."""
    return {
        "student": student,
        "participations": student_participations(student=student),
        "credentials": student.credentials.select_related("certification"),
        "placements": student.placements.select_related("partner"),
        # From the roles already read: a failing `perms` check would ask the database twice more.
        "can_record_career": manages_programs(request.user),
    }


register("students:detail", template="programs/_student_sections.html", context=student_career)
