"""Credit-recovery contracts and their courses (rules 5–7): credits are derived, never typed twice."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from artworx.models import TimeStampedModel
from sites.calendar import InstructionalCalendar
from students.models.common import student_model

# Sums of credits over no rows are NULL in SQL; count them as zero credits.
NO_CREDITS = models.Value(Decimal(0), output_field=models.DecimalField(max_digits=5, decimal_places=1))


class ContractQuerySet(models.QuerySet):
    """Queries over credit-recovery contracts."""

    def active(self) -> "ContractQuerySet":
        return self.filter(status=Contract.Status.ACTIVE)

    def open(self) -> "ContractQuerySet":
        """Contracts not closed: drafts, those awaiting signatures and active ones (one per student)."""
        return self.filter(status__in=Contract.OPEN_STATUSES)

    def awaiting_signatures(self) -> "ContractQuerySet":
        return self.filter(status=Contract.Status.AWAITING_SIGNATURES)

    def counted_at(self, site_id: int) -> "ContractQuerySet":
        """Contracts whose remaining days count on a site's calendar: those of students enrolled there now.

        A contract's `site` is its student's current site (rule 5): `enrollment_transfer` moves it
        with the student, and leaving the programme closes the contract. So this is what a closure
        at the site moves.
        """
        return self.filter(site_id=site_id)

    def visible_to(self, user) -> "ContractQuerySet":
        """Contracts the user may see: all for staff roles, their sites' students' for teachers.

        The students' scope is theirs (`StudentQuerySet.visible_to`); when it narrows nothing, neither
        does this, and the dashboard's counts over every contract read no student (issue #22).
        """
        students = student_model(self).objects.visible_to(user)
        if not students.query.where:
            return self.all()
        return self.filter(student__in=students)

    def with_credits(self) -> "ContractQuerySet":
        """Annotate `credits_planned` and `credits_done` from the contract's running totals (one join)."""
        return self.annotate(
            credits_planned=Coalesce(F("credit_totals__planned"), NO_CREDITS),
            credits_done=Coalesce(F("credit_totals__done"), NO_CREDITS),
        )


# The contract list's order: active contracts first, soonest due first (where a teacher has work to do).
# An index holds the same expressions, so a page of the list is read from it in order at any scale.
ACTIVE_FIRST = (
    models.Case(models.When(status="active", then=models.Value(0)), default=models.Value(1)),
    models.F("due_on"),
    models.F("id"),
)


