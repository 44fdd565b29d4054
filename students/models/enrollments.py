"""A student's place at a site, with the teacher who carries them (rules 1–3), and why it ended."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from artworx.models import TimeStampedModel
from artworx.roles import is_teacher, sees_all


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
        """Enrollments the user may see: all for staff roles; for a teacher, those at their sites while
        the student is there (enrolled at that site now), so a student who left takes their record along.
        """
        if not user.is_authenticated:
            return self.none()
        if sees_all(user):
            return self.all()
        if is_teacher(user):
            there_now = Enrollment.objects.open().filter(student=OuterRef("student"), site=OuterRef("site"))
            return self.filter(Exists(there_now), site__teachers=user)
        return self.none()


class Enrollment(TimeStampedModel):
    """A student's place at a site, with the teacher who carries them."""

    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("student")
    )
    site = models.ForeignKey(
        "sites.Site", on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("site")
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caseload", verbose_name=_("teacher")
    )
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


class SiteEnrollmentTotals(models.Model):
    """A site's open enrollments: a running total kept by database triggers (students/totals.py), so
    every site's seats are read from a row per site instead of counting each site's enrollments (the
    dashboard's fullest sites among 1,200 at statewide scale, issue #22). The enrollment services still
    count under the site's lock when they judge a seat (DESIGN.md rule 1)."""

    site = models.OneToOneField(
        "sites.Site",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="enrollment_totals",
    )
    enrolled = models.IntegerField(_("enrolled"), default=0)

    class Meta:
        verbose_name = _("site enrollment totals")
        verbose_name_plural = _("site enrollment totals")

    def __str__(self) -> str:
        return f"{self.site_id}: {self.enrolled}"
