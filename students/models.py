"""Students, their guardians, their support profile and their enrollments at sites."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from artworx.models import FieldConstraintErrorsMixin, Language, TimeStampedModel
from artworx.roles import is_teacher, sees_all
from sites.calendar import InstructionalCalendar

# Sums of credits over no rows are NULL in SQL; count them as zero credits.
NO_CREDITS = models.Value(Decimal(0), output_field=models.DecimalField(max_digits=5, decimal_places=1))

# We serve teenagers and young adults: someone over 30 is a slip of the keyboard or of a district file.
MAX_AGE = 30


def validate_date_of_birth(value: date) -> None:
    """A date of birth is in the past and makes the youth at most 30: for students and referrals alike."""
    today = timezone.localdate()
    if value >= today:
        raise ValidationError(_("The date of birth must be in the past."), code="born_in_future")
    if today.year - value.year > MAX_AGE:
        raise ValidationError(
            _("Check the date of birth: the student would be over 30."), code="born_over_30_years_ago"
        )


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
        ENROLLED = "enrolled", _("Enrolled")
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
    phone = models.CharField(_("phone"), max_length=30, blank=True)
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


class Guardian(TimeStampedModel):
    """A parent, guardian or caregiver to contact about a student."""

    class Relationship(models.TextChoices):
        PARENT = "parent", _("Parent")
        GUARDIAN = "guardian", _("Legal guardian")
        GRANDPARENT = "grandparent", _("Grandparent")
        FOSTER = "foster", _("Foster parent")
        CAREGIVER = "caregiver", _("Caregiver")
        OTHER = "other", _("Other")

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    consents_to_messages = models.BooleanField(
        _("consents to messages"), default=False, help_text=_("May receive reminders by email or text.")
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"


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

    student = models.OneToOneField(Student, on_delete=models.PROTECT, related_name="support_profile")
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


class ExitReason(models.TextChoices):
    """Why an enrollment ended."""

    GRADUATED = "graduated", _("Graduated")
    TRANSFERRED = "transferred", _("Transferred")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    MOVED = "moved", _("Moved")
    AGED_OUT = "aged_out", _("Aged out")
    OTHER = "other", _("Other")


class Diploma(models.TextChoices):
    """What a graduate earned: a diploma or an equivalency (the exit records it, alumni keep it)."""

    DIPLOMA = "diploma", _("High school diploma")
    HISET = "hiset", _("HiSET")
    GED = "ged", _("GED")
    CHSPE = "chspe", _("CHSPE")


class EnrollmentQuerySet(models.QuerySet):
    """Queries over enrollments."""

    def open(self) -> "EnrollmentQuerySet":
        return self.filter(ended_on__isnull=True)

    def visible_to(self, user) -> "EnrollmentQuerySet":
        """Enrollments the user may see: all for staff roles, their sites' for teachers."""
        if not user.is_authenticated:
            return self.none()
        if sees_all(user):
            return self.all()
        if is_teacher(user):
            return self.filter(site__teachers=user)
        return self.none()


class Enrollment(TimeStampedModel):
    """A student's place at a site, with the teacher who carries them."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="enrollments")
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="enrollments")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caseload")
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    exit_reason = models.CharField(_("exit reason"), max_length=20, choices=ExitReason.choices, blank=True)
    exit_notes = models.CharField(_("exit notes"), max_length=300, blank=True)

    objects = EnrollmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(ended_on__isnull=True),
                name="students_enrollment_one_open_per_student",
                violation_error_message=_("This student is already enrolled at a site."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="students_enrollment_ends_after_start",
                violation_error_message=_("An enrollment cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, exit_reason="")
                | (Q(ended_on__isnull=False) & ~Q(exit_reason="")),
                name="students_enrollment_exit_has_reason",
                violation_error_message=_("An ended enrollment needs an exit reason, an open one none."),
            ),
        ]
        indexes = [
            models.Index(fields=["site", "ended_on"]),  # capacity counts and site rosters
            models.Index(fields=["teacher", "ended_on"]),  # caseload counts
        ]

    def __str__(self) -> str:
        return f"{self.student} at {self.site}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class ContractQuerySet(models.QuerySet):
    """Queries over credit-recovery contracts."""

    def active(self) -> "ContractQuerySet":
        return self.filter(status=Contract.Status.ACTIVE)

    def counted_at(self, site_id: int) -> "ContractQuerySet":
        """Contracts whose remaining days count on a site's calendar: those of students enrolled there now.

        A contract's `site` is its student's current site (rule 5): `enrollment_transfer` moves it
        with the student, and leaving the programme closes the contract. So this is what a closure
        at the site moves.
        """
        return self.filter(site_id=site_id)

    def visible_to(self, user) -> "ContractQuerySet":
        """Contracts the user may see: all for staff roles, their sites' students' for teachers."""
        return self.filter(student__in=Student.objects.visible_to(user))

    def with_credits(self) -> "ContractQuerySet":
        """Annotate `credits_planned` and `credits_done`, one subquery each."""
        courses = ContractCourse.objects.filter(contract=OuterRef("pk")).order_by().values("contract")
        planned = courses.annotate(total=models.Sum("credits")).values("total")
        done = (
            courses.filter(status=ContractCourse.Status.COMPLETED)
            .annotate(total=models.Sum("credits"))
            .values("total")
        )
        return self.annotate(
            credits_planned=Coalesce(models.Subquery(planned), NO_CREDITS),
            credits_done=Coalesce(models.Subquery(done), NO_CREDITS),
        )


class Contract(TimeStampedModel):
    """An 80-instructional-day credit-recovery contract with an individualised courseload."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="contracts")
    site = models.ForeignKey(
        "sites.Site",
        on_delete=models.PROTECT,
        related_name="contracts",
        help_text=_("The site whose closures count against the contract's days."),
    )
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contracts")
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
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
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
                condition=Q(status="active"),
                name="students_contract_one_active_per_student",
                violation_error_message=_("This student already has an active contract."),
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
        here = calendar.count(self.counting_starts_on, min(today, self.due_on))
        return min(self.total_days, self.days_elapsed_before + here)


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

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="courses")
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

    def __str__(self) -> str:
        return f"{self.title} ({self.credits} credits)"


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
        ENROLLED = "enrolled", _("Enrolled")
        SKIPPED = "skipped", _("Skipped")

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="waitlist_entries")
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="waitlist_entries")
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
            return self.filter(student__in=Student.objects.for_teacher(user))
        return self.none()


class Referral(TimeStampedModel):
    """Re-engagement intake of an out-of-school or off-track youth, with a counselor's credit assessment."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        CONTACTED = "contacted", _("Contacted")
        ASSESSED = "assessed", _("Assessed")
        ENROLLED = "enrolled", _("Enrolled")
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
        Student, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
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
        indexes = [models.Index(fields=["status", "received_on"])]  # the referral list, funnel and sweep

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


class RosterImport(TimeStampedModel):
    """A district roster file: previewed row by row, then applied all or nothing."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        QUEUED = "queued", _("Queued")
        APPLYING = "applying", _("Saving")
        APPLIED = "applied", _("Saved")
        FAILED = "failed", _("Failed: nothing was saved")

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file"), max_length=200)
    # The file's rows as read (header → text), and the preview's verdict for each.
    rows = models.JSONField(_("rows"), default=list)
    results = models.JSONField(_("preview"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    applied = models.PositiveIntegerField(_("rows saved"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    def count(self, action: str) -> int:
        return sum(1 for result in self.results if result["action"] == action)