class Contract(TimeStampedModel):
    """An 80-instructional-day credit-recovery contract with an individualised courseload."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_SIGNATURES = "awaiting_signatures", _("Awaiting signatures")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CANCELLED = "cancelled", _("Cancelled")

    # Not closed: a student has at most one of these. A contract counts days only once active, which it
    # becomes when its agreement is signed by everyone required (rule 5).
    OPEN_STATUSES = ("draft", "awaiting_signatures", "active")

    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="contracts", verbose_name=_("student")
    )
    site = models.ForeignKey(
        "sites.Site",
        on_delete=models.PROTECT,
        related_name="contracts",
        help_text=_("The site whose closures count against the contract's days."),
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("teacher"),
    )
    # Until the agreement is signed these are the planned dates; the last signature moves them.
    started_on = models.DateField(_("start date"))
    length_days = models.PositiveSmallIntegerField(_("instructional days"))
    extension_days = models.PositiveSmallIntegerField(_("extension (instructional days)"), default=0)
    extension_reason = models.CharField(_("reason for the extension"), max_length=300, blank=True)
    due_on = models.DateField(_("due date"))
    # Rule 5, the contract follows the student: on a transfer the days elapsed at the old site stand
    # here, and the rest are counted on the new site's calendar from the transfer date.
    counted_from = models.DateField(
        _("counted at this site from"),
        null=True,
        blank=True,
        help_text=_("The day the student moved to this site; empty when the contract started here."),
    )
    days_elapsed_before = models.PositiveSmallIntegerField(
        _("instructional days at earlier sites"),
        default=0,
        help_text=_("Instructional days already elapsed at earlier sites when the student transferred."),
    )
    due_note = models.CharField(
        _("due date note"), max_length=300, blank=True, help_text=_("Why the due date last moved.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = ContractQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(status__in=["draft", "awaiting_signatures", "active"]),
                name="students_contract_one_open_per_student",
                violation_error_message=_("This student already has an open contract."),
            ),
            models.CheckConstraint(
                condition=Q(due_on__gt=F("started_on")),
                name="students_contract_due_after_start",
                violation_error_message=_("A contract is due after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(length_days__gte=1),
                name="students_contract_length_positive",
                violation_error_message=_("A contract lasts at least one instructional day."),
            ),
            models.CheckConstraint(
                condition=Q(extension_days=0) | ~Q(extension_reason=""),
                name="students_contract_extension_has_reason",
                violation_error_message=_("An extension needs a reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),  # due-soon lists and the expiry sweep
            models.Index(fields=["teacher", "status"]),  # a teacher's contracts
            models.Index(*ACTIVE_FIRST, name="students_contract_list_order"),  # the list's pages
            # The contracts closed in a period (the dashboard), however many closed in earlier years.
            models.Index(
                fields=["closed_on"], condition=Q(closed_on__isnull=False), name="students_contract_closed"
            ),
        ]

    def __str__(self) -> str:
        starts, due = (date_format(day, "SHORT_DATE_FORMAT") for day in (self.started_on, self.due_on))
        return f"{self.student}: {starts} → {due}"

    @property
    def total_days(self) -> int:
        """Instructional days the contract runs, the extension included."""
        return self.length_days + self.extension_days

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_open(self) -> bool:
        """Not closed: a draft, awaiting signatures, or active."""
        return self.status in self.OPEN_STATUSES

    @property
    def is_pending(self) -> bool:
        """Opened but not started: its agreement is not signed by everyone yet."""
        return self.status in (self.Status.DRAFT, self.Status.AWAITING_SIGNATURES)

    @property
    def counting_starts_on(self) -> date:
        """The first day counted on the calendar of the contract's site: its start, or the transfer there."""
        return self.counted_from or self.started_on

    def due_date(self, calendar: InstructionalCalendar) -> date:
        """The due date on the site's calendar: days not elapsed at earlier sites counted here (rule 5)."""
        left = self.total_days - self.days_elapsed_before
        if left < 1:  # every day had elapsed before the transfer: it fell due at the earlier site
            return self.due_on
        return calendar.nth_day(self.counting_starts_on, left)

    def days_elapsed(self, calendar: InstructionalCalendar, *, today: date) -> int:
        """Instructional days elapsed by `today`, at earlier sites and on the site's calendar."""
        return elapsed_days(
            calendar,
            counting_from=self.counting_starts_on,
            due_on=self.due_on,
            before=self.days_elapsed_before,
            total_days=self.total_days,
            today=today,
        )


def elapsed_days(
    calendar: InstructionalCalendar,
    *,
    counting_from: date,
    due_on: date,
    before: int,
    total_days: int,
    today: date,
) -> int:
    """A contract's instructional days elapsed by `today` from its plain values (`Contract.days_elapsed`)."""
    return min(total_days, before + calendar.count(counting_from, min(today, due_on)))


class SubjectArea(models.TextChoices):
    """California's a–g subject areas, plus PE and health."""

    HISTORY = "history", _("History / social science")
    ENGLISH = "english", _("English")
    MATH = "math", _("Mathematics")
    SCIENCE = "science", _("Laboratory science")
    WORLD_LANGUAGE = "world_language", _("Language other than English")
    ARTS = "arts", _("Visual and performing arts")
    ELECTIVE = "elective", _("College-prep elective")
    PE = "pe", _("Physical education")
    HEALTH = "health", _("Health")


