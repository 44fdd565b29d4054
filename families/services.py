"""Writes on the family thread: queue a text through the outbox, record statuses and inbound texts.

Every text to a family goes through `family_text_queue`, which checks consent and quiet hours and
writes the outbox row (notifications) with a dedupe key, so a text is sent once however often the
sweep or a page asks for it. Delivery is `families.delivery.message_send`, called by the outbox.
"""

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from families.models import Message
from notifications.models import Kind
from notifications.selectors import email_opt_ins
from notifications.services import notification_enqueue
from notifications.sweeps import dedupe_key as outbox_key
from notifications.tasks import deliveries_enqueue
from students.models import Channel, Enrollment, Guardian, GuardianConsent, Student
from students.services import guardian_consent_set

logger = logging.getLogger(__name__)

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
MAX_TEXT = 480  # three SMS segments: a family reads it on a phone
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ALTO", "PARAR"}
START_WORDS = {"START", "UNSTOP", "YES", "INICIAR", "COMENZAR"}
# Where a status moves from: a late "sent" never overwrites "delivered" (callbacks arrive out of order).
STATUS_RANK = {
    Message.Status.QUEUED: 0,
    Message.Status.SENT: 1,
    Message.Status.DELIVERED: 2,
    Message.Status.UNDELIVERED: 2,
    Message.Status.FAILED: 2,
}
PROVIDER_STATUS = {
    "accepted": Message.Status.QUEUED,
    "scheduled": Message.Status.QUEUED,
    "queued": Message.Status.QUEUED,
    "sending": Message.Status.QUEUED,
    "sent": Message.Status.SENT,
    "delivered": Message.Status.DELIVERED,
    "read": Message.Status.DELIVERED,
    "undelivered": Message.Status.UNDELIVERED,
    "failed": Message.Status.FAILED,
    "canceled": Message.Status.FAILED,
}


def quiet_hours_end(now: datetime) -> datetime | None:
    """When quiet hours (20:00–08:00 in Los Angeles by default) end, or None outside them."""
    local = now.astimezone(LOS_ANGELES)
    start, end = settings.ARTWORX_QUIET_HOURS_START, settings.ARTWORX_QUIET_HOURS_END
    if local.hour >= start:
        day = local.date() + timedelta(days=1)
    elif local.hour < end:
        day = local.date()
    else:
        return None
    return datetime.combine(day, time(end), tzinfo=LOS_ANGELES)


def family_text_queue(
    *,
    student: Student,
    guardian: Guardian,
    body: str,
    kind: str,
    occasion: str,
    by=None,
    now: datetime | None = None,
) -> Message:
    """Queue one text to a guardian about a student; once per occasion, only with consent.

    This is the function other code calls to text a family (a new kind of notice, an agreement that
    awaits a guardian's signature: pass the link in `body`). `occasion` names what the text is for
    (e.g. "day-2026-11-30" for the daily notice, "staff-<uuid>" for a message written by staff): the
    same guardian and occasion give the same message, however often this is called. The text is sent
    after the transaction commits, and not before quiet hours end.
    """
    body = " ".join(body.split()) if kind != Message.Kind.STAFF else body.strip()
    if not body:
        raise ValidationError(_("Write the message."), code="empty")
    if len(body) > MAX_TEXT:
        raise ValidationError(
            _("A text holds at most %(limit)d characters.") % {"limit": MAX_TEXT}, code="too_long"
        )
    return _family_message_queue(
        student=student, guardian=guardian, channel=Channel.SMS, body=body, kind=kind, occasion=occasion,
        by=by, now=now,
    )  # fmt: skip


def family_email_queue(
    *, student: Student, guardian: Guardian, body: str, kind: str, occasion: str, now: datetime | None = None
) -> Message:
    """Queue one email to a guardian about a student (the day's notices for a family that reads email,
    not texts); once per occasion, only with consent. Email has no quiet hours."""
    body = body.strip()
    if not body:
        raise ValidationError(_("Write the message."), code="empty")
    return _family_message_queue(
        student=student, guardian=guardian, channel=Channel.EMAIL, body=body, kind=kind, occasion=occasion,
        by=None, now=now,
    )  # fmt: skip


