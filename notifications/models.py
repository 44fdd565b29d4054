"""The notification outbox, email preferences per kind, and the reminder thresholds."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from artworx.cache import bump
from artworx.models import Language, SingletonModel, TimeStampedModel


class Kind(models.TextChoices):
    """What a notification is about; each kind has a sweep and two templates (subject, body)."""

    CONTRACT_DUE_SOON = "contract_due_soon", _("Contract due soon")
    CONTRACT_EXPIRED = "contract_expired", _("Contract expired")
    ATTENDANCE_NOT_LOGGED = "attendance_not_logged", _("Attendance not logged")
    CONSECUTIVE_ABSENCES = "consecutive_absences", _("Absences in a row")
    CHRONIC_ABSENCE = "chronic_absence", _("Chronic absence")
    ALUMNI_CHECK_IN_DUE = "alumni_check_in_due", _("Alumni check-in due")
    SEAT_OPEN = "seat_open", _("Seat open")
    REFERRAL_WAITING = "referral_waiting", _("Referral waiting")
    SIGNATURE_NEEDED = "signature_needed", _("Signature needed")
    MISSED_WORK_REVIEW = "missed_work_review", _("Missed-work review")
    REENGAGEMENT = "reengagement", _("Re-engagement")
    FAMILY_TEXT = "family_text", _("Text message to a family")
    FAMILY_REPLY = "family_reply", _("Text from a family")
    ADDRESS_REFUSED = "address_refused", _("Address refused")
    DIGEST = "digest", _("Daily digest")


# Kinds that may also go out by email at once, for a person who asked for that kind; every other
# kind reaches people through the Today page and the one digest a day.
URGENT_KINDS = (Kind.ATTENDANCE_NOT_LOGGED, Kind.SEAT_OPEN)

# The Today page's order: what cannot wait first.
URGENCY = [
    Kind.SEAT_OPEN,
    Kind.ATTENDANCE_NOT_LOGGED,
    Kind.CONSECUTIVE_ABSENCES,
    Kind.CONTRACT_EXPIRED,
    Kind.REFERRAL_WAITING,
    Kind.MISSED_WORK_REVIEW,
    Kind.CONTRACT_DUE_SOON,
    Kind.REENGAGEMENT,
    Kind.CHRONIC_ABSENCE,
    Kind.ALUMNI_CHECK_IN_DUE,
    Kind.SIGNATURE_NEEDED,
    Kind.ADDRESS_REFUSED,
    Kind.FAMILY_REPLY,
    Kind.FAMILY_TEXT,
    Kind.DIGEST,
]


# Dedupe keys asked about per query (`keys_written`).
KEY_BATCH = 5000


# The fields that decide whether an item is open for whom: a write to any of them (or a row written or
# deleted) starts a new generation of the bell's kept counts (notifications/context_processors.py).
OPEN_FIELDS = frozenset({"recipient", "recipient_id", "in_app", "closed_at", "snoozed_until"})


def items_changed() -> None:
    """Every bell counts afresh once the writing transaction commits (artworx.cache generations)."""
    transaction.on_commit(lambda: bump("items"))


class NotificationQuerySet(models.QuerySet):
    """Queries over the outbox. Writes through it that can open, close or move an item let every kept
    bell count go, bulk ones included: one home for that, whoever writes."""

    def update(self, **kwargs) -> int:
        changed = super().update(**kwargs)
        if changed and OPEN_FIELDS.intersection(kwargs):
            items_changed()
        return changed

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            items_changed()
        return created

    def delete(self):
        deleted = super().delete()
        if deleted[0]:
            items_changed()
        return deleted

    def keys_written(self, keys: Iterable[str]) -> set[str]:
        """Which of these dedupe keys are written: one query per 5,000 keys, on the keys' unique index,
        each batch sent as one parameter (`__any`, artworx.lookups): a sweep asks about tens of
        thousands of keys each pass."""
        keys = list(keys)
        written: set[str] = set()
        for start in range(0, len(keys), KEY_BATCH):
            batch = keys[start : start + KEY_BATCH]
            written.update(self.filter(dedupe_key__any=batch).values_list("dedupe_key", flat=True))
        return written

    def for_recipient(self, user) -> "NotificationQuerySet":
        """The in-app notifications of one signed-in user: nobody sees anyone else's."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user, in_app=True)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def open(self, *, today) -> "NotificationQuerySet":
        """Items whose condition still holds and that are not snoozed past `today`."""
        return self.filter(closed_at__isnull=True).filter(
            Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=today)
        )


