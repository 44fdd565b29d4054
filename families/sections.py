"""What families adds to the student page (artworx.sections): the message thread and a short text to write."""

from artworx.sections import SHOWN_PARTS, register
from families.forms import FamilyMessageForm
from families.models import Message
from students.models import RecordRead

THREAD_LENGTH = 50


def student_family_thread(request, student) -> dict:
    """The family thread, newest first, and the form to write, for those who may see guardians."""
    # Reading and writing share one rule (families.rules): one check, not two, on every student page.
    if not request.user.has_perm("families.view_message", student):
        return {"hidden": True}
    thread = list(Message.objects.for_student(student)[:THREAD_LENGTH])
    return {
        "student": student,
        "thread": thread,
        "form": FamilyMessageForm(student=student),
        SHOWN_PARTS: [RecordRead.Part.FAMILY_MESSAGES] if thread else [],
    }


register("students:detail", template="families/_student_thread.html", context=student_family_thread)
