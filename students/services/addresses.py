"""An address refused for good: the person who can correct it is told, once per address.

A mail server or a text provider that refuses an address for good (notifications.signals.
delivery_refused) leaves a guardian, or a student reached by their own email, without messages until
someone corrects it: the student's teacher, or the site's lead when the student has no teacher now.
Correcting the address (`guardian_save`, `student_save`) closes the item.
"""

import hashlib

from django.db import models
from django.urls import reverse

from notifications.models import Kind
from notifications.services import notifications_enqueue_many
from notifications.sweeps import responsible_drafts
from students.models import Enrollment, Guardian, Student


def guardian_address_refused(*, guardian_id: int, channel: str, address: str) -> int:
    """A provider refused an email or text to a guardian for good; returns how many items were written."""
    guardian = Guardian.objects.select_related("student").filter(pk=guardian_id).first()
    if guardian is None:
        return 0  # a guardian since removed: nobody to write to
    return _address_refused(
        student=guardian.student,
        subject=guardian,
        person_name=guardian.name,
        channel=channel,
        address=address,
    )


def student_address_refused(*, student_id: int, channel: str, address: str) -> int:
    """The mail server refused a student's own address for good (a contract reminder to them)."""
    student = Student.objects.filter(pk=student_id).first()
    if student is None:
        return 0
    return _address_refused(
        student=student, subject=student, person_name=student.display_name, channel=channel, address=address
    )


def _address_refused(
    *, student: Student, subject: models.Model, person_name: str, channel: str, address: str
) -> int:
    """An item for the student's teacher (the site's lead if none) about `subject`'s refused address."""
    enrollment = (
        Enrollment.objects.open()
        .filter(student_id=student.pk)
        .select_related("teacher", "site__lead")
        .first()
    )
    if enrollment is None:
        return 0  # a student who left: nobody to fix it for
    teacher = enrollment.teacher if enrollment.teacher.is_active else None
    people = (
        [(f"student-{student.pk}:teacher", teacher)]
        if teacher
        else [(f"site-{enrollment.site_id}:lead", enrollment.site.lead)]
    )
    drafts = responsible_drafts(
        people,
        kind=Kind.ADDRESS_REFUSED,
        subject=subject,
        # A new address refused is a new item; the same one refused again is not.
        occasion=f"{channel}-{hashlib.sha256(address.encode()).hexdigest()[:12]}",
        context={
            "channel": channel,
            "address": address,
            "person_name": person_name,
            "student_name": student.display_name,
            "own": subject == student,  # the student's own address, not their family's
        },
        opt_ins=set(),
        link_url=reverse("students:detail", args=[student.pk]),
        site_id=enrollment.site_id,
    )
    return notifications_enqueue_many(drafts=drafts)
