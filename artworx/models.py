"""Users of artworx; roles are Django groups (see artworx.roles)."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from artworx.dates import validate_model_dates


class Language(models.TextChoices):
    """Languages people read their messages in."""

    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


class TimeStampedModel(models.Model):
    """Created and modified stamps for every record people edit, and the 1900–2100 bound on its dates."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        # Every record people edit has this base, so every date field of every app gets the bound in
        # full_clean (forms, the admin, services that validate): one rule, no validator per field
        # and no migration per field.
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            validate_model_dates(self, exclude={*(exclude or ()), *errors})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class SingletonModel(models.Model):
    """A table of one row of settings, edited in the admin console (each subclass names its check that
    the id is 1)."""

    SINGLETON_PK = 1

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        """The saved row, or one with the defaults (unsaved) when none was saved: one query."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls()


class FieldConstraintErrorsMixin:
    """Show a conditional unique constraint's error on its field instead of above the form.

    Django reports conditional constraints as non-field errors; a person fixing a form needs the
    message beside the input. Map a constraint's `violation_error_code` to a field name.
    """

    constraint_error_fields: dict[str, str] = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict({})
            for item in list(errors.get(NON_FIELD_ERRORS, [])):
                field = self.constraint_error_fields.get(getattr(item, "code", None))
                if field:
                    errors[NON_FIELD_ERRORS].remove(item)
                    errors.setdefault(field, []).append(item)
            if not errors.get(NON_FIELD_ERRORS):
                errors.pop(NON_FIELD_ERRORS, None)
            raise ValidationError(errors) from error


class User(AbstractUser):
    """A person who signs in: staff, counselor, teacher, teaching artist or administrator."""

    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta(AbstractUser.Meta):
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
