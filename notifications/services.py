"""Writes on the outbox: enqueue by dedupe key, claim and deliver once, release, retry, mark read."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from smtplib import SMTPException, SMTPRecipientsRefused

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.channels import DeliveryDeferred, DeliveryRefused, contact_address, send_text
from notifications.digests import digest_text
from notifications.items import RESOLVERS, encode_context, item_text
from notifications.models import (
    DigestSchedule,
    Kind,
    Notification,
    NotificationPreference,
    ReminderSettings,
)
from notifications.signals import delivery_refused

logger = logging.getLogger(__name__)

# A row is tried this many times (claims, counting a worker that died mid-send) before it is
# left as failed for an administrator to retry from the admin console.
MAX_ATTEMPTS = 10
BATCH_SIZE = 500


@dataclass(frozen=True)
class NotificationDraft:
    """Everything needed to write one notification; `context` holds plain values for its templates."""

    kind: str
    dedupe_key: str
    subject: models.Model
    context: dict = field(default_factory=dict)
    recipient: object = None  # a User, or None for a person reached by email only
    recipient_email: str = ""
    recipient_name: str = ""
    language: str = "en"
    in_app: bool = True
    by_email: bool = False
    link_url: str = ""
    by_text: bool = False
    recipient_phone: str = ""
    not_before: datetime | None = None
    responsibility: str = ""
    site_ref: int | None = None


def render_notification(*, kind: str, language: str, context: dict) -> tuple[str, str]:
    """The subject line and plain-text body of a kind, in a language."""
    with translation.override(language):
        title = render_to_string(f"notifications/{kind}_subject.txt", context)
        body = render_to_string(f"notifications/{kind}_body.txt", context)
    title = " ".join(title.split())[:200]
    return title, body.strip() + "\n"


def _build(draft: NotificationDraft, *, now: datetime) -> Notification:
    """An unsaved notification from a draft; in-app-only ones are delivered by being written.

    A signed-in user's item is rendered when it is read or sent, in their language then
    (`notifications.items.item_text`), so its title and body stay empty until an email goes; what goes
    to a student or guardian by email is rendered now, in theirs."""
    if draft.kind not in Kind.values:
        raise ValueError(f"unknown notification kind {draft.kind!r}")
    title, body = (
        ("", "")
        if draft.recipient is not None
        else render_notification(kind=draft.kind, language=draft.language, context=draft.context)
    )
    delivered = not draft.by_email and not draft.by_text
    return Notification(
        recipient=draft.recipient,
        recipient_email=draft.recipient_email,
        recipient_name=draft.recipient_name,
        language=draft.language,
        kind=draft.kind,
        subject_type=ContentType.objects.get_for_model(draft.subject),
        subject_id=draft.subject.pk,
        dedupe_key=draft.dedupe_key,
        in_app=draft.in_app,
        by_email=draft.by_email,
        by_text=draft.by_text,
        recipient_phone=draft.recipient_phone,
        not_before=draft.not_before,
        title=title,
        body=body,
        link_url=draft.link_url,
        context=encode_context(draft.context),
        responsibility=draft.responsibility,
        site_ref=draft.site_ref,
        status=Notification.Status.SENT if delivered else Notification.Status.PENDING,
        sent_at=now if delivered else None,
    )


def notification_enqueue(
    *,
    kind: str,
    dedupe_key: str,
    subject: models.Model,
    context: dict,
    recipient=None,
    recipient_email: str = "",
    recipient_name: str = "",
    language: str = "en",
    in_app: bool = True,
    by_email: bool = False,
    link_url: str = "",
    by_text: bool = False,
    recipient_phone: str = "",
    not_before: datetime | None = None,
) -> tuple[Notification, bool]:
    """Write one notification unless its dedupe key exists; returns it and whether it is new."""
    draft = NotificationDraft(
        kind=kind,
        dedupe_key=dedupe_key,
        subject=subject,
        context=context,
        recipient=recipient,
        recipient_email=recipient_email,
        recipient_name=recipient_name,
        language=language,
        in_app=in_app,
        by_email=by_email,
        link_url=link_url,
        by_text=by_text,
        recipient_phone=recipient_phone,
        not_before=not_before,
    )
    existing = Notification.objects.filter(dedupe_key=draft.dedupe_key).first()
    if existing is not None:
        return existing, False
    notification = _build(draft, now=timezone.now())
    try:
        # A savepoint, so a concurrent sweep that wrote the same key first leaves our transaction usable.
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        return Notification.objects.get(dedupe_key=draft.dedupe_key), False
    return notification, True


def notifications_enqueue_many(*, drafts: Iterable[NotificationDraft]) -> int:
    """Write the drafts whose dedupe keys are new, two queries per batch of 500; returns how many."""
    drafts = list({draft.dedupe_key: draft for draft in drafts}.values())
    now = timezone.now()
    written = 0
    for start in range(0, len(drafts), BATCH_SIZE):
        batch = drafts[start : start + BATCH_SIZE]
        keys = [draft.dedupe_key for draft in batch]
        existing = Notification.objects.keys_written(keys)
        new = [_build(draft, now=now) for draft in batch if draft.dedupe_key not in existing]
        # ON CONFLICT DO NOTHING: a sweep running at the same moment may have written some of these.
        Notification.objects.bulk_create(new, ignore_conflicts=True)
        written += len(new)
    return written


def _claim(notification_id: int, *, now: datetime) -> bool:
    """Take a pending row for sending; of any number of workers holding its id, exactly one succeeds."""
    # The conditional UPDATE is the lock: the database applies it to the row once, and only while
    # the row is still pending, so a second worker's UPDATE changes nothing.
    changed = (
        Notification.objects.filter(pk=notification_id, status=Notification.Status.PENDING)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .update(
            status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
        )
    )
    return changed == 1


def _email_address(notification: Notification) -> str:
    """The address as it is now: a user's, or a contact's with their consent read at this moment."""
    if notification.recipient_id is not None:
        return notification.recipient.email if notification.recipient.is_active else ""
    key = notification.dedupe_key.rsplit(":", 1)[-1]
    return contact_address(key, notification.kind, notification.recipient_email)


def _send_email(notification: Notification, *, address: str) -> None:
    """Send the notification's email through Django's email backend."""
    message = EmailMessage(
        subject=notification.title,
        body=notification.body,
        to=[address],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.send(fail_silently=False)


def _settle(notification_id: int, **changes) -> None:
    """Record the outcome of a claim on the row it claimed."""
    Notification.objects.filter(pk=notification_id, status=Notification.Status.SENDING).update(
        updated_at=timezone.now(), **changes
    )


def _prepare_for_user(notification: Notification) -> bool:
    """Read the person's language, preferences and open items now, at the moment of sending; returns
    whether an email still goes. The text sent is stored on the row: sent emails stay as sent."""
    user = notification.recipient
    if notification.kind == Kind.DIGEST:
        if DigestSchedule.objects.filter(user=user, enabled=False).exists():
            return False
        title, body, count = digest_text(user=user)
        if not count:
            return False
    else:
        if notification.closed_at is not None:
            return False  # its condition ended before it could be sent (the roll was logged meanwhile)
        turned_off = NotificationPreference.objects.filter(
            user=user, kind=notification.kind, by_email=False
        ).exists()
        if turned_off:
            return False
        title, body = item_text(notification, language=user.language, for_email=True)
    notification.title, notification.body, notification.language = title, body, user.language
    Notification.objects.filter(pk=notification.pk).update(title=title, body=body, language=user.language)
    return True


def notification_deliver(*, notification_id: int) -> bool:
    """Send a pending notification's email once; True if this call sent it, False if there was nothing to do.

    Must run outside a transaction: the claim commits before the (slow) email is sent, so other
    workers see it at once. A failed send puts the row back to pending and re-raises for the task to
    retry later: an outage delays a message, it never drops it. Only a permanent refusal (no address,
    an invalid one) ends it, as failed.
    """
    if not _claim(notification_id, now=timezone.now()):
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    to_user = notification.by_email and notification.recipient_id is not None
    if to_user and not _prepare_for_user(notification):
        # The person turned email off (or nothing is open for a digest) since the row was written.
        _settle(
            notification_id,
            status=Notification.Status.SENT,
            sent_at=timezone.now(),
            last_error="Not emailed: turned off, or nothing left to tell, when it was due.",
        )
        return False
    address = _email_address(notification) if notification.by_email else ""
    if notification.by_email and not address:
        # No address, or consent withdrawn since the row was written: never sent.
        _settle(
            notification_id, status=Notification.Status.FAILED, last_error="No email address or no consent."
        )
        logger.warning("Notification %s has no email address; marked failed.", notification_id)
        return False
    try:
        if notification.by_email:
            _send_email(notification, address=address)
        if notification.by_text:
            send_text(notification)
    except DeliveryDeferred as deferred:
        # Not an attempt: the row waits (quiet hours) and the sweep queues it again when it is due.
        _settle(
            notification_id,
            status=Notification.Status.PENDING,
            not_before=deferred.until,
            queued_at=None,
            attempts=F("attempts") - 1,
        )
        return False
    except (DeliveryRefused, SMTPRecipientsRefused) as refused:
        # The provider will never take it (an invalid address or landline number, an opt-out): no retry.
        _settle(notification_id, status=Notification.Status.FAILED, last_error=str(refused)[:500])
        logger.warning("Notification %s refused by the provider; marked failed.", notification_id)
        _tell_refused(notification, address=address or notification.recipient_phone)
        return False
    except (SMTPException, OSError) as exc:
        # Back to pending, however many attempts: an outage of hours delays the message. queued_at
        # moves so the sweep leaves the row to this task's retries instead of starting a second chain;
        # once they are spent the sweep queues it again (REQUEUE_AFTER).
        _settle(
            notification_id,
            status=Notification.Status.PENDING,
            queued_at=timezone.now(),
            last_error=f"{exc.__class__.__name__}: {exc}"[:500],
        )
        # Ids and error classes only: a log line never carries a message's text.
        logger.warning(
            "Notification %s: attempt %s failed (%s).",
            notification_id,
            notification.attempts,
            exc.__class__.__name__,
        )
        raise
    _settle(notification_id, status=Notification.Status.SENT, sent_at=timezone.now(), last_error="")
    return True


def _tell_refused(notification: Notification, *, address: str) -> None:
    """Let the app that owns the address tell whoever can fix it; its failure never fails the delivery."""
    channel = "email" if notification.by_email else "text"
    for receiver, outcome in delivery_refused.send_robust(
        sender=Notification, notification=notification, channel=channel, address=address
    ):
        if isinstance(outcome, Exception):
            logger.error(
                "Notification %s: telling of the refusal failed in %s (%s).",
                notification.pk,
                getattr(receiver, "__qualname__", receiver),
                outcome.__class__.__name__,
            )


def stuck_before(now: datetime) -> datetime:
    """Claims older than this belong to a worker that died (ARTWORX_NOTIFICATION_STUCK_SECONDS)."""
    return now - timedelta(seconds=settings.ARTWORX_NOTIFICATION_STUCK_SECONDS)


def notifications_release_stuck(*, older_than: datetime) -> int:
    """Put rows left in "sending" by a worker that died back to pending (failed after MAX_ATTEMPTS)."""
    return Notification.objects.filter(status=Notification.Status.SENDING, claimed_at__lt=older_than).update(
        status=Case(
            When(attempts__gte=MAX_ATTEMPTS, then=Value(Notification.Status.FAILED)),
            default=Value(Notification.Status.PENDING),
        ),
        last_error="Released after the worker sending it stopped answering.",
        # Its task died with the worker (Redis gives the message back only after the visibility
        # timeout, and then the claim makes it a no-op): the same sweep queues the row again.
        queued_at=None,
        updated_at=timezone.now(),
    )


def notifications_deliver_pending(*, limit: int | None = None) -> tuple[int, int]:
    """Deliver pending notifications in this process (no broker); returns (sent, failed attempts)."""
    now = timezone.now()
    ids = (
        Notification.objects.filter(status=Notification.Status.PENDING)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = failed = 0
    for notification_id in list(ids[:limit] if limit else ids):
        try:
            sent += notification_deliver(notification_id=notification_id)
        except (SMTPException, OSError):
            failed += 1
    return sent, failed


def notifications_mark_queued(*, notification_ids: list[int]) -> int:
    """Note that these rows have a delivery task in the broker, so the next sweep leaves them be."""
    return Notification.objects.filter(pk__in=notification_ids, status=Notification.Status.PENDING).update(
        queued_at=timezone.now()
    )


def notifications_retry(*, notification_ids: Iterable[int]) -> int:
    """Give failed notifications a fresh set of attempts; the next sweep sends them."""
    return Notification.objects.filter(
        pk__in=list(notification_ids), status=Notification.Status.FAILED
    ).update(
        status=Notification.Status.PENDING,
        attempts=0,
        queued_at=None,
        claimed_at=None,
        updated_at=timezone.now(),
    )


def _read(queryset) -> int:
    """Mark rows read; news (a kind whose condition never ends by itself) closes with it."""
    now = timezone.now()
    news = ~Q(kind__in=list(RESOLVERS))
    read = queryset.filter(news).update(
        read_at=now, closed_at=Coalesce("closed_at", Value(now)), updated_at=now
    )
    return read + queryset.exclude(news).update(read_at=now, updated_at=now)


def notification_mark_read(*, notification: Notification, user) -> bool:
    """Mark one of the user's own notifications read; True if it was unread."""
    return bool(_read(Notification.objects.for_recipient(user).unread().filter(pk=notification.pk)))


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return _read(Notification.objects.for_recipient(user).unread())


