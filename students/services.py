"""Writes on students and enrollments; the capacity rules (DESIGN.md rules 1–4) live here."""

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from artworx.roles import TEACHER
from sites.models import Site
from students.models import Enrollment, ExitReason, Student, SupportProfile

User = get_user_model()


@transaction.atomic
def student_create(**fields) -> Student:
    """Create a student together with their (empty) support profile."""
    student = Student(**fields)
    student.full_clean()
    student.save()
    SupportProfile.objects.create(student=student)
    return student


def _lock_site_and_teacher(*, site: Site, teacher) -> tuple[Site, "User"]:
    """Lock the site row, then the teacher row, and refuse when either has no seat left."""
    # Always site first, then teacher: concurrent enrollments queue on these rows instead of
    # both counting 49 and both inserting (DESIGN.md rule 3).
    site = Site.objects.select_for_update().get(pk=site.pk)
    teacher = User.objects.select_for_update().get(pk=teacher.pk)
    if not site.is_active:
        raise ValidationError(
            _("%(site)s is closed to new enrollments.") % {"site": site}, code="site_inactive"
        )
    if not (teacher.is_active and teacher.groups.filter(name=TEACHER).exists()):
        raise ValidationError(
            _("%(teacher)s is not an active teacher.") % {"teacher": teacher}, code="not_a_teacher"
        )
    if not site.teachers.filter(pk=teacher.pk).exists():
        raise ValidationError(
            _("%(teacher)s does not teach at %(site)s.") % {"teacher": teacher, "site": site},
            code="teacher_not_at_site",
        )
    enrolled = Enrollment.objects.open().filter(site=site).count()
    if enrolled >= site.capacity:
        raise ValidationError(
            ngettext(
                "%(site)s is full: its %(capacity)d seat is taken. Choose another site.",
                "%(site)s is full: all %(capacity)d seats are taken. Choose another site.",
                site.capacity,
            )
            % {"site": site, "capacity": site.capacity},
            code="site_full",
        )
    caseload = Enrollment.objects.open().filter(teacher=teacher).count()
    if caseload >= settings.ARTWORX_MAX_CASELOAD:
        seats = site.capacity - enrolled
        raise ValidationError(
            _("%(teacher)s already carries %(max)d students, the most one teacher may. ")
            % {"teacher": teacher, "max": settings.ARTWORX_MAX_CASELOAD}
            + ngettext(
                "%(site)s still has %(seats)d seat: choose another teacher there.",
                "%(site)s still has %(seats)d seats: choose another teacher there.",
                seats,
            )
            % {"site": site, "seats": seats},
            code="caseload_full",
        )
    return site, teacher


def _insert_open_enrollment(**fields) -> Enrollment:
    """Insert an open enrollment; a concurrent one for the same student loses to the unique constraint."""
    try:
        with transaction.atomic():
            return Enrollment.objects.create(**fields)
    except IntegrityError as exc:
        raise ValidationError(
            _("This student is already enrolled at a site."), code="already_enrolled"
        ) from exc


@transaction.atomic
def enrollment_create(*, student: Student, site: Site, teacher, started_on: date) -> Enrollment:
    """Enroll (or re-enroll) a student at a site with a teacher, refusing when either is full."""
    site, teacher = _lock_site_and_teacher(site=site, teacher=teacher)
    if Enrollment.objects.open().filter(student=student).exists():
        raise ValidationError(_("This student is already enrolled at a site."), code="already_enrolled")
    last = Enrollment.objects.filter(student=student, ended_on__isnull=False).order_by("-ended_on").first()
    if last is not None and last.ended_on > started_on:
        raise ValidationError(
            _("The start date is before the student's last enrollment ended (%(date)s).")
            % {"date": last.ended_on},
            code="overlaps_history",
        )
    return _insert_open_enrollment(student=student, site=site, teacher=teacher, started_on=started_on)


@transaction.atomic
def enrollment_transfer(*, enrollment: Enrollment, site: Site, teacher, on: date) -> Enrollment:
    """Move an open enrollment to another site or teacher from a date; the old one ends as transferred."""
    site, teacher = _lock_site_and_teacher(site=site, teacher=teacher)
    # Locked after site and teacher, so two transfers of one student queue here and the second
    # finds the enrollment already ended.
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if not enrollment.is_open:
        raise ValidationError(_("This enrollment has already ended."), code="enrollment_ended")
    if enrollment.site_id == site.pk and enrollment.teacher_id == teacher.pk:
        raise ValidationError(_("The student is already with this teacher at this site."), code="no_change")
    if on < enrollment.started_on:
        raise ValidationError(
            _("A transfer cannot be dated before the enrollment started (%(date)s).")
            % {"date": enrollment.started_on},
            code="before_start",
        )
    enrollment.ended_on = on
    enrollment.exit_reason = ExitReason.TRANSFERRED
    enrollment.exit_notes = _("Transferred to %(teacher)s at %(site)s.") % {"teacher": teacher, "site": site}
    enrollment.save(update_fields=["ended_on", "exit_reason", "exit_notes", "updated_at"])
    return _insert_open_enrollment(student=enrollment.student, site=site, teacher=teacher, started_on=on)


@transaction.atomic
def enrollment_exit(
    *, enrollment: Enrollment, ended_on: date, exit_reason: str, notes: str = ""
) -> Enrollment:
    """End an open enrollment on a date with a reason, freeing the seat."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if not enrollment.is_open:
        raise ValidationError(_("This enrollment has already ended."), code="enrollment_ended")
    if exit_reason not in ExitReason.values:
        raise ValidationError(_("Choose an exit reason."), code="exit_reason")
    if ended_on < enrollment.started_on:
        raise ValidationError(
            _("The exit date cannot be before the enrollment started (%(date)s).")
            % {"date": enrollment.started_on},
            code="before_start",
        )
    enrollment.ended_on = ended_on
    enrollment.exit_reason = exit_reason
    enrollment.exit_notes = notes
    enrollment.save(update_fields=["ended_on", "exit_reason", "exit_notes", "updated_at"])
    return enrollment