class Notification(TimeStampedModel):
    """One message to one recipient, in-app and/or by email, written once per dedupe key."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # A signed-in user, or a person who never signs in (a student, a guardian) reached by email.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    recipient_email = models.EmailField(_("recipient email"), blank=True)
    recipient_name = models.CharField(_("recipient name"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    # What the notification is about: a contract today, a session or a referral later.
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("about (type)")
    )
    subject_id = models.PositiveBigIntegerField(_("about (id)"))
    subject = GenericForeignKey("subject_type", "subject_id")
    # kind + subject + occasion + recipient: a sweep that runs again finds the row and writes nothing.
    dedupe_key = models.CharField(_("dedupe key"), max_length=200)
    in_app = models.BooleanField(_("in the app"), default=True)
    by_email = models.BooleanField(_("by email"), default=False)
    # A text message to a mobile number (E.164), sent by the text sender an app registers
    # (notifications.channels); the row's subject is that app's record of the message.
    by_text = models.BooleanField(_("by text message"), default=False)
    recipient_phone = models.CharField(_("recipient mobile number"), max_length=20, blank=True)
    # Not to be sent before this time (quiet hours for texts): sweeps and claims leave the row until then.
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    # Rendered once, in the recipient's language, from templates that never see support flags or notes.
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    link_url = models.CharField(_("link"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The template context as plain JSON values (notifications.items.encode_context): the bell, the
    # Today page and the digest render it in the reader's language when read; title and body above
    # are what was (or will be) sent.
    context = models.JSONField(_("context"), default=dict, blank=True)
    # An item is open while its condition holds; the sweep (or the service that ended it) closes it.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    snoozed_until = models.DateField(_("snoozed until"), null=True, blank=True)
    # Whose item this is, as a responsibility ("site-3:lead", "referral-9:counselor", "student-4:teacher"):
    # reassigning that responsibility moves the open items that carry it.
    responsibility = models.CharField(_("responsibility"), max_length=60, blank=True)
    # The site the item's student or object belongs to (a plain id: the outbox knows no domain app);
    # "not mine" hands the item back to that site's lead.
    site_ref = models.PositiveIntegerField(_("site"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                name="notifications_notification_unique_dedupe_key",
                violation_error_message=_("This reminder was already written."),
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(recipient_email="") | ~Q(recipient_phone=""),
                name="notifications_notification_has_recipient",
                violation_error_message=_(
                    "A notification goes to a user, an email address or a mobile number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(in_app=False) | Q(recipient__isnull=False),
                name="notifications_notification_in_app_needs_user",
                violation_error_message=_("Only a user who signs in can see a notification in the app."),
            ),
            models.CheckConstraint(
                condition=Q(in_app=True) | Q(by_email=True) | Q(by_text=True),
                name="notifications_notification_has_channel",
                violation_error_message=_("A notification is shown in the app, sent by email or by text."),
            ),
            models.CheckConstraint(
                condition=Q(by_text=False) | ~Q(recipient_phone=""),
                name="notifications_notification_text_needs_phone",
                violation_error_message=_("A text message goes to a mobile number."),
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="notifications_notification_sent_has_time",
                violation_error_message=_("A sent notification has a sending time; an unsent one none."),
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_at__isnull=False),
                name="notifications_notification_sending_is_claimed",
                violation_error_message=_("A notification being sent has been claimed by a worker."),
            ),
        ]
        indexes = [
            # The bell's unread count on every page.
            models.Index(
                fields=["recipient"],
                condition=Q(in_app=True, read_at__isnull=True),
                name="notifications_unread_idx",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notifications_list_idx"),  # the list
            models.Index(fields=["status", "claimed_at"], name="notifications_status_idx"),  # sweeps
            models.Index(fields=["subject_type", "subject_id"], name="notifications_subject_idx"),
            # The Today page, the bell's open count and the digest: a person's open items.
            models.Index(
                fields=["recipient", "kind"],
                condition=Q(in_app=True, closed_at__isnull=True),
                name="notifications_open_idx",
            ),
            # Reassigning a responsibility moves its open items.
            models.Index(
                fields=["responsibility"],
                condition=Q(closed_at__isnull=True) & ~Q(responsibility=""),
                name="notifications_resp_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient or self.recipient_email or self.recipient_phone}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        items_changed()

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(TimeStampedModel):
    """Whether a user also wants a kind of notification by email (in the app they always get it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    by_email = models.BooleanField(_("also by email"), default=False)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                name="notifications_preference_one_per_user_and_kind",
                violation_error_message=_("This user already has a preference for this kind."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} ({'email' if self.by_email else 'in app'})"


def validate_day_list(value: str) -> None:
    """Between one and five distinct instructional-day counts, each 1 to the contract length."""
    days = [int(part) for part in value.split(",") if part.strip().isdigit()]
    limit = settings.ARTWORX_CONTRACT_DAYS
    if not days or len(days) != len(value.split(",")) or len(days) > 5:
        raise ValidationError(_("Give one to five numbers of days separated by commas, e.g. 10,5,1."))
    if len(set(days)) != len(days) or not all(1 <= day <= limit for day in days):
        raise ValidationError(
            _("Each number of days is different and between 1 and %(limit)d.") % {"limit": limit}
        )


# Rule 10's absence thresholds are programs' own (programs.models.AbsenceThresholds).
class ReminderSettings(SingletonModel):
    """When reminders go out (one row, edited in the admin console)."""

    attendance_remind_after_hours = models.PositiveSmallIntegerField(
        _("remind about an unlogged session after (hours)"), default=2, validators=[MinValueValidator(1)]
    )
    attendance_escalate_after_hours = models.PositiveSmallIntegerField(
        _("escalate an unlogged session to program staff after (hours)"),
        default=48,
        validators=[MinValueValidator(1)],
    )
    contract_due_days = models.CharField(
        _("remind before a contract's due date (instructional days)"),
        max_length=20,
        default="10,5,1",
        validators=[RegexValidator(r"^\d{1,3}(,\d{1,3})*$"), validate_day_list],
        help_text=_("Comma-separated, e.g. 10,5,1."),
    )
    referral_no_contact_days = models.PositiveSmallIntegerField(
        _("days without contact before a referral reminder"), default=3, validators=[MinValueValidator(1)]
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("daily digest hour (Los Angeles time)"),
        default=7,
        validators=[MaxValueValidator(23)],
        help_text=_("When the daily digest goes out for people who have not chosen an hour (0 to 23)."),
    )

    history = HistoricalRecords()  # who changed a threshold, and the dashboard cache's signal

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1),
                name="notifications_remindersettings_singleton",
                violation_error_message=_("There is one set of reminder settings."),
            ),
            models.CheckConstraint(
                condition=Q(attendance_escalate_after_hours__gt=F("attendance_remind_after_hours")),
                name="notifications_remindersettings_escalation_after_reminder",
                violation_error_message=_("Escalation comes after the first reminder."),
            ),
            models.CheckConstraint(
                condition=Q(contract_due_days__regex=r"^[0-9]{1,3}(,[0-9]{1,3})*$"),
                name="notifications_remindersettings_due_days_list",
                violation_error_message=_("Give numbers of days separated by commas, e.g. 10,5,1."),
            ),
            models.CheckConstraint(
                condition=Q(referral_no_contact_days__gte=1) & Q(attendance_remind_after_hours__gte=1),
                name="notifications_remindersettings_positive_thresholds",
                violation_error_message=_("Thresholds are at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(digest_hour__lte=23),
                name="notifications_remindersettings_digest_hour",
                violation_error_message=_("The digest hour is between 0 and 23."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Reminder settings"))

    @property
    def contract_due_day_list(self) -> list[int]:
        """The instructional-day counts before a due date, largest first."""
        return sorted(
            {int(day) for day in self.contract_due_days.split(",") if day.strip().isdigit()}, reverse=True
        )


class SweepRun(models.Model):
    """When a sweep last ran, so the next one reads only what changed since (and what it missed)."""

    name = models.CharField(_("sweep"), max_length=50, unique=True)
    started_at = models.DateTimeField(_("last run started"))

    class Meta:
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M}"


class DigestSchedule(TimeStampedModel):
    """When one person wants their daily digest (without a row: the reminder settings' hour)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_schedule"
    )
    hour = models.PositiveSmallIntegerField(
        _("digest hour (Los Angeles time)"), default=7, validators=[MaxValueValidator(23)]
    )
    enabled = models.BooleanField(_("send me a daily digest"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("digest schedule")
        verbose_name_plural = _("digest schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(hour__lte=23),
                name="notifications_digestschedule_hour",
                violation_error_message=_("The digest hour is between 0 and 23."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.hour:02d}:00"
