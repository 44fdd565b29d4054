"""Students, their guardians and their support profile."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from artworx.models import FieldConstraintErrorsMixin, Language, TimeStampedModel
from artworx.phones import validate_us_phone
from artworx.roles import is_teacher, sees_all
from students.models.common import validate_date_of_birth
from students.models.contracts import NO_CREDITS, ContractCourse
from students.models.enrollments import Enrollment, ExitReason


class StudentQuerySet(models.QuerySet):
    """Queries over students."""

    def for_teacher(self, user) -> "StudentQuerySet":
        """Students enrolled now at a site the user teaches at."""
        return self.filter(
            Exists(Enrollment.objects.open().filter(student=OuterRef("pk"), site__teachers=user))
        )

    def visible_to(self, user) -> "StudentQuerySet":
        """Students the user may see: all for staff roles, their sites' students for teachers."""
        if not user.is_authenticated:
            return self.none()
        if sees_all(user):
            return self.all()
        if is_teacher(user):
            return self.for_teacher(user)
        return self.none()

    def with_status(self) -> "StudentQuerySet":
        """Annotate `status`: enrolled now, graduated, or not enrolled."""
        open_enrollment = Enrollment.objects.open().filter(student=OuterRef("pk"))
        graduated = Enrollment.objects.filter(student=OuterRef("pk"), exit_reason=ExitReason.GRADUATED)
        return self.annotate(
            status=models.Case(
                models.When(Exists(open_enrollment), then=models.Value(Student.Status.ENROLLED)),
                models.When(Exists(graduated), then=models.Value(Student.Status.GRADUATED)),
                default=models.Value(Student.Status.NOT_ENROLLED),
                output_field=models.CharField(),
            )
        )

    def with_credits(self) -> "StudentQuerySet":
        """Annotate `credits_earned`: prior credits plus completed contract courses (DESIGN.md rule 6)."""
        completed = (
            ContractCourse.objects.filter(
                contract__student=OuterRef("pk"), status=ContractCourse.Status.COMPLETED
            )
            .order_by()
            .values("contract__student")
            .annotate(total=models.Sum("credits"))
            .values("total")
        )
        return self.annotate(
            credits_earned=models.ExpressionWrapper(
                F("prior_credits") + Coalesce(models.Subquery(completed), NO_CREDITS),
                output_field=models.DecimalField(max_digits=5, decimal_places=1),
            )
        )


class Student(FieldConstraintErrorsMixin, TimeStampedModel):
    """A young person we serve."""

    constraint_error_fields = {"duplicate_district_id": "district_id"}

    class Status(models.TextChoices):
        ENROLLED = "enrolled", pgettext_lazy("the status of one person", "Enrolled")
        GRADUATED = "graduated", _("Graduated")
        NOT_ENROLLED = "not_enrolled", _("Not enrolled")

    class Grade(models.IntegerChoices):
        NINTH = 9, _("9th grade")
        TENTH = 10, _("10th grade")
        ELEVENTH = 11, _("11th grade")
        TWELFTH = 12, _("12th grade")

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), validators=[validate_date_of_birth])
    district_id = models.CharField(
        _("district id"), max_length=30, blank=True, help_text=_("The school district's student number.")
    )
    grade = models.PositiveSmallIntegerField(_("grade"), choices=Grade.choices)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    phone = PhoneNumberField(
        _("mobile phone"), blank=True, validators=[validate_us_phone], help_text=_("A US mobile number.")
    )
    # What was typed before numbers were checked, when it could not be read as one (migration 0009):
    # kept for staff to correct, never texted.
    phone_as_entered = models.CharField(_("phone as entered before"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    prior_credits = models.DecimalField(
        _("prior credits"),
        max_digits=5,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(300))],
        help_text=_("Credits transcribed from earlier schools."),
    )

    objects = StudentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("student")
        verbose_name_plural = _("students")
        constraints = [
            models.UniqueConstraint(
                fields=["district_id"],
                condition=~Q(district_id=""),
                name="students_student_unique_district_id",
                violation_error_code="duplicate_district_id",
                violation_error_message=_("Another student already has this district id."),
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=9) & Q(grade__lte=12),
                name="students_student_grade_9_to_12",
                violation_error_message=_("Grade must be between 9 and 12."),
            ),
            models.CheckConstraint(
                condition=Q(prior_credits__gte=0) & Q(prior_credits__lte=300),
                name="students_student_prior_credits_0_to_300",
                violation_error_message=_("Prior credits must be between 0 and 300."),
            ),
        ]
        indexes = [models.Index(fields=["last_name", "first_name"])]  # the student list's order and search

    # What `str()` and `display_name` read: a query that names students loads only these (`only`).
    NAME_FIELDS = ("first_name", "preferred_name", "last_name")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def display_name(self) -> str:
        """The name the student goes by."""
        if self.preferred_name:
            return f"{self.preferred_name} {self.last_name}"
        return str(self)

    @property
    def credits_required(self) -> int:
        return settings.ARTWORX_GRADUATION_CREDITS


class Channel(models.TextChoices):
    """How a message reaches a family."""

    SMS = "sms", _("Text message")
    EMAIL = "email", _("Email")


