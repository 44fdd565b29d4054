"""What retention adds to the student page (artworx.sections): the family's copy and corrections."""

from artworx.sections import register


def student_records(request, student) -> dict:
    """The link to the family's copy, for those who may make one (no query: the page's budget)."""
    if not request.user.has_perm("retention.make_family_copy", student):
        return {"hidden": True}
    return {"student": student}


register("students:detail", template="retention/_student_records.html", context=student_records)
