"""Who opened a student's sensitive record: the read audit, kept a year (ARTWORX_READ_AUDIT_DAYS)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecordRead(models.Model):
    """One page view that showed someone a student's support profile, notes, guardians or a referral."""

    class Part(models.TextChoices):
        SUPPORT_PROFILE = "support_profile", _("Support profile")
        PRIVATE_NOTES = "private_notes", _("Private notes")
        GUARDIANS = "guardians", _("Guardian contacts")
        REFERRAL = "referral", _("Referral")
        FAMILY_MESSAGES = "family_messages", _("Family messages")

    # PROTECT: people are deactivated, not deleted, and the audit must keep who read.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="record_reads",
        verbose_name=_("user"),
    )
    # Rows belong to their record: a student or referral that is ever removed takes its reads along.
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="record_reads",
        verbose_name=_("student"),
    )
    referral = models.ForeignKey(
        "students.Referral",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="record_reads",
        verbose_name=_("referral"),
    )
    # What the page showed, as Part values joined by commas: one row per page view, not per part.
    parts = models.CharField(_("what was shown"), max_length=100)
    at = models.DateTimeField(_("when"), default=timezone.now)
    path = models.CharField(_("page"), max_length=500)
    view_name = models.CharField(_("view"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("record read")
        verbose_name_plural = _("record reads")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["student", "-at"]),  # "Who opened this record" on the student page
            models.Index(fields=["at"]),  # the purge of rows past ARTWORX_READ_AUDIT_DAYS
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(student__isnull=False) | models.Q(referral__isnull=False),
                name="students_recordread_names_a_record",
                violation_error_message="A read names a student or a referral.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M} {self.parts}"

    def part_labels(self) -> list[str]:
        """What the page showed, in the reader's language."""
        labels = dict(self.Part.choices)
        return [str(labels.get(part, part)) for part in self.parts.split(",") if part]