class GuardianQuerySet(models.QuerySet):
    """Queries over guardians."""

    def reachable_by(self, channel: str) -> "GuardianQuerySet":
        """Guardians who accept messages on the channel and have a number or address for it."""
        if channel == Channel.SMS:
            return self.filter(sms_opt_in=True).exclude(phone="")
        return self.filter(email_opt_in=True).exclude(email="")

    def reachable(self) -> "GuardianQuerySet":
        """Guardians who accept texts or email and can be reached on it."""
        return self.filter((Q(sms_opt_in=True) & ~Q(phone="")) | (Q(email_opt_in=True) & ~Q(email="")))


class Guardian(TimeStampedModel):
    """A parent, guardian or caregiver to contact about a student."""

    class Relationship(models.TextChoices):
        PARENT = "parent", _("Parent")
        GUARDIAN = "guardian", _("Legal guardian")
        GRANDPARENT = "grandparent", _("Grandparent")
        FOSTER = "foster", _("Foster parent")
        CAREGIVER = "caregiver", _("Caregiver")
        OTHER = "other", _("Other")

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("student")
    )
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    phone = PhoneNumberField(
        _("mobile phone"), blank=True, validators=[validate_us_phone], help_text=_("A US mobile number.")
    )
    phone_as_entered = models.CharField(_("phone as entered before"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    # The consent in force on each channel, written only by guardian_consent_set together with its
    # history row (GuardianConsent): sweeps filter on these columns without reading the history.
    sms_opt_in = models.BooleanField(_("accepts text messages"), default=False, editable=False)
    email_opt_in = models.BooleanField(_("accepts email"), default=False, editable=False)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    objects = GuardianQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        constraints = [
            models.CheckConstraint(
                condition=Q(sms_opt_in=False) | ~Q(phone=""),
                name="students_guardian_texts_need_phone",
                violation_error_message=_("A guardian who accepts text messages has a mobile number."),
            ),
            models.CheckConstraint(
                condition=Q(email_opt_in=False) | ~Q(email=""),
                name="students_guardian_email_needs_address",
                violation_error_message=_("A guardian who accepts email has an email address."),
            ),
        ]
        indexes = [models.Index(fields=["phone"], name="students_guardian_phone_idx")]  # inbound texts

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"

    @property
    def consents_to_messages(self) -> bool:
        """Whether the guardian accepts messages on some channel (the one flag of earlier versions)."""
        return self.sms_opt_in or self.email_opt_in

    def accepts(self, channel: str) -> bool:
        """Whether the guardian accepts messages on a channel ("sms" or "email") and can be reached on it."""
        if channel == Channel.SMS:
            return self.sms_opt_in and bool(self.phone)
        return self.email_opt_in and bool(self.email)


class GuardianConsent(models.Model):
    """One change of a guardian's consent on one channel: who recorded it, when and how. Never edited."""

    class Method(models.TextChoices):
        FORM = "form", _("On the web form")
        PAPER = "paper", _("On a paper form")
        PHONE = "phone", _("By phone")
        TEXT = "text", _("By text message (STOP / START)")
        IMPORT = "import", _("Carried over from the earlier consent")

    guardian = models.ForeignKey(
        Guardian, on_delete=models.CASCADE, related_name="consents", verbose_name=_("guardian")
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    granted = models.BooleanField(_("accepts"))
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("guardian consent")
        verbose_name_plural = _("guardian consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["sms", "email"]),
                name="students_guardianconsent_known_channel",
                violation_error_message=_("Consent is recorded for text messages or email."),
            ),
            models.CheckConstraint(
                condition=Q(method__in=["form", "paper", "phone", "text", "import"]),
                name="students_guardianconsent_known_method",
                violation_error_message=_("Say how the consent was given."),
            ),
        ]
        indexes = [models.Index(fields=["guardian", "-recorded_at"], name="students_consent_history_idx")]

    def __str__(self) -> str:
        state = _("accepts") if self.granted else _("refuses")
        return f"{self.guardian}: {self.get_channel_display()} {state} ({self.recorded_at:%Y-%m-%d})"


class SupportProfile(TimeStampedModel):
    """Sensitive support needs of one student: need-to-know only (DESIGN.md rule 13)."""

    FLAGS = (
        "pregnant_or_parenting",
        "on_probation",
        "returning_from_detention",
        "expelled",
        "mental_health",
        "substance_use",
        "foster_youth",
        "experiencing_homelessness",
        "iep_or_504",
        "english_learner",
    )

    student = models.OneToOneField(
        Student, on_delete=models.PROTECT, related_name="support_profile", verbose_name=_("student")
    )
    pregnant_or_parenting = models.BooleanField(_("pregnant or parenting"), default=False)
    on_probation = models.BooleanField(_("on probation"), default=False)
    returning_from_detention = models.BooleanField(_("returning from detention"), default=False)
    expelled = models.BooleanField(_("expelled"), default=False)
    mental_health = models.BooleanField(_("mental health support"), default=False)
    substance_use = models.BooleanField(_("substance use support"), default=False)
    foster_youth = models.BooleanField(_("foster youth"), default=False)
    experiencing_homelessness = models.BooleanField(_("experiencing homelessness"), default=False)
    iep_or_504 = models.BooleanField(_("IEP or 504 plan"), default=False)
    english_learner = models.BooleanField(_("English learner"), default=False)
    private_notes = models.TextField(_("private notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("support profile")
        verbose_name_plural = _("support profiles")

    def __str__(self) -> str:
        return f"Support profile of {self.student}"

    def active_flags(self) -> list[str]:
        """Labels of the flags that are set."""
        return [
            capfirst(self._meta.get_field(name).verbose_name) for name in self.FLAGS if getattr(self, name)
        ]
