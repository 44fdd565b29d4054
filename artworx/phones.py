"""Mobile numbers: one rule for reading a number typed by a person, shared by every path that writes one.

Numbers are stored in E.164 (`+13235550199`, django-phonenumber-field) and shown in the national format
(`(323) 555-0199`, PHONENUMBER_DEFAULT_FORMAT). Only United States numbers are taken: our families and
students live in Los Angeles, and our text messages go out from a US number.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber

REGION = "US"
LETTERS = re.compile(r"[A-Za-z]")


def validate_us_phone(value) -> None:
    """Refuse a number with letters, a number too short or unknown, and a number of another country."""
    if value in (None, ""):
        return
    number = value if isinstance(value, PhoneNumber) else PhoneNumber.from_string(str(value), region=REGION)
    raw = getattr(number, "raw_input", "") or str(value)
    # phonenumbers reads letters as keypad digits (1-800-FLOWERS); a family's mobile is typed in digits.
    if LETTERS.search(raw):
        raise ValidationError(_("A phone number is written in digits only."), code="phone_letters")
    if not number.is_valid():
        raise ValidationError(
            _("%(value)s is not a complete phone number: give the area code and seven digits.")
            % {"value": raw},
            code="phone_invalid",
        )
    if phonenumbers.region_code_for_number(number) != REGION:
        raise ValidationError(
            _("%(value)s is not a United States number: we can only text numbers in the United States.")
            % {"value": raw},
            code="phone_foreign",
        )


def phone_parse(value: str) -> PhoneNumber | None:
    """The E.164 number typed as `value`, None for a blank, or a ValidationError saying what is wrong."""
    value = (value or "").strip()
    if not value:
        return None
    if LETTERS.search(value):
        raise ValidationError(_("A phone number is written in digits only."), code="phone_letters")
    try:
        number = PhoneNumber.from_string(value, region=REGION)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            _("%(value)s is not a phone number.") % {"value": value}, code="phone_invalid"
        ) from error
    validate_us_phone(number)
    return number


def phone_e164(value) -> str:
    """The number in E.164 (as stored and as the provider writes it), or '' when it cannot be read."""
    if not value:
        return ""
    try:
        number = (
            value if isinstance(value, PhoneNumber) else PhoneNumber.from_string(str(value), region=REGION)
        )
    except phonenumbers.NumberParseException:
        return ""
    return number.as_e164 if number.is_valid() else ""
