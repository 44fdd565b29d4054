"""Model choice fields refuse ids too large for the database instead of failing with a 500."""

from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceField, ModelMultipleChoiceField


def refuse_overflowing_ids() -> None:
    """Turn the driver's OverflowError on a forged huge id into the field's own "invalid choice" error.

    SQLite's driver raises OverflowError for integers past 64 bits while Django's model choice fields
    catch only ValueError and TypeError; PostgreSQL's backend already skips out-of-range values. Every
    form with a select (ModelForms included) is covered here rather than field by field.
    """
    to_python = ModelChoiceField.to_python
    check_values = ModelMultipleChoiceField._check_values

    def guarded_to_python(self, value):
        try:
            return to_python(self, value)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None

    def guarded_check_values(self, value):
        try:
            return check_values(self, value)
        except OverflowError:
            raise ValidationError(
                self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": "…"}
            ) from None

    ModelChoiceField.to_python = guarded_to_python
    ModelMultipleChoiceField._check_values = guarded_check_values
