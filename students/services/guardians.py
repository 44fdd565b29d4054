"""Writes on guardians: their details, and their consent per channel with its history."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.items import items_close
from notifications.models import Kind
from students.models import Channel, Guardian, GuardianConsent

OPT_IN_FIELD = {Channel.SMS: "sms_opt_in", Channel.EMAIL: "email_opt_in"}


@transaction.atomic
def guardian_consent_set(
    *,
    guardian: Guardian,
    channel: str,
    granted: bool,
    method: str,
    by=None,
    note: str = "",
    at: datetime | None = None,
) -> bool:
    """Record a guardian's consent on one channel; True if it changed, False if it already stood so.

    Every path that changes consent comes here: the guardian form, the admin console, a STOP or START
    text, the shell. A repeated opt-out changes nothing and writes no history.
    """
    if channel not in OPT_IN_FIELD:
        raise ValidationError(_("Consent is recorded for text messages or email."), code="unknown_channel")
    if method not in GuardianConsent.Method.values:
        raise ValidationError(_("Say how the consent was given."), code="unknown_method")
    # The row lock makes two STOPs arriving together record one change, not two.
    locked = Guardian.objects.select_for_update().get(pk=guardian.pk)
    field = OPT_IN_FIELD[channel]
    if getattr(locked, field) == granted:
        setattr(guardian, field, granted)
        return False
    if granted and channel == Channel.SMS and not locked.phone:
        raise ValidationError(
            _("Add a mobile number before recording consent to text messages."), code="no_phone"
        )
    if granted and channel == Channel.EMAIL and not locked.email:
        raise ValidationError(_("Add an email address before recording consent to email."), code="no_email")
    at = at or timezone.now()
    Guardian.objects.filter(pk=guardian.pk).update(**{field: granted, "updated_at": at})
    GuardianConsent.objects.create(
        guardian_id=guardian.pk,
        channel=channel,
        granted=granted,
        method=method,
        recorded_at=at,
        recorded_by=by,
        note=note[:200],
    )
    setattr(guardian, field, granted)
    return True


@transaction.atomic
def guardian_save(*, guardian: Guardian, consents: dict[str, bool], method: str, by) -> Guardian:
    """Save a guardian's details, then record each channel's consent that changed (one rule for both).
    A corrected email address or number closes the item that said the old one was refused."""
    before = Guardian.objects.filter(pk=guardian.pk).values("email", "phone").first() if guardian.pk else None
    # A consent withdrawn goes first, so a number removed with its consent passes the constraint.
    for channel, granted in consents.items():
        if guardian.pk and not granted:
            guardian_consent_set(guardian=guardian, channel=channel, granted=False, method=method, by=by)
    guardian.full_clean(exclude=["student"])
    guardian.save()
    for channel, granted in consents.items():
        if granted:
            guardian_consent_set(guardian=guardian, channel=channel, granted=True, method=method, by=by)
    if before and (before["email"], before["phone"]) != (guardian.email, guardian.phone):
        items_close(kind=Kind.ADDRESS_REFUSED, subject_ids=[guardian.pk], subject_model=Guardian)
    return guardian
