"""Waitlists of full sites (rule 4) and re-engagement referrals."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from artworx.models import TimeStampedModel
from artworx.roles import is_teacher, sees_all
from students.models.common import student_model, validate_date_of_birth

# Waitlists (DESIGN.md rule 4) and referrals ---------------------------------------------------


class WaitlistEntryQuerySet(models.QuerySet):
    """Queries over waitlist entries."""

    def waiting(self) -> "WaitlistEntryQuerySet":
        """Entries still waiting, head of the list first."""
        return self.filter(status=WaitlistEntry.Status.WAITING).order_by("added_on", "pk")

    def visible_to(self, user) -> "WaitlistEntryQuerySet":
        """Waitlists name youth not enrolled yet: staff roles only (DESIGN.md rule 13)."""
        if user.is_authenticated and sees_all(user):
            return self.all()
        return self.none()


class WaitlistEntry(TimeStampedModel):
    """A student waiting for a seat at a full site, in the order they were added."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        ENROLLED = "enrolled", pgettext_lazy("the status of one person", "Enrolled")
        SKIPPED = "skipped", _("Skipped")

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.PROTECT,
        related_name="waitlist_entries",
        verbose_name=_("student"),
    )
    site = models.ForeignKey(
        "sites.Site", on_delete=models.PROTECT, related_name="waitlist_entries", verbose_name=_("site")
    )
    added_on = models.DateField(_("added on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    skip_reason = models.CharField(_("reason for skipping"), max_length=300, blank=True)

    objects = WaitlistEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["site", "added_on", "pk"]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "site"],
                condition=Q(status="waiting"),
                name="students_waitlistentry_one_waiting_per_student_site",
                violation_error_message=_("This student is already on this site's waitlist."),
            ),
            models.CheckConstraint(
                condition=~Q(status="skipped") | ~Q(skip_reason=""),
                name="students_waitlistentry_skip_has_reason",
                violation_error_message=_("Skipping a student on the waitlist needs a reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["site", "status", "added_on"])
        ]  # the waitlist page and seat-open sweep

    def __str__(self) -> str:
        return f"{self.student} waiting for {self.site}"


class RecommendedOption(models.TextChoices):
    """The completion option a counselor recommends for a referred youth."""

    THIS_PROGRAM = "this_program", _("This program")
    INDEPENDENT_STUDY = "independent_study", _("Independent study")
    ADULT_SCHOOL = "adult_school", _("Adult school")
    CONTINUATION = "continuation", _("Continuation high school")
    OTHER = "other", _("Other")


class ReferralQuerySet(models.QuerySet):
    """Queries over referrals."""

    def visible_to(self, user) -> "ReferralQuerySet":
        """Staff roles see all; teachers a referral once its youth is enrolled at their site; nobody else."""
        if not user.is_authenticated:
            return self.none()
        if sees_all(user):
            return self.all()
        if is_teacher(user):
            return self.filter(student__in=student_model(self).objects.for_teacher(user))
        return self.none()


class Referral(TimeStampedModel):
    """Re-engagement intake of an out-of-school or off-track youth, with a counselor's credit assessment."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        CONTACTED = "contacted", _("Contacted")
        ASSESSED = "assessed", _("Assessed")
        ENROLLED = "enrolled", pgettext_lazy("the status of one person", "Enrolled")
        DECLINED = "declined", _("Declined")
        UNREACHABLE = "unreachable", _("Unreachable")

    # The funnel's steps in order, with the field holding the date each was reached.
    STEP_DATES = {
        Status.RECEIVED: "received_on",
        Status.CONTACTED: "contacted_on",
        Status.ASSESSED: "assessed_on",
        Status.ENROLLED: "enrolled_on",
    }
    CLOSED = (Status.ENROLLED, Status.DECLINED, Status.UNREACHABLE)
    MAX_CREDITS = Decimal(300)

    source = models.ForeignKey(
        "sites.Partner", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("referred by")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"), validators=[validate_date_of_birth])
    district_id = models.CharField(_("district id"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    last_school = models.CharField(_("last school"), max_length=200, blank=True)
    out_of_school = models.BooleanField(_("out of school"), default=True)
    # {subject area: credits}; the service checks the keys and keeps `credits_total` in step.
    credits_held = models.JSONField(_("credits held by subject area"), default=dict, blank=True)
    credits_total = models.DecimalField(_("credits held"), max_digits=5, decimal_places=1, default=Decimal(0))
    recommended_option = models.CharField(
        _("recommended option"), max_length=20, choices=RecommendedOption.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("assigned counselor"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    received_on = models.DateField(_("received on"))
    contacted_on = models.DateField(_("contacted on"), null=True, blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    closed_on = models.DateField(_("declined or unreachable on"), null=True, blank=True)
    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )

    objects = ReferralQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=Q(credits_total__gte=0) & Q(credits_total__lte=300),
                name="students_referral_credits_0_to_300",
                violation_error_message=_("Credits held must be between 0 and 300."),
            ),
            models.CheckConstraint(
                condition=(Q(contacted_on__isnull=True) | Q(contacted_on__gte=F("received_on")))
                & (Q(assessed_on__isnull=True) | Q(assessed_on__gte=F("contacted_on")))
                & (Q(enrolled_on__isnull=True) | Q(enrolled_on__gte=F("received_on"))),
                name="students_referral_steps_in_order",
                violation_error_message=_("A step of a referral cannot be dated before the step before it."),
            ),
            models.CheckConstraint(
                condition=~Q(status="enrolled") | Q(student__isnull=False, enrolled_on__isnull=False),
                name="students_referral_enrolled_has_student",
                violation_error_message=_("An enrolled referral names its student and enrollment date."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "received_on"]),  # the referral list, funnel and sweep
            models.Index(fields=["received_on"], name="students_referral_received"),  # a period's funnel
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({date_format(self.received_on, 'SHORT_DATE_FORMAT')})"

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    @property
    def last_step_on(self):
        """The date of the latest step reached."""
        dates = [self.received_on, self.contacted_on, self.assessed_on, self.enrolled_on, self.closed_on]
        return max(d for d in dates if d)


class ReferralDayTotals(models.Model):
    """The referrals received on a day, and how many of them reached each step of the funnel since: a
    running total kept by database triggers (students/totals.py), so the dashboard's funnel over a period
    sums its days instead of each referral received in it (80,000 at statewide scale, issue #22)."""

    received_on = models.DateField(_("received on"), primary_key=True)
    received = models.IntegerField(_("received"), default=0)
    contacted = models.IntegerField(_("contacted"), default=0)
    assessed = models.IntegerField(_("assessed"), default=0)
    enrolled = models.IntegerField(_("enrolled"), default=0)

    class Meta:
        verbose_name = _("referrals received on a day")
        verbose_name_plural = _("referrals received per day")

    def __str__(self) -> str:
        return f"{self.received_on}: {self.enrolled}/{self.received}"