class ContractCourse(TimeStampedModel):
    """One course on a contract."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        NOT_COMPLETED = "not_completed", _("Not completed")

    class Grade(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"
        F = "F", "F"
        PASS = "P", _("Pass")
        NO_PASS = "NP", _("No pass")

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="courses", verbose_name=_("contract")
    )
    subject_area = models.CharField(_("subject area"), max_length=20, choices=SubjectArea.choices)
    title = models.CharField(_("title"), max_length=200)
    credits = models.DecimalField(_("credits"), max_digits=4, decimal_places=1)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.IN_PROGRESS)
    grade = models.CharField(_("grade"), max_length=2, choices=Grade.choices, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "pk"]
        verbose_name = _("contract course")
        verbose_name_plural = _("contract courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(credits__gt=0),
                name="students_contractcourse_credits_positive",
                violation_error_message=_("A course is worth more than 0 credits."),
            ),
            models.CheckConstraint(
                condition=Q(status="in_progress", resolved_on__isnull=True, grade="")
                | (~Q(status="in_progress") & Q(resolved_on__isnull=False) & ~Q(grade="")),
                name="students_contractcourse_resolved_has_grade_and_date",
                violation_error_message=_(
                    "A finished course has a grade and a date; one in progress has neither."
                ),
            ),
        ]
        # The credits earned in a period by the contracts of a site or a teacher (the dashboard; across
        # every site it sums the days of students.CreditsEarned).
        indexes = [
            models.Index(
                fields=["resolved_on", "credits"],
                condition=Q(status="completed"),
                name="students_cc_credits_earned",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.credits} credits)"


class ContractCredits(models.Model):
    """A contract's credits planned and done: running totals of its courses, kept by database triggers
    (students/totals.py, docs/architecture.md "Running totals"); nothing in Python writes them."""

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, primary_key=True, related_name="credit_totals"
    )
    planned = models.DecimalField(_("credits planned"), max_digits=6, decimal_places=1, default=0)
    done = models.DecimalField(_("credits done"), max_digits=6, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("contract credits")
        verbose_name_plural = _("contract credits")

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.done}/{self.planned}"


class CreditsEarned(models.Model):
    """The credits of the contract courses completed on a day: a running total kept by database triggers
    (students/totals.py), so a period's credits earned across every site sums its days (issue #22)."""

    resolved_on = models.DateField(_("day"), primary_key=True)
    credits = models.DecimalField(_("credits earned"), max_digits=12, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("credits earned on a day")
        verbose_name_plural = _("credits earned per day")

    def __str__(self) -> str:
        return f"{self.resolved_on}: {self.credits}"


class ContractPace(models.Model):
    """The days an active contract turns behind and at risk (DESIGN.md rule 7), written with what they
    follow from: its credits, days and site, the pace thresholds and its site's calendar version.

    Pace only worsens while those stay the same, so a contract's pace on any day is two date
    comparisons, and the dashboard and the contract list count and filter by pace in SQL at any scale.
    Every contract has a row from its creation on (a database trigger writes it). A row whose contract
    or credits changed since it was written (`changes`), or whose thresholds or site calendar moved on,
    is stale: readers pass it over and work that contract out in Python, and the quarter-hourly task
    writes it again (`students.pace_turns`); no write path has to remember it.
    """

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, primary_key=True, related_name="pace_turns"
    )
    behind_on = models.DateField(_("behind from"), null=True)  # None: never, at these credits
    at_risk_on = models.DateField(_("at risk from"), null=True)
    # What the days follow from, as they were when the row was written (its site's calendar version is
    # compared with the site's current one when read).
    site = models.ForeignKey(
        "sites.Site",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_column="site",
        db_index=False,
        related_name="+",
        verbose_name=_("site"),
    )
    counting_from = models.DateField(_("counted from"))
    due_on = models.DateField(_("due date"))
    total_days = models.PositiveSmallIntegerField(_("instructional days"))
    days_before = models.PositiveSmallIntegerField(_("days elapsed before"))
    credits_done = models.DecimalField(_("credits done"), max_digits=6, decimal_places=1)
    credits_planned = models.DecimalField(_("credits planned"), max_digits=6, decimal_places=1)
    behind_points = models.PositiveSmallIntegerField(_("behind at (points)"))
    at_risk_points = models.PositiveSmallIntegerField(_("at risk at (points)"))
    closures_version = models.BigIntegerField(_("closures version"))  # of its site (sites.CalendarVersion)
    # How many times what the days follow from changed, counted by database triggers on the contract and
    # its credits (students/pace_turns.py, `STAMPS`), and that count as the row's writer read it with the
    # contract: the row is up to date while the two are equal.
    changes = models.BigIntegerField(_("changes"), default=0)
    changes_written = models.BigIntegerField(_("changes when written"), default=0)
    # Their difference, kept by the database: "= 0" is then a plain value the planner counts from its
    # statistics (two columns compared are guessed at a fraction of a percent of the rows).
    changes_since = models.GeneratedField(
        expression=F("changes") - F("changes_written"),
        output_field=models.BigIntegerField(),
        db_persist=True,
        verbose_name=_("changes since written"),
    )

    class Meta:
        verbose_name = _("contract pace")
        verbose_name_plural = _("contract paces")

    def __str__(self) -> str:
        return f"{self.contract_id}: behind {self.behind_on}, at risk {self.at_risk_on}"
