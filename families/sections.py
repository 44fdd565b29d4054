"""What families adds to the student page (artworx.sections): the message thread and a short text to write."""

from artworx.sections import register
from families.forms import FamilyMessageForm
from families.models import Message

THREAD_LENGTH = 50


def student_family_thread(request, student) -> dict:
    """The family thread, newest first, and the form to write, for those who may see guardians."""
    # Reading and writing share one rule (families.rules): one check, not two, on every student page.
    if not request.user.has_perm("families.view_message", student):
        return {"hidden": True}
    return {
        "student": student,
        "thread": list(Message.objects.for_student(student)[:THREAD_LENGTH]),
        "form": FamilyMessageForm(student=student),
    }


register("students:detail", template="families/_student_thread.html", context=student_family_thread)
