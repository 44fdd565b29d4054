"""The thread of messages between the organisation and a student's family."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from artworx.models import TimeStampedModel
from students.models import Channel


class MessageQuerySet(models.QuerySet):
    """Queries over the message thread."""

    def for_student(self, student) -> "MessageQuerySet":
        """A student's thread, newest first, with who wrote it and to which guardian."""
        return (
            self.filter(student=student)
            .select_related("guardian", "written_by", "notification")
            .order_by("-created_at", "-pk")
        )


class Message(TimeStampedModel):
    """One text or email to or from a guardian, with its delivery status and the provider's id."""

    class Direction(models.TextChoices):
        OUTBOUND = "out", _("Sent")
        INBOUND = "in", _("Received")

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notice")  # absences, contract dates, signatures: composed by the sweeps
        STAFF = "staff", _("Written by staff")
        REPLY = "reply", _("From the family")
        KEYWORD = "keyword", _("Opt-out or opt-in confirmation")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        UNDELIVERED = "undelivered", _("Not delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent: consent withdrawn")
        NOT_SENT = "not_sent", _("Not sent (no text provider configured)")
        RECEIVED = "received", _("Received")

    # Null only for a text from a number no guardian has: kept for the administrators, never lost.
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="family_messages",
        verbose_name=_("student"),
    )
    guardian = models.ForeignKey(
        "students.Guardian",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("guardian"),
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices, default=Channel.SMS)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    body = models.TextField(_("text"))
    phone = models.CharField(_("mobile number"), max_length=20, blank=True)  # the family's side, E.164
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    status_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    error_code = models.CharField(_("provider error code"), max_length=10, blank=True)
    error_message = models.CharField(_("error"), max_length=300, blank=True)
    provider_sid = models.CharField(_("provider id"), max_length=64, blank=True)
    notification = models.OneToOneField(
        "notifications.Notification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="family_message",
        verbose_name=_("outbox item"),
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("family message")
        verbose_name_plural = _("family messages")
        constraints = [
            # One row per provider message and student: a retried webhook finds the row it wrote.
            models.UniqueConstraint(
                fields=["provider_sid", "student"],
                condition=~Q(provider_sid=""),
                name="families_message_unique_provider_sid",
                violation_error_message=_("This provider message is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(direction="in", status="received") | (Q(direction="out") & ~Q(status="received")),
                name="families_message_status_fits_direction",
                violation_error_message=_("A received message has the status received; a sent one never."),
            ),
            models.CheckConstraint(
                condition=Q(direction="in") | Q(student__isnull=False),
                name="families_message_outbound_has_student",
                violation_error_message=_("A message to a family is about a student."),
            ),
        ]
        indexes = [
            models.Index(fields=["student", "-created_at"], name="families_thread_idx"),  # the thread
            models.Index(fields=["provider_sid"], name="families_sid_idx"),  # status callbacks
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.get_channel_display()} {self.phone} ({self.status})"

    @property
    def shown_status(self) -> "Message.Status":
        """The status to show: a text's as the provider reported it, an email's from its outbox row."""
        if self.channel == Channel.EMAIL and self.notification is not None:
            outbox = {"sent": self.Status.SENT, "failed": self.Status.FAILED}
            return outbox.get(self.notification.status, self.Status.QUEUED)
        return self.Status(self.status)


class FamilyNotice(models.Model):
    """One thing to tell a guardian (an absence, a contract date, a signature), merged into a daily text.

    Written by the sweeps and by `family_notice_add` (for other code); `message` is the text that
    carried it. A notice that came after the day's text waits for the next day's: nothing is lost,
    and a guardian never gets more than one notice text a day.
    """

    class Kind(models.TextChoices):
        ABSENCE = "absence", _("Absent today")
        IN_A_ROW = "in_a_row", _("Absences in a row")
        CONTRACT_DUE_SOON = "due_soon", _("Contract due soon")
        CONTRACT_DUE_TODAY = "due_today", _("Contract due today")
        SIGNATURE_NEEDED = "signature", _("Signature needed")
        REVIEW_OPENED = "review", _("Missed work under review")

    guardian = models.ForeignKey(
        "students.Guardian", on_delete=models.CASCADE, related_name="notices", verbose_name=_("guardian")
    )
    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="family_notices", verbose_name=_("student")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # What the notice is about, so a sweep that runs again writes nothing (e.g. "attendance-12").
    occasion = models.CharField(_("occasion"), max_length=100)
    on = models.DateField(_("day"))
    # Plain values for the text: a first name, a program's name, a date, a link. Never support flags.
    details = models.JSONField(_("details"), default=dict, blank=True)
    message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("sent in"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = _("family notice")
        verbose_name_plural = _("family notices")
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "kind", "occasion"],
                name="families_familynotice_once_per_occasion",
                violation_error_message=_("This guardian was already told about this."),
            ),
        ]
        indexes = [
            # The composer's "what is still to tell": notices not yet in a text.
            models.Index(
                fields=["guardian"], condition=Q(message__isnull=True), name="families_notice_open_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.guardian_id} ({self.on})"
