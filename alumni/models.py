"""Alumni (graduates we keep following) and their check-ins."""

from collections.abc import Sequence
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from artworx.models import Language, TimeStampedModel
from artworx.roles import is_teacher, sees_all
from students.models import Diploma, Enrollment, ExitReason


class Outcome(models.TextChoices):
    """Where an alumnus is now."""

    COLLEGE = "college", _("College")
    CREATIVE_JOB = "creative_job", _("Creative-industry job")
    OTHER_JOB = "other_job", _("Other job")
    MILITARY = "military", _("Military")
    TRADE = "trade", _("Trade or apprenticeship")
    SEEKING = "seeking", _("Seeking work or school")
    UNKNOWN = "unknown", _("Unknown")


# Outcomes are reported at 6 and 12 months after graduation (the funders' figures): "at 6 months" is the
# latest check-in that reached the alumnus within 6 months of graduating.
HORIZONS = (6, 12)
MONTH = timedelta(days=30.44)


class AlumnusQuerySet(models.QuerySet):
    """Queries over alumni."""

    def visible_to(self, user) -> "AlumnusQuerySet":
        """Staff roles see every alumnus; a teacher those who graduated from their sites."""
        if not user.is_authenticated:
            return self.none()
        if sees_all(user):
            return self.all()
        if is_teacher(user):
            graduated_here = Enrollment.objects.filter(
                student=OuterRef("student"), exit_reason=ExitReason.GRADUATED, site__teachers=user
            )
            return self.filter(Exists(graduated_here))
        return self.none()


class Alumnus(TimeStampedModel):
    """A former student who graduated, followed for years."""

    Diploma = Diploma

    student = models.OneToOneField(
        "students.Student", on_delete=models.PROTECT, related_name="alumnus", verbose_name=_("student")
    )
    graduated_on = models.DateField(_("graduation date"))
    diploma = models.CharField(_("diploma"), max_length=10, choices=Diploma.choices, default=Diploma.DIPLOMA)
    plans = models.TextField(_("plans after graduation"), blank=True)
    consents_to_contact = models.BooleanField(
        _("consents to be contacted"),
        default=True,
        help_text=_("Without consent: no messages, no reminders."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    staff_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alumni",
        verbose_name=_("staff contact"),
    )
    # Kept by the check-in service: the latest check-in's outcome and next due date, so caseload
    # lists ("due this week", "overdue") are one indexed query.
    current_outcome = models.CharField(
        _("current outcome"), max_length=15, choices=Outcome.choices, default=Outcome.UNKNOWN
    )
    next_check_in_on = models.DateField(_("next check-in due"), null=True, blank=True)
    # Kept by the same service: the outcome at each horizon (empty: not reached by then), so outcomes by
    # graduation year are one grouped query over alumni, however many check-ins there are.
    outcome_at_6_months = models.CharField(
        _("outcome at 6 months"), max_length=15, choices=Outcome.choices, blank=True
    )
    outcome_at_12_months = models.CharField(
        _("outcome at 12 months"), max_length=15, choices=Outcome.choices, blank=True
    )

    objects = AlumnusQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-graduated_on", "student__last_name", "pk"]
        verbose_name = _("alumnus")
        verbose_name_plural = _("alumni")
        indexes = [
            models.Index(
                fields=["staff_contact", "next_check_in_on"]
            ),  # a staff member's due and overdue lists
            models.Index(fields=["graduated_on"]),  # outcomes by graduation year
        ]

    def __str__(self) -> str:
        return str(self.student)

    def follow_outcomes(self, reached: Sequence[tuple[date, str]]) -> None:
        """Set the kept outcomes from the check-ins that reached them, (date, outcome) oldest first."""
        self.current_outcome = reached[-1][1] if reached else Outcome.UNKNOWN
        for months in HORIZONS:
            within = [outcome for day, outcome in reached if day <= self.graduated_on + months * MONTH]
            setattr(self, f"outcome_at_{months}_months", within[-1] if within else "")


class OutcomeTotals(models.Model):
    """How many alumni graduated on a day with each pair of outcomes at 6 and 12 months: a running total
    kept by database triggers (alumni/totals.py), so outcomes by graduation year across every alumnus
    sum a few hundred rows instead of grouping each alumnus (100,000 at statewide scale, issue #22)."""

    graduated_on = models.DateField(_("graduation date"))
    outcome_at_6_months = models.CharField(
        _("outcome at 6 months"), max_length=15, choices=Outcome.choices, blank=True
    )
    outcome_at_12_months = models.CharField(
        _("outcome at 12 months"), max_length=15, choices=Outcome.choices, blank=True
    )
    alumni = models.IntegerField(_("alumni"), default=0)

    class Meta:
        verbose_name = _("alumni outcome totals")
        verbose_name_plural = _("alumni outcome totals")
        constraints = [
            models.UniqueConstraint(
                fields=["graduated_on", "outcome_at_6_months", "outcome_at_12_months"],
                name="alumni_outcometotals_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.graduated_on}: {self.alumni} ({self.outcome_at_6_months}, {self.outcome_at_12_months})"


class CheckIn(TimeStampedModel):
    """One follow-up with an alumnus."""

    class Method(models.TextChoices):
        CALL = "call", _("Call")
        TEXT = "text", _("Text message")
        EMAIL = "email", _("Email")
        IN_PERSON = "in_person", _("In person")
        EVENT = "event", _("Event")

    alumnus = models.ForeignKey(
        Alumnus, on_delete=models.PROTECT, related_name="check_ins", verbose_name=_("alumnus")
    )
    date = models.DateField(_("date"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="check_ins", verbose_name=_("staff")
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    reached = models.BooleanField(_("reached them"), default=True)
    outcome = models.CharField(_("outcome at this point"), max_length=15, choices=Outcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    next_due_on = models.DateField(_("next check-in due"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.CheckConstraint(
                condition=Q(next_due_on__gt=models.F("date")),
                name="alumni_checkin_next_after_date",
                violation_error_message=_("The next check-in is due after this one."),
            ),
            models.CheckConstraint(
                condition=Q(reached=True) | Q(outcome="unknown"),
                name="alumni_checkin_unreached_outcome_unknown",
                violation_error_message=_("If you did not reach them, the outcome is unknown."),
            ),
        ]
        indexes = [models.Index(fields=["alumnus", "date"])]  # timelines and outcomes at 6 and 12 months

    def __str__(self) -> str:
        return f"{self.alumnus} · {date_format(self.date, 'SHORT_DATE_FORMAT')}"
