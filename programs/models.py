"""Sequential arts programs, pathways, cohorts, participations, sessions and attendance."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.formats import date_format, number_format, time_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from artworx.dates import (
    EARLIEST,
    LATEST,
    TERM_MONTHS,
    in_range,
    validate_length,
    validate_start_date,
)
from artworx.models import SingletonModel, TimeStampedModel
from artworx.roles import role_scope
from students.models import Enrollment, Student


class Discipline(models.TextChoices):
    """Arts disciplines of the sequential curriculum."""

    VISUAL_ART = "visual_art", _("Visual art")
    PHOTOGRAPHY = "photography", _("Photography")
    FILM_VIDEO = "film_video", _("Film / video")
    MUSIC = "music", _("Music")
    THEATRE = "theatre", _("Theatre")
    DANCE = "dance", _("Dance")
    CREATIVE_WRITING = "creative_writing", _("Creative writing")
    DIGITAL_MEDIA = "digital_media", _("Digital media")
    STAGECRAFT = "stagecraft", _("Stagecraft")


class Program(TimeStampedModel):
    """One step of the sequential arts curriculum."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    discipline = models.CharField(_("discipline"), max_length=20, choices=Discipline.choices)
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    prerequisite = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_programs",
        verbose_name=_("prerequisite program"),
        help_text=_("Completing it unlocks this program."),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["discipline", "level", "name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1),
                name="programs_program_level_positive",
                violation_error_message=_("Levels start at 1."),
            ),
            models.CheckConstraint(
                condition=~Q(prerequisite=models.F("pk")),
                name="programs_program_not_own_prerequisite",
                violation_error_message=_("A program cannot be its own prerequisite."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Pathway(TimeStampedModel):
    """An ordered sequence of programs leading to a career path."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    programs = models.ManyToManyField(Program, through="PathwayStep", related_name="pathways")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")

    def __str__(self) -> str:
        return self.name


class PathwayStep(models.Model):
    """A program's place in a pathway."""

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="steps", verbose_name=_("pathway")
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="pathway_steps", verbose_name=_("program")
    )
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["pathway", "position"]
        verbose_name = _("pathway step")
        verbose_name_plural = _("pathway steps")
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "position"],
                name="programs_pathwaystep_unique_position",
                violation_error_message=_("Two programs cannot share a position in a pathway."),
            ),
            models.UniqueConstraint(
                fields=["pathway", "program"],
                name="programs_pathwaystep_unique_program",
                violation_error_message=_("A program appears once in a pathway."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pathway} {self.position}: {self.program}"


class CohortQuerySet(models.QuerySet):
    """Queries over cohorts."""

    def visible_to(self, user) -> "CohortQuerySet":
        """Staff see all; teachers the cohorts at their sites or holding their students; artists their own."""

        def teachers_cohorts() -> Q:
            their_students = Enrollment.objects.open().filter(site__teachers=user).values("student")
            holding_them = Participation.objects.filter(
                cohort=OuterRef("pk"), student__in=their_students, status=Participation.Status.ENROLLED
            )
            return Q(site__teachers=user) | Q(Exists(holding_them))

        return role_scope(
            self, user, teacher=teachers_cohorts, teaching_artist=lambda: Q(teaching_artists=user)
        )


WEEKDAYS = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]