def _family_message_queue(*, student, guardian, channel: str, body: str, kind: str, occasion: str, by, now):
    """The message on the thread and its outbox row, written together once per guardian, occasion and
    address, and sent after the transaction commits: a text by `families.delivery.message_send`, an
    email by the outbox itself (its status shows on the thread from the outbox row)."""
    if guardian.student_id != student.pk:
        raise ValidationError(_("This guardian is not the student's."), code="not_guardian")
    if not guardian.accepts(channel):
        refusal = (
            _("%(guardian)s has not agreed to receive text messages.")
            if channel == Channel.SMS
            else _("%(guardian)s has not agreed to receive email.")
        )
        raise ValidationError(refusal % {"guardian": guardian.name}, code="no_consent")
    now = now or timezone.now()
    # An email's key ends with the guardian ("guardian-12"): the outbox reads their address and consent
    # again at the moment it sends (notifications.channels.contact_address).
    address = f"phone-{guardian.phone.as_e164}" if channel == Channel.SMS else f"guardian-{guardian.pk}"
    key = outbox_key(Kind.FAMILY_TEXT, guardian, occasion, address)
    existing = Message.objects.filter(notification__dedupe_key=key).first()
    if existing is not None:
        return existing
    texting = channel == Channel.SMS
    try:
        with transaction.atomic():
            message = Message.objects.create(
                student=student,
                guardian=guardian,
                channel=channel,
                direction=Message.Direction.OUTBOUND,
                kind=kind,
                body=body,
                phone=guardian.phone.as_e164 if texting else "",
                status=Message.Status.QUEUED,
                status_at=now,
                written_by=by,
            )
            way = (
                {
                    "by_text": True,
                    "recipient_phone": guardian.phone.as_e164,
                    "not_before": quiet_hours_end(now),
                }
                if texting
                else {"by_email": True, "recipient_email": guardian.email}
            )
            notification, _created = notification_enqueue(
                kind=Kind.FAMILY_TEXT,
                dedupe_key=key,
                subject=message,
                context={
                    "text": body,
                    "channel": channel,
                    "student_name": student.preferred_name or student.first_name,
                },
                recipient_name=guardian.name,
                language=guardian.language,
                in_app=False,
                **way,
            )
            if not _created:
                raise IntegrityError("written by a concurrent call")
            message.notification = notification
            message.save(update_fields=["notification"])
    except IntegrityError:
        return Message.objects.get(notification__dedupe_key=key)
    if notification.not_before is None:
        deliveries_enqueue(notification_ids=[notification.pk])
    return message


def message_status_record(
    *, sid: str, status: str, error_code: str = "", at: datetime | None = None, message_id: int | None = None
) -> int | None:
    """Record a status the provider reported; returns how many rows moved, or None for a message
    that is not ours. `message_id` (our row, named in the callback's address) gives the provider's
    id to a row that does not have it yet: the report came before the provider's answer to the send."""
    new = PROVIDER_STATUS.get(status)
    if new is None:
        raise ValidationError(_("Unknown message status %(status)s.") % {"status": status}, code="status")
    at = at or timezone.now()
    outbound = Message.objects.filter(direction=Message.Direction.OUTBOUND)
    if message_id is not None and sid:
        outbound.filter(pk=message_id, provider_sid="").update(provider_sid=sid, updated_at=at)
    messages = list(outbound.filter(provider_sid=sid)) if sid else []
    if not messages:
        return None
    changed = 0
    for message in messages:
        if STATUS_RANK.get(message.status, 3) > STATUS_RANK[new]:
            continue
        Message.objects.filter(pk=message.pk).update(
            status=new, status_at=at, error_code=error_code[:10], updated_at=at
        )
        changed += 1
    return changed


def _confirmation(words: set[str], language: str) -> str:
    with translation.override(language):
        if words is STOP_WORDS:
            return _("artworx: you will get no more texts from us. Reply START to receive them again.")
        return _("artworx: you will receive our texts again. Reply STOP to stop them.")


