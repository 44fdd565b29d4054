"""What retention adds to the student page (artworx.sections): the family's copy and corrections."""

from artworx.sections import register


def student_records(request, student) -> dict:
    """Links to the family's copy, for those who may make one."""
    if not request.user.has_perm("retention.make_family_copy", student):
        return {"hidden": True}
    anonymised = hasattr(student, "anonymisation")
    return {"student": student, "anonymised": anonymised}


register("students:detail", template="retention/_student_records.html", context=student_records)
