"""What the students models share: the date-of-birth check, and how a model below `Student` names it."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# We serve teenagers and young adults: someone over 30 is a slip of the keyboard or of a district file.
MAX_AGE = 30


def validate_date_of_birth(value: date) -> None:
    """A date of birth is in the past and makes the youth at most 30: for students and referrals alike."""
    today = timezone.localdate()
    if value >= today:
        raise ValidationError(_("The date of birth must be in the past."), code="born_in_future")
    if today.year - value.year > MAX_AGE:
        raise ValidationError(
            _("Check the date of birth: the student would be over 30."), code="born_over_30_years_ago"
        )


def student_model(queryset: models.QuerySet) -> type[models.Model]:
    """The Student model, reached through the queryset's `student` foreign key.

    Contracts, waitlists and referrals are scoped by the student's visibility (rule 13) but sit in
    modules below the student's, which imports them for its own querysets.
    """
    return queryset.model._meta.get_field("student").related_model
