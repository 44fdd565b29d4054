"""The retention policy, legal holds, and the records that anonymisations and district releases leave."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from artworx.models import SingletonModel, TimeStampedModel

MONTHS = [MinValueValidator(1), MaxValueValidator(1200)]


class RetentionPolicy(SingletonModel):
    """How long each kind of record stays identifiable after it ends (defaults and reasons: README)."""

    student_months = models.PositiveSmallIntegerField(
        _("students: months after they left"),
        default=60,
        validators=MONTHS,
        help_text=_("After the last enrollment ended; a student still enrolled is never anonymised."),
    )
    alumnus_months = models.PositiveSmallIntegerField(
        _("alumni: months after their consent ended"),
        default=12,
        validators=MONTHS,
        help_text=_("An alumnus who still consents to be contacted is never anonymised."),
    )
    referral_months = models.PositiveSmallIntegerField(
        _("referrals that never enrolled: months after they closed"), default=12, validators=MONTHS
    )
    message_months = models.PositiveSmallIntegerField(
        _("message texts: months after they were written"),
        default=12,
        validators=MONTHS,
        help_text=_("Family texts and outbox items keep their date and status; the words are erased."),
    )

    history = HistoricalRecords()  # who changed a period: the nightly anonymisation reads it

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policy")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="retention_retentionpolicy_singleton"),
            models.CheckConstraint(
                condition=Q(student_months__gte=1)
                & Q(alumnus_months__gte=1)
                & Q(referral_months__gte=1)
                & Q(message_months__gte=1),
                name="retention_retentionpolicy_at_least_a_month",
                violation_error_message=_("Each period is at least one month."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Retention policy"))


class LegalHold(TimeStampedModel):
    """A student whose records are kept identifiable whatever the policy says (a court order, a claim)."""

    student = models.OneToOneField(
        "students.Student", on_delete=models.PROTECT, related_name="legal_hold", verbose_name=_("student")
    )
    reason = models.CharField(_("reason"), max_length=300)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self) -> str:
        return str(_("Legal hold on student %(pk)s") % {"pk": self.student_id})


class Anonymisation(models.Model):
    """The record that one student, or one referral that never enrolled, was anonymised. Never edited.

    Written in the same transaction as the anonymisation itself: a row here means every table was
    changed, no row means none was (the run resumes from the students without one).
    """

    class Reason(models.TextChoices):
        RETENTION = "retention", _("Past the retention policy")
        DISTRICT = "district", _("End of a district contract")

    student = models.OneToOneField(
        "students.Student",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="anonymisation",
        verbose_name=_("student"),
    )
    referral = models.OneToOneField(
        "students.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="anonymisation",
        verbose_name=_("referral"),
    )
    # What reports and analysts may still join on: random, so it says nothing of the person.
    pseudonym = models.CharField(_("pseudonymous id"), max_length=20, unique=True)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    release = models.ForeignKey(
        "retention.DistrictRelease",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="anonymisations",
        verbose_name=_("district release"),
    )
    anonymised_at = models.DateTimeField(_("anonymised at"))

    class Meta:
        ordering = ["-anonymised_at", "-pk"]
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(student__isnull=False, referral__isnull=True)
                | Q(student__isnull=True, referral__isnull=False),
                name="retention_anonymisation_student_or_referral",
                violation_error_message=_("An anonymisation is of one student or one referral."),
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym


class Correction(models.Model):
    """A correction a family asked for: which record and field, what it said, what it says now, and why."""

    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="corrections", verbose_name=_("student")
    )
    record = models.CharField(_("record"), max_length=100)
    field = models.CharField(_("field"), max_length=100)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)
    reason = models.TextField(_("why"))
    requested_by = models.CharField(_("asked for by"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self) -> str:
        return f"{self.record}.{self.field} ({self.recorded_at:%Y-%m-%d})"


class DistrictRelease(TimeStampedModel):
    """The end of a district contract: its students' records exported for the district, then anonymised.

    Two different administrators confirm after the dry run; the signed summary stays as the record.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Dry run made, awaiting two confirmations")
        CONFIRMED = "confirmed", _("Confirmed once, awaiting a second administrator")
        APPROVED = "approved", _("Confirmed twice: exporting and anonymising")
        DONE = "done", _("Exported and anonymised")

    district = models.CharField(_("district"), max_length=200)
    district_id_prefix = models.CharField(
        _("district id prefix"),
        max_length=30,
        blank=True,
        help_text=_("Students whose district id starts so."),
    )
    sites = models.ManyToManyField(
        "sites.Site",
        blank=True,
        related_name="+",
        verbose_name=_("sites"),
        help_text=_("Or: students of these sites."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by")
    )
    # The dry run: student ids chosen, and what would change by kind and count.
    student_ids = models.JSONField(_("students"), default=list)
    plan = models.JSONField(_("dry run"), default=dict)
    first_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first confirmed by"),
    )
    first_confirmed_at = models.DateTimeField(_("first confirmed at"), null=True, blank=True)
    second_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("second confirmed by"),
    )
    second_confirmed_at = models.DateTimeField(_("second confirmed at"), null=True, blank=True)
    export_name = models.CharField(_("export file"), max_length=200, blank=True)
    export_sha256 = models.CharField(_("sha256 of the export"), max_length=64, blank=True)
    export_deleted_at = models.DateTimeField(_("export deleted at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    signature = models.CharField(_("signature of the summary (HMAC-SHA256)"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("district release")
        verbose_name_plural = _("district releases")
        constraints = [
            models.CheckConstraint(
                condition=Q(second_confirmed_by__isnull=True)
                | ~Q(second_confirmed_by=models.F("first_confirmed_by")),
                name="retention_districtrelease_two_administrators",
                violation_error_message=_("The second confirmation is by another administrator."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} ({self.get_status_display()})"
