"""Which tables hold a student's records, which of their columns are replaced, and which are kept and why.

The anonymisation reads this and the model definitions: every text column of a table below (and of its
history table) is replaced unless `KEPT` says why it identifies nobody, so a column added later is
anonymised by default. tests/retention/test_sentinels.py checks the whole database afterwards.
"""

from django.apps import apps
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField

from students.models import SupportProfile

# Each table holding a student's records, with the path from its rows to the student. Sessions are
# shared by a cohort: their topic and notes may name anyone on the roll, so they are blanked with the
# first student of the roll anonymised (a student past retention left years ago, and so did the roll).
OWNED: dict[str, str] = {
    "students.Student": "pk",
    "students.Guardian": "student",
    "students.GuardianConsent": "guardian__student",
    "students.SupportProfile": "student",
    "students.Enrollment": "student",
    "students.WaitlistEntry": "student",
    "students.Referral": "student",
    "students.Contract": "student",
    "students.ContractCourse": "contract__student",
    "students.AgreementVersion": "contract__student",
    "students.Signature": "version__contract__student",
    "students.Assignment": "contract__student",
    "students.Review": "contract__student",
    "programs.Participation": "student",
    "programs.Attendance": "participation__student",
    "programs.Session": "attendance__participation__student",
    "programs.Credential": "student",
    "programs.Placement": "student",
    "programs.PlacementHours": "placement__student",
    "alumni.Alumnus": "student",
    "alumni.CheckIn": "alumnus__student",
    "families.Message": "student",
    "families.FamilyNotice": "student",
    "retention.LegalHold": "student",
    "retention.Correction": "student",
}

# Rows deleted rather than changed: who opened a record (the read audit is itself purged after a year).
DELETED: dict[str, str] = {"students.RecordRead": "student"}

# Text columns kept as they are, each with the reason it names nobody.
KEPT: dict[str, dict[str, str]] = {
    "students.AgreementVersion": {"content_hash": "a SHA-256 digest of the signed text, not the text"},
    "students.Signature": {"version_hash": "a SHA-256 digest of the version signed"},
    "students.Referral": {"credits_held": "credit counts by subject area, which the funnel and reports read"},
    "students.Assignment": {"evaluation": "a grade or mark, counted by the credit register"},
    "families.Message": {"error_code": "the provider's numeric error code"},
    "families.FamilyNotice": {"occasion": "a record kind and id (attendance-12): the dedupe key of a sweep"},
    "admin.LogEntry": {"object_id": "the id of the record changed: a reference, not a value"},
    "notifications.Notification": {"dedupe_key": "kind and record ids: keeps a sweep from writing it again"},
}

# Replacement values other than blank. `None` in a slot means: the pseudonym.
PSEUDONYM = object()
ANONYMISED = "[anonymised]"
REPLACED: dict[str, dict[str, object]] = {
    "students.Student": {"first_name": "Anonymised", "last_name": PSEUDONYM},
    "students.Referral": {"first_name": "Anonymised", "last_name": PSEUDONYM},
    "students.AgreementVersion": {"content": {"anonymised": True}},
}

# Dates of birth are kept as a year (January 1st): ages at enrollment can still be counted.
BIRTH_DATES: dict[str, str] = {"students.Student": "date_of_birth", "students.Referral": "date_of_birth"}
# Booleans that say something about a person: support flags and consents.
FLAGS: dict[str, tuple[str, ...]] = {
    "students.SupportProfile": SupportProfile.FLAGS,
    "students.Guardian": ("sms_opt_in", "email_opt_in"),
}

TEXT_FIELDS = (
    models.CharField,
    models.TextField,
    models.JSONField,
    models.GenericIPAddressField,
    PhoneNumberField,
)


def is_text(field) -> bool:
    """Whether a model field holds free text a person could have typed (choices are a closed list)."""
    if not isinstance(field, TEXT_FIELDS) or field.is_relation or field.primary_key:
        return False
    return not field.choices


def text_fields(model, *, label: str | None = None) -> list:
    """The text columns of a model (or of its history model, under the tracked model's label) to replace."""
    label = label or model._meta.label
    kept = KEPT.get(label, {})
    return [field for field in model._meta.concrete_fields if is_text(field) and field.name not in kept]


def owned_models() -> list[tuple[str, type, str]]:
    """(label, model, path to the student) for each table holding a student's records."""
    return [(label, apps.get_model(label), path) for label, path in OWNED.items()]


def history_model(model):
    """The simple-history model of a tracked model, or None."""
    history = getattr(model, "history", None)
    return getattr(history, "model", None) if history is not None else None


def changed_columns(model, *, label: str) -> list[str]:
    """The columns anonymisation changes in a table: text, dates of birth, flags."""
    columns = [field.name for field in text_fields(model, label=label)]
    if label in BIRTH_DATES:
        columns.append(BIRTH_DATES[label])
    return columns + list(FLAGS.get(label, ()))