def inbound_text_receive(*, sid: str, from_number: str, body: str, now: datetime | None = None) -> str:
    """Record a text from a family; STOP/ALTO opts out and START/INICIAR opts in at once.

    Returns the reply to send back (the one confirmation carriers require) or "" for none. Every
    guardian with the number gets the text on their student's thread, and the student's teacher is told.
    A text from a number no guardian has is kept (no student) for the administrators.
    """
    now = now or timezone.now()
    guardians = list(Guardian.objects.filter(phone=from_number).select_related("student").order_by("pk"))
    word = body.strip().upper().rstrip(".!")
    reply = ""
    if word in STOP_WORDS or word in START_WORDS:
        words = STOP_WORDS if word in STOP_WORDS else START_WORDS
        changed = [
            guardian
            for guardian in guardians
            if guardian_consent_set(
                guardian=guardian,
                channel=Channel.SMS,
                granted=words is START_WORDS,
                method=GuardianConsent.Method.TEXT,
                note=word,
                at=now,
            )
        ]
        # A repeated STOP gets no second confirmation.
        if changed:
            reply = _confirmation(words, changed[0].language)
    with transaction.atomic():
        written = _record_inbound(sid=sid, from_number=from_number, body=body, guardians=guardians, now=now)
        if reply:
            for guardian in guardians:
                Message.objects.create(
                    student=guardian.student,
                    guardian=guardian,
                    direction=Message.Direction.OUTBOUND,
                    kind=Message.Kind.KEYWORD,
                    body=reply,
                    phone=from_number,
                    status=Message.Status.SENT,
                    status_at=now,
                )
        if written and not reply and word not in STOP_WORDS | START_WORDS:
            _tell_teachers(written)
    return reply


def _record_inbound(*, sid, from_number, body, guardians, now) -> list[Message]:
    """One received message per guardian's student (none twice for a retried webhook)."""
    rows = [
        Message(
            student=guardian.student,
            guardian=guardian,
            direction=Message.Direction.INBOUND,
            kind=Message.Kind.REPLY,
            body=body[:1600],
            phone=from_number,
            status=Message.Status.RECEIVED,
            status_at=now,
            provider_sid=sid,
        )
        for guardian in guardians
    ] or [
        Message(
            direction=Message.Direction.INBOUND,
            kind=Message.Kind.REPLY,
            body=body[:1600],
            phone=from_number,
            status=Message.Status.RECEIVED,
            status_at=now,
            provider_sid=sid,
        )
    ]
    if Message.objects.filter(provider_sid=sid, direction=Message.Direction.INBOUND).exists():
        return []
    try:
        with transaction.atomic():
            return Message.objects.bulk_create(rows)
    except IntegrityError:  # the same webhook, delivered twice at once
        return []


def _tell_teachers(messages: list[Message]) -> None:
    """A notice to the teacher of each student whose family wrote (never the text itself): in the app,
    and by email when the teacher asked for it (notification preferences)."""
    students = {m.student_id: m for m in messages if m.student_id}
    enrollments = list(
        Enrollment.objects.open().filter(student_id__in=students).select_related("teacher", "student")
    )
    opt_ins = email_opt_ins(user_ids={e.teacher_id for e in enrollments}, kind=Kind.FAMILY_REPLY)
    for enrollment in enrollments:
        message = students[enrollment.student_id]
        teacher = enrollment.teacher
        notification_enqueue(
            kind=Kind.FAMILY_REPLY,
            dedupe_key=outbox_key(Kind.FAMILY_REPLY, message, "received", f"user-{teacher.pk}"),
            subject=message,
            context={
                "audience": "staff",
                "recipient_name": teacher.first_name or teacher.username,
                "student_name": enrollment.student.display_name,
                "guardian_name": message.guardian.name if message.guardian else "",
            },
            recipient=teacher,
            language=teacher.language,
            by_email=teacher.pk in opt_ins and bool(teacher.email),
            link_url=reverse("students:detail", args=[enrollment.student_id]),
        )


def message_send_failed(*, message_id: int, code: str, reason: str) -> None:
    """A text the provider refused for good: the thread says so (shown on the student page)."""
    Message.objects.filter(pk=message_id).update(
        status=Message.Status.FAILED,
        error_code=code[:10],
        error_message=reason[:300],
        status_at=timezone.now(),
        updated_at=timezone.now(),
    )