class Cohort(TimeStampedModel):
    """One program running at one site, or at a partner venue open to several sites, for a term."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("program")
    )
    site = models.ForeignKey(
        "sites.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cohorts",
        verbose_name=_("site"),
    )
    venue = models.ForeignKey(
        "sites.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cohorts",
        verbose_name=_("partner venue"),
        help_text=_("For a cohort that meets at a partner venue, open to students of every site."),
    )
    term_starts_on = models.DateField(_("term starts"))
    term_ends_on = models.DateField(_("term ends"))
    meeting_days = models.CharField(
        _("meeting days"), max_length=13, help_text=_("Weekdays it meets, 0 = Monday, comma-separated.")
    )
    starts_at = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=25, validators=[MinValueValidator(1), MaxValueValidator(25)]
    )
    teaching_artists = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cohorts", verbose_name=_("teaching artists")
    )

    objects = CohortQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[teaching_artists])

    class Meta:
        ordering = ["-term_starts_on", "program__name", "pk"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(
                condition=(Q(site__isnull=False) & Q(venue__isnull=True))
                | (Q(site__isnull=True) & Q(venue__isnull=False)),
                name="programs_cohort_site_or_venue",
                violation_error_message=_("A cohort meets at a site or at a partner venue, not both."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=25),
                name="programs_cohort_capacity_1_to_25",
                violation_error_message=_("A cohort holds between 1 and 25 students."),
            ),
            models.CheckConstraint(
                condition=Q(term_ends_on__gte=models.F("term_starts_on")),
                name="programs_cohort_term_ends_after_start",
                violation_error_message=_("The term cannot end before it starts."),
            ),
            # Sessions are laid out day by day over the term: a term ending in 9999 overflows,
            # whichever path wrote it (artworx.dates has the same bound for forms).
            models.CheckConstraint(
                condition=Q(term_starts_on__gte=EARLIEST) & Q(term_ends_on__lte=LATEST),
                name="programs_cohort_term_years_1900_to_2100",
                violation_error_message=_("A term lies between 1900 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.place} · {date_format(self.term_starts_on, 'M Y')}"

    def clean(self):
        """A term starts at most a year ahead and lasts at most 18 months (its sessions are laid out)."""
        errors = {}
        if in_range(self.term_starts_on):
            try:
                validate_start_date(self.term_starts_on)
            except ValidationError as error:
                errors["term_starts_on"] = error
        if in_range(self.term_ends_on):
            try:
                validate_length(
                    self.term_starts_on,
                    self.term_ends_on,
                    months=TERM_MONTHS,
                    message=_("A term lasts at most 18 months: it ends %(date)s at the latest."),
                    code="term_too_long",
                )
            except ValidationError as error:
                errors["term_ends_on"] = error
        if errors:
            raise ValidationError(errors)

    @property
    def place(self):
        """Where it meets: the site or the partner venue."""
        return self.site or self.venue

    @property
    def weekdays(self) -> list[int]:
        return sorted({int(day) for day in self.meeting_days.split(",") if day.strip().isdigit()})

    def weekday_labels(self) -> str:
        names = dict(WEEKDAYS)
        return ", ".join(str(names[day]) for day in self.weekdays)


class ParticipationQuerySet(models.QuerySet):
    """Queries over participations."""

    def visible_to(self, user) -> "ParticipationQuerySet":
        """Participants the user may see, inside any cohort (DESIGN.md rule 13).

        Staff see all; a teaching artist the participants of their own cohorts; a teacher the
        participants who are their students now (`Student.visible_to`), whichever cohort holds them:
        seeing a partner-venue cohort never shows a teacher the students of other sites.
        """
        return role_scope(
            self,
            user,
            teacher=lambda: Q(student__in=Student.objects.visible_to(user)),
            teaching_artist=lambda: Q(cohort__teaching_artists=user),
        )

    def enrolled(self) -> "ParticipationQuerySet":
        return self.filter(status=Participation.Status.ENROLLED)

    def on_log_of(self, session) -> "ParticipationQuerySet":
        """Participations that belong on a session's log: joined by its date and not ended before it."""
        return (
            self.filter(cohort_id=session.cohort_id, joined_on__lte=session.date)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=session.date))
            .select_related("student")
        )