def digest_schedule_save(*, user, hour: int, enabled: bool) -> DigestSchedule:
    """Save when the user wants their daily digest (0 to 23, Los Angeles time), and whether at all."""
    if not isinstance(hour, int) or not 0 <= hour <= 23:
        raise ValidationError(_("The digest hour is between 0 and 23."), code="digest_hour")
    schedule, _created = DigestSchedule.objects.update_or_create(
        user=user, defaults={"hour": hour, "enabled": enabled}
    )
    return schedule


def notification_preferences_save(*, user, email_kinds: Iterable[str]) -> None:
    """Save, for every kind, whether the user also wants it by email."""
    wanted = set(email_kinds)
    if wanted - set(Kind.values):
        raise ValidationError(_("Choose among the kinds of notification listed."), code="unknown_kind")
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user=user, kind=kind, by_email=kind in wanted) for kind in Kind.values],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["by_email", "updated_at"],
    )


def absolute_url(path: str) -> str:
    """A link for an email: the app's address plus a path."""
    return f"{settings.ARTWORX_BASE_URL}{path}" if path else ""


def digests_write(*, now: datetime) -> int:
    """Write today's digest for each person whose hour has come and who has open items; returns how many.

    The dedupe key names the person and the local day, and is unique in the database: however many
    sweeps run (or a worker dies mid-send), a person gets at most one digest a day. A sweep that runs
    late (Redis down at the hour) writes it when it runs, the same day.
    """
    User = get_user_model()
    local = timezone.localtime(now)
    today = local.date()
    default_hour = ReminderSettings.current().digest_hour
    schedules = dict(DigestSchedule.objects.values_list("user_id", "hour").filter(enabled=True))
    disabled = set(DigestSchedule.objects.filter(enabled=False).values_list("user_id", flat=True))
    with_items = (
        Notification.objects.filter(in_app=True)
        .open(today=today)
        .exclude(kind=Kind.DIGEST)
        .values("recipient")
    )
    users = User.objects.filter(is_active=True, pk__in=with_items).exclude(email="").exclude(pk__in=disabled)
    drafts = [
        NotificationDraft(
            kind=Kind.DIGEST,
            dedupe_key=f"{Kind.DIGEST}:user-{user.pk}:{today:%Y-%m-%d}",
            subject=user,
            # The text is written when it is sent, from the items open then (notification_deliver).
            context={"recipient_name": user.first_name or user.username, "rows": [], "count": 0},
            recipient=user,
            language=user.language,
            in_app=False,
            by_email=True,
        )
        for user in users.only("pk", "first_name", "username", "language").order_by("pk")
        if local.hour >= schedules.get(user.pk, default_hour)
    ]
    return notifications_enqueue_many(drafts=drafts)
