"""A contract's written agreement (EC 51747, 5 CCR 11702): versions, signatures, texts and the board's policy.

In California law an 80-day credit-recovery contract is an independent-study written agreement. Each
version holds a snapshot of what it says (both languages) and the sha256 of that snapshot; a version
once sent is never rewritten: a change makes the next version, which needs signing again.
"""

import hashlib
import json

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from artworx.models import Language, SingletonModel, TimeStampedModel


def content_hash(content: dict) -> str:
    """The sha256 of a version's content, over its canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class IndependentStudyPolicy(SingletonModel):
    """The board policy's numbers every agreement states (one row, edited in the admin console).

    The law leaves each number to the governing board (EC 51747(a)); these are defaults, not rules.
    """

    program_name = models.CharField(
        _("program name"), max_length=200, default="artworx credit recovery (independent study)"
    )
    # EC 51747(a)(1): the longest time allowed between an assignment and its due date.
    max_days_to_due = models.PositiveSmallIntegerField(
        _("longest time from assignment to due date (school days)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    # EC 51747(a)(3)–(4): the number of missed assignments that triggers an evaluation.
    missed_assignments_for_review = models.PositiveSmallIntegerField(
        _("missed assignments that open a review"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    # Tiered re-engagement (EC 51747(d)) ⚠: less than this share of the expected time over the period.
    reengagement_percent = models.PositiveSmallIntegerField(
        _("re-engagement line (% of the expected time)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    reengagement_weeks = models.PositiveSmallIntegerField(
        _("re-engagement period (weeks)"), default=4, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    # The written findings of a review are a record kept three years (EC 51747(a)(4)).
    review_retention_years = models.PositiveSmallIntegerField(
        _("keep reviews for (years)"), default=3, validators=[MinValueValidator(3), MaxValueValidator(10)]
    )

    history = HistoricalRecords()  # who changed a number the next agreements will state

    class Meta:
        verbose_name = _("independent-study policy")
        verbose_name_plural = _("independent-study policy")
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1),
                name="students_independentstudypolicy_singleton",
                violation_error_message=_("There is one independent-study policy."),
            ),
            models.CheckConstraint(
                condition=Q(max_days_to_due__gte=1, missed_assignments_for_review__gte=1),
                name="students_independentstudypolicy_numbers_positive",
                violation_error_message=_("The policy's numbers are at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(reengagement_percent__gte=1, reengagement_percent__lte=100),
                name="students_independentstudypolicy_percent_1_to_100",
                violation_error_message=_("The re-engagement line is between 1 and 100 %."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Independent-study policy"))


# The placeholders a template may use, filled from the contract and the policy when a version is made.
TEMPLATE_PLACEHOLDERS = (
    "$student, $site, $teacher, $program, $begins, $ends, $days, $credits, $max_days_to_due, "
    "$missed_for_review"
)


class AgreementTemplate(TimeStampedModel):
    """The wording of the written agreement in one language (edited in the admin console)."""

    language = models.CharField(_("language"), max_length=2, choices=Language.choices, unique=True)
    title = models.CharField(_("title"), max_length=200)
    delivery = models.TextField(
        _("how, when and where work is handed in, progress reported and the family contacted"),
        help_text=format_lazy("{} {}", _("Placeholders:"), TEMPLATE_PLACEHOLDERS),
    )
    objectives = models.TextField(_("objectives and methods of study"))
    evaluation = models.TextField(_("how work is evaluated"))
    resources = models.TextField(_("resources: materials, people, device and connectivity"))
    supports = models.TextField(
        _("supports"),
        help_text=_("In general words: the agreement never names a student's support flags."),
    )
    policy = models.TextField(
        _("board policy"),
        help_text=_(
            "Longest time to a due date, satisfactory progress, missed assignments that open a review."
        ),
    )
    voluntary = models.TextField(_("independent study is voluntary"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["language"]
        verbose_name = _("agreement template")
        verbose_name_plural = _("agreement templates")

    def __str__(self) -> str:
        return f"{self.title} ({self.get_language_display()})"

    SECTIONS = ("delivery", "objectives", "evaluation", "resources", "supports", "policy", "voluntary")


class SignerRole(models.TextChoices):
    """Who signs an agreement (EC 51747(g)(9))."""

    STUDENT = "student", _("Student")
    GUARDIAN = "guardian", _("Parent or guardian")
    TEACHER = "teacher", _("Supervising teacher")


class AgreementVersionQuerySet(models.QuerySet):
    """Queries over agreement versions."""

    def current(self) -> "AgreementVersionQuerySet":
        """Versions not replaced: the draft or the one out for signatures, and the signed ones."""
        return self.exclude(status=AgreementVersion.Status.REPLACED)


class AgreementVersion(TimeStampedModel):
    """One version of a contract's written agreement: its content, the content's hash and its signatures."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Awaiting signatures")
        SIGNED = "signed", _("Signed")
        REPLACED = "replaced", _("Replaced before it was signed")

    contract = models.ForeignKey(
        "students.Contract",
        on_delete=models.PROTECT,
        related_name="agreement_versions",
        verbose_name=_("contract"),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    content = models.JSONField(_("content"))
    content_hash = models.CharField(_("sha256 of the content"), max_length=64)
    requires_guardian = models.BooleanField(
        _("a guardian signs"), help_text=_("The student was under 18 when this version was made.")
    )
    # Agreements of contracts opened before electronic signatures were signed on paper; the migration
    # that brought them in says so here instead of inventing signatures.
    on_paper = models.BooleanField(_("signed on paper before electronic signatures"), default=False)
    sent_at = models.DateTimeField(_("sent for signatures"), null=True, blank=True)
    signed_at = models.DateTimeField(_("fully signed"), null=True, blank=True)

    objects = AgreementVersionQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "number"]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="students_agreementversion_unique_number",
                violation_error_message=_("This contract already has a version with this number."),
            ),
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(status__in=["draft", "sent"]),
                name="students_agreementversion_one_pending_per_contract",
                violation_error_message=_("This contract already has a version waiting to be signed."),
            ),
            models.CheckConstraint(
                condition=Q(status="signed", signed_at__isnull=False)
                | (~Q(status="signed") & Q(signed_at__isnull=True)),
                name="students_agreementversion_signed_has_time",
                violation_error_message=_("A signed version has the time it was fully signed."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "replaced"]) | Q(sent_at__isnull=False) | Q(on_paper=True),
                name="students_agreementversion_sent_has_time",
                violation_error_message=_("A version out for signatures has the time it was sent."),
            ),
            models.CheckConstraint(
                condition=Q(on_paper=False) | Q(status="signed"),
                name="students_agreementversion_paper_is_signed",
                violation_error_message=_("A paper agreement is a signed one."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} v{self.number} ({self.get_status_display()})"

    @property
    def required_roles(self) -> list[str]:
        """The roles that must sign this version, in signing order."""
        roles = [SignerRole.STUDENT]
        if self.requires_guardian:
            roles.append(SignerRole.GUARDIAN)
        return [*roles, SignerRole.TEACHER]

    @property
    def hash_matches(self) -> bool:
        """Whether the stored content still has the hash it was signed with."""
        return content_hash(self.content) == self.content_hash


class Signature(models.Model):
    """One signer's signature on one version: typed name, server time, address and the version's hash."""

    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("version")
    )
    role = models.CharField(_("signs as"), max_length=10, choices=SignerRole.choices)
    typed_name = models.CharField(_("typed name"), max_length=200)
    # Set by the server when the row is written, never from input: nobody can backdate a signature.
    signed_at = models.DateTimeField(_("signed at"), editable=False)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    version_hash = models.CharField(_("sha256 of the version signed"), max_length=64)
    language = models.CharField(_("read in"), max_length=2, choices=Language.choices)
    guardian = models.ForeignKey(
        "students.Guardian",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
        verbose_name=_("guardian"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement_signatures",
        verbose_name=_("teacher"),
    )

    class Meta:
        ordering = ["version", "signed_at", "pk"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            # Single use of a signing link: a second signature for the same role and version is refused
            # here even when two requests pass the service's check at the same moment.
            models.UniqueConstraint(
                fields=["version", "role"],
                name="students_signature_one_per_role_and_version",
                violation_error_message=_("This version already has this signature."),
            ),
            models.CheckConstraint(
                condition=~Q(role="guardian") | Q(guardian__isnull=False),
                name="students_signature_guardian_named",
                violation_error_message=_("A guardian's signature names the guardian."),
            ),
            models.CheckConstraint(
                condition=~Q(role="teacher") | Q(user__isnull=False),
                name="students_signature_teacher_named",
                violation_error_message=_("A teacher's signature names the teacher."),
            ),
            models.CheckConstraint(
                condition=~Q(typed_name=""),
                name="students_signature_has_typed_name",
                violation_error_message=_("A signature has the signer's typed name."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.typed_name}"