class Participation(TimeStampedModel):
    """A student in a cohort."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", pgettext_lazy("the status of one person", "Enrolled")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="participations", verbose_name=_("cohort")
    )
    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="participations", verbose_name=_("student")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ENROLLED)
    joined_on = models.DateField(_("joined on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    override_reason = models.CharField(
        _("prerequisite override"),
        max_length=300,
        blank=True,
        help_text=_("Why staff waived the prerequisite."),
    )

    objects = ParticipationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["student__last_name", "student__first_name", "pk"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "student"],
                condition=Q(status="enrolled"),
                name="programs_participation_one_open_per_cohort",
                violation_error_message=_("The student is already in this cohort."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("joined_on")),
                name="programs_participation_ends_after_join",
                violation_error_message=_("A participation cannot end before it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "status"]),  # capacity counts and rosters
            models.Index(fields=["ended_on"], name="programs_participation_ended"),  # a period's endings
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.cohort}"


class SessionQuerySet(models.QuerySet):
    """Queries over sessions."""

    def visible_to(self, user) -> "SessionQuerySet":
        return self.filter(cohort__in=Cohort.objects.visible_to(user))

    def unlogged(self) -> "SessionQuerySet":
        return self.filter(status=Session.Status.SCHEDULED)


class Session(TimeStampedModel):
    """One meeting of a cohort."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        LOGGED = "logged", _("Logged")
        CANCELLED = "cancelled", _("Cancelled")

    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("cohort")
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    activities = models.TextField(_("activities"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="logged_sessions",
    )
    logged_at = models.DateTimeField(_("logged at"), null=True, blank=True)
    # Counts saves of the log. A log page carries the number it was opened at, so a save from a page
    # opened before someone else's save (offline for an hour, say) is refused instead of overwriting.
    log_revision = models.PositiveIntegerField(_("log revision"), default=0)

    objects = SessionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "date", "starts_at"],
                name="programs_session_unique_time",
                violation_error_message=_("The cohort already meets at that date and time."),
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="programs_session_cancel_has_reason",
                violation_error_message=_("A cancelled session needs a reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "date"]),  # unlogged-session sweeps and "still to log"
            models.Index(fields=["cohort", "date"]),  # cohort pages and attendance over a range
        ]

    def __str__(self) -> str:
        day = date_format(self.date, "SHORT_DATE_FORMAT")
        return f"{self.cohort.program} · {day} {time_format(self.starts_at)}"

    @property
    def ends_at(self):
        """The local end time of the session."""
        return (datetime.combine(self.date, self.starts_at) + timedelta(minutes=self.duration_minutes)).time()


class Mark(models.TextChoices):
    """One student's mark for one session (positive attendance: every participant gets one)."""

    PRESENT = "P", _("Present")
    TARDY = "T", _("Tardy")
    LEFT_EARLY = "LE", _("Left early")
    OFF_SITE = "OS", _("Present off-site")
    EXCUSED = "E", _("Excused absence")
    UNEXCUSED = "U", _("Unexcused absence")


ABSENT_MARKS = (Mark.EXCUSED, Mark.UNEXCUSED)  # California counts excused absences too
# The letters on the log's buttons, in the reader's language (the stored value stays the code).
MARK_LETTERS = {
    Mark.PRESENT: _("P"),
    Mark.TARDY: _("T"),
    Mark.LEFT_EARLY: _("LE"),
    Mark.OFF_SITE: _("OS"),
    Mark.EXCUSED: _("E"),
    Mark.UNEXCUSED: _("U"),
}


class SessionLogSubmission(models.Model):
    """One save of a session's log, by the key its page gave it: a save sent twice is applied once."""

    # Made by the phone for each save, kept on the phone with the marks while offline, and sent
    # with every retry: the first delivery saves, later ones find the key and change nothing.
    key = models.UUIDField(_("submission key"))
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="log_submissions", verbose_name=_("session")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_log_submissions"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("session log submission")
        verbose_name_plural = _("session log submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                name="programs_sessionlogsubmission_unique_key",
                violation_error_message=_("This save was already received."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.key}"


class AttendanceQuerySet(models.QuerySet):
    """Queries over attendance marks."""

    def visible_to(self, user) -> "AttendanceQuerySet":
        """The marks of the participants the user may see."""
        return self.filter(participation__in=Participation.objects.visible_to(user))


class Attendance(TimeStampedModel):
    """One participant's mark for one session."""

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("session")
    )
    participation = models.ForeignKey(
        Participation, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("participation")
    )
    mark = models.CharField(_("mark"), max_length=2, choices=Mark.choices)

    objects = AttendanceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "participation"]
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance marks")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participation"],
                name="programs_attendance_one_mark_per_session",
                violation_error_message=_("This participant already has a mark for this session."),
            ),
            models.CheckConstraint(
                condition=Q(mark__in=Mark.values),
                name="programs_attendance_known_mark",
                violation_error_message=_("Unknown attendance mark."),
            ),
        ]
        indexes = [
            models.Index(fields=["participation", "session"]),  # per-participant rates and streaks
            models.Index(fields=["updated_at"]),  # the absence sweep reads marks changed since its last run
        ]

    def __str__(self) -> str:
        return f"{self.participation.student}: {self.mark}"

    @property
    def is_absence(self) -> bool:
        return self.mark in ABSENT_MARKS


