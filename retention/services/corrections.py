"""Corrections a family asks for: the change made through the record's own rules, and what and why kept."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retention.models import Correction
from students.models import Student

# The profile fields a family may ask to correct here; anything else goes through its own page.
CORRECTABLE = ("first_name", "last_name", "preferred_name", "date_of_birth", "phone", "email", "address")


@transaction.atomic
def correction_record(
    *, student: Student, field: str, value: str, reason: str, requested_by: str, by
) -> Correction:
    """Change one profile field as a family asked, validated like any edit; record what changed and why."""
    if field not in CORRECTABLE:
        raise ValidationError(_("This field cannot be corrected here."), code="not_correctable")
    if not reason.strip():
        raise ValidationError(_("Say why the record is corrected."), code="no_reason")
    if not requested_by.strip():
        raise ValidationError(_("Say who asked for the correction."), code="no_requester")
    student = Student.objects.select_for_update().get(pk=student.pk)
    model_field = Student._meta.get_field(field)
    before = model_field.value_to_string(student)
    try:
        setattr(student, field, model_field.to_python(value))
        student.full_clean()
    except ValidationError as error:
        messages = (
            error.message_dict.get(field, error.messages) if hasattr(error, "error_dict") else error.messages
        )
        raise ValidationError(" ".join(messages), code="invalid") from error
    after = model_field.value_to_string(student)
    if after == before:
        raise ValidationError(_("The record already says this."), code="unchanged")
    student._change_reason = "Correction asked for by the family"
    student.save()
    return Correction.objects.create(
        student=student,
        record=str(Student._meta.verbose_name),
        field=str(model_field.verbose_name),
        before=before,
        after=after,
        reason=reason.strip(),
        requested_by=requested_by.strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