class AbsenceThresholds(SingletonModel):
    """Rule 10's thresholds: when absences in a row and chronic absence are flagged (one row, admin)."""

    consecutive_absences = models.PositiveSmallIntegerField(
        _("absences in a row that raise a flag"), default=3, validators=[MinValueValidator(2)]
    )
    # California counts a student chronically absent at 10 % of the days enrolled (excused absences
    # included); applied here to the sessions held since the student joined.
    chronic_absence_percent = models.PositiveSmallIntegerField(
        _("chronic absence line (% of sessions)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    chronic_absence_min_sessions = models.PositiveSmallIntegerField(
        _("sessions held before chronic absence counts"), default=10, validators=[MinValueValidator(1)]
    )

    history = HistoricalRecords()  # who changed a threshold; the absence sweep and the dashboard read it

    class Meta:
        verbose_name = _("absence thresholds")
        verbose_name_plural = _("absence thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1),
                name="programs_absencethresholds_singleton",
                violation_error_message=_("There is one set of absence thresholds."),
            ),
            models.CheckConstraint(
                condition=Q(chronic_absence_percent__gte=1, chronic_absence_percent__lte=100),
                name="programs_absencethresholds_percent_1_to_100",
                violation_error_message=_("The chronic absence line is between 1 and 100 %."),
            ),
            models.CheckConstraint(
                condition=Q(consecutive_absences__gte=2) & Q(chronic_absence_min_sessions__gte=1),
                name="programs_absencethresholds_positive",
                violation_error_message=_("Absences in a row are at least 2, sessions held at least 1."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Absence thresholds"))


# Career pathways: certifications, credentials, placements and targets --------------------------


class Certification(TimeStampedModel):
    """An industry certification a pathway prepares for."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    issuer = models.CharField(_("issuer"), max_length=200)
    pathways = models.ManyToManyField(
        Pathway, blank=True, related_name="certifications", verbose_name=_("pathways")
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords(m2m_fields=[pathways])

    class Meta:
        ordering = ["name"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer})"


class Credential(TimeStampedModel):
    """A certification a student earned, with its evidence and expiry."""

    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="credentials", verbose_name=_("student")
    )
    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, related_name="credentials", verbose_name=_("certification")
    )
    earned_on = models.DateField(_("earned on"))
    evidence = models.CharField(
        _("evidence"), max_length=300, blank=True, help_text=_("A file name, link or certificate number.")
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-earned_on", "pk"]
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("earned_on")),
                name="programs_credential_expires_after_earned",
                violation_error_message=_("A credential cannot expire before it was earned."),
            ),
            models.UniqueConstraint(
                fields=["student", "certification", "earned_on"],
                name="programs_credential_unique_per_day",
                violation_error_message=_("This credential is already recorded for that date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certification.name}: {self.student}"


class Placement(TimeStampedModel):
    """An internship, mentorship, dual-enrollment course or master class with a partner."""

    class Kind(models.TextChoices):
        INTERNSHIP = "internship", _("Internship")
        MENTORSHIP = "mentorship", _("Mentorship")
        DUAL_ENROLLMENT = "dual_enrollment", _("Dual enrollment")
        MASTER_CLASS = "master_class", _("Master class")

    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="placements", verbose_name=_("student")
    )
    partner = models.ForeignKey(
        "sites.Partner", on_delete=models.PROTECT, related_name="placements", verbose_name=_("partner")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    supervisor_name = models.CharField(_("supervisor"), max_length=200)
    supervisor_email = models.EmailField(_("supervisor email"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    planned_hours = models.DecimalField(_("planned hours"), max_digits=6, decimal_places=1)
    college_units = models.DecimalField(
        _("college units"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Dual enrollment only."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_hours__gt=0),
                name="programs_placement_planned_hours_positive",
                violation_error_message=_("Planned hours must be more than 0."),
            ),
            models.CheckConstraint(
                condition=Q(college_units__isnull=True)
                | (Q(kind="dual_enrollment") & Q(college_units__gte=0) & Q(college_units__lte=20)),
                name="programs_placement_units_for_dual_enrollment",
                violation_error_message=_("College units (0 to 20) are for dual enrollment only."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="programs_placement_ends_after_start",
                violation_error_message=_("A placement cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.partner}: {self.student}"


class PlacementHours(TimeStampedModel):
    """Hours worked on a placement on one day, signed off by staff or with the supervisor's approval."""

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="hours", verbose_name=_("placement")
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    supervisor_approval = models.CharField(
        _("supervisor's approval"),
        max_length=300,
        blank=True,
        help_text=_("How the supervisor approved these hours (e-mail of a date, signed timesheet…)."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("placement hours")
        verbose_name_plural = _("placement hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24),
                name="programs_placementhours_hours_positive",
                violation_error_message=_("Hours must be more than 0 and at most 24."),
            ),
            models.CheckConstraint(
                condition=Q(signed_off_by__isnull=False) | ~Q(supervisor_approval=""),
                name="programs_placementhours_signed_off",
                violation_error_message=_(
                    "Hours need a staff sign-off or the supervisor's recorded approval."
                ),
            ),
        ]

    def __str__(self) -> str:
        day = date_format(self.date, "SHORT_DATE_FORMAT")
        return _("%(hours)s h on %(date)s") % {"hours": number_format(self.hours), "date": day}


# Running totals (docs/architecture.md, "Running totals"): kept by database triggers on attendance
# (programs/totals.py), read by the dashboard instead of every mark. Nothing in Python writes them.


class ParticipationTotals(models.Model):
    """A participation's marks and absences over all its sessions (rule 10's chronic absence), with its
    cohort and status copied for the cohorts' totals (`CohortAbsenceTotals`)."""

    participation = models.OneToOneField(
        Participation, on_delete=models.CASCADE, primary_key=True, related_name="totals"
    )
    # Copies of the participation's cohort and status, kept by triggers when either changes; no
    # foreign-key constraint, so the triggers never wait on the cohort row.
    cohort = models.ForeignKey(
        Cohort, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Participation.Status.choices)
    marks = models.IntegerField(_("marks"), default=0)
    absences = models.IntegerField(_("absences"), default=0)

    class Meta:
        verbose_name = _("participation totals")
        verbose_name_plural = _("participation totals")

    def __str__(self) -> str:
        return f"{self.participation_id}: {self.absences}/{self.marks}"


class CohortAbsenceTotals(models.Model):
    """A cohort's current participants (enrolled, marked at least once) and how many of them are
    chronically absent under the thresholds in force: a total of the participations' totals, kept by
    database triggers and counted again when the thresholds are saved (programs/totals.py), so the
    dashboard's chronic-absence card sums the cohorts of the period instead of each participant (57,000
    at statewide scale, issue #22)."""

    cohort = models.OneToOneField(
        Cohort, on_delete=models.DO_NOTHING, db_constraint=False, primary_key=True, related_name="+"
    )
    participants = models.IntegerField(_("participants"), default=0)
    chronic = models.IntegerField(_("chronically absent"), default=0)

    class Meta:
        verbose_name = _("cohort absence totals")
        verbose_name_plural = _("cohort absence totals")

    def __str__(self) -> str:
        return f"{self.cohort_id}: {self.chronic}/{self.participants}"


class SessionTotals(models.Model):
    """A session's marks and absences, with its date and site copied for the dashboard's filters."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, primary_key=True, related_name="totals")
    # Copies of the session's date and its cohort's site (None at a partner venue), kept by triggers
    # when either changes; no foreign-key constraint, so the triggers never wait on the site row.
    date = models.DateField(_("date"))
    site = models.ForeignKey(
        "sites.Site", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    marks = models.IntegerField(_("marks"), default=0)
    absences = models.IntegerField(_("absences"), default=0)

    class Meta:
        verbose_name = _("session totals")
        verbose_name_plural = _("session totals")
        indexes = [
            # The dashboard's attendance card and weekly chart: a period, all sites or one.
            models.Index(fields=["date", "site"], name="programs_sessiontotals_date"),
            models.Index(fields=["site", "date"], name="programs_sessiontotals_site"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.absences}/{self.marks}"


class DayTotals(models.Model):
    """The marks and absences of every session of a day across every site: a total of the sessions'
    totals, kept by database triggers (programs/totals.py), so the dashboard's attendance across every
    site sums a period's days instead of each of its sessions (80,000 in 120 days at statewide scale)."""

    date = models.DateField(_("date"), primary_key=True)
    marks = models.IntegerField(_("marks"), default=0)
    absences = models.IntegerField(_("absences"), default=0)

    class Meta:
        verbose_name = _("day totals")
        verbose_name_plural = _("day totals")

    def __str__(self) -> str:
        return f"{self.date}: {self.absences}/{self.marks}"


class PathwayTotals(models.Model):
    """How many steps a pathway has: a running total of its steps, kept by database triggers
    (programs/totals.py), so the pathway outcomes compare each student's completed steps with it in the
    same query instead of counting the steps again for every student (issue #22)."""

    pathway = models.OneToOneField(
        Pathway, on_delete=models.CASCADE, primary_key=True, related_name="step_totals"
    )
    steps = models.IntegerField(_("steps"), default=0)

    class Meta:
        verbose_name = _("pathway totals")
        verbose_name_plural = _("pathway totals")

    def __str__(self) -> str:
        return f"{self.pathway_id}: {self.steps}"


class PathwayCompletionTotals(models.Model):
    """How many students took part in a pathway having completed a given number of its programs: a total
    of the pairs (`PathwayStudentTotals`), kept by database triggers (programs/totals.py), so the pathway
    outcomes count the students and those who completed every step from a few rows per pathway instead
    of every pair (105,000 at statewide scale, issue #22)."""

    pathway = models.ForeignKey(Pathway, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    completed = models.IntegerField(_("programs completed"))
    students = models.IntegerField(_("students"), default=0)

    class Meta:
        verbose_name = _("pathway completion totals")
        verbose_name_plural = _("pathway completion totals")
        constraints = [
            models.UniqueConstraint(fields=["pathway", "completed"], name="programs_pathwaycompletion_key"),
        ]

    def __str__(self) -> str:
        return f"{self.pathway_id}: {self.students} completed {self.completed}"


class StudentProgramTotals(models.Model):
    """A student's participations in a program's cohorts, and how many they completed."""

    # No foreign-key constraints: the triggers never wait on the student or program rows.
    student = models.ForeignKey(
        "students.Student", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    program = models.ForeignKey(Program, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    participations = models.IntegerField(_("participations"), default=0)
    completions = models.IntegerField(_("completions"), default=0)

    class Meta:
        verbose_name = _("student program totals")
        verbose_name_plural = _("student program totals")
        constraints = [
            models.UniqueConstraint(fields=["student", "program"], name="programs_studentprogramtotals_key"),
        ]
        indexes = [models.Index(fields=["program"], name="programs_studentprogram_prog")]  # a step's students

    def __str__(self) -> str:
        return f"{self.student_id} in {self.program_id}: {self.completions}/{self.participations}"


class PathwayStudentTotals(models.Model):
    """How many of a pathway's programs a student took part in, and how many they completed: the pathway
    outcomes count these rows (a row whose `programs` fell to 0 stays, at 0)."""

    pathway = models.ForeignKey(Pathway, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    student = models.ForeignKey(
        "students.Student", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    programs = models.IntegerField(_("programs"), default=0)
    completed = models.IntegerField(_("programs completed"), default=0)

    class Meta:
        verbose_name = _("pathway student totals")
        verbose_name_plural = _("pathway student totals")
        constraints = [
            models.UniqueConstraint(fields=["pathway", "student"], name="programs_pathwaystudenttotals_key"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} in {self.pathway_id}: {self.completed}/{self.programs}"
