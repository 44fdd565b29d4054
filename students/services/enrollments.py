"""Enrollments and capacity (DESIGN.md rules 1–3): enrol, transfer, exit, one at a time or by the batch."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from artworx.dates import shown_date, validate_date_in_range, validate_start_date
from artworx.roles import TEACHER
from sites.models import Site
from students.models import (
    Contract,
    Enrollment,
    ExitReason,
    Student,
)
from students.selectors import seats_left, teaches_at, teaching_pairs
from students.services.contracts import contract_follow
from students.services.seats import seat_open_items_write
from students.signals import student_graduated

User = get_user_model()


def _lock_site_and_teacher(*, site: Site, teacher) -> tuple[Site, "User"]:
    """Lock the site row, then the teacher row, and refuse when either has no seat left."""
    # Always site first, then teacher: concurrent enrollments queue on these rows instead of
    # both counting 49 and both inserting (DESIGN.md rule 3).
    site = Site.objects.select_for_update().get(pk=site.pk)
    teacher = User.objects.select_for_update().get(pk=teacher.pk)
    _check_placement(
        site=site,
        teacher=teacher,
        is_teacher=teacher.is_active and teacher.groups.filter(name=TEACHER).exists(),
        teaches_there=teaches_at(teacher=teacher, site=site),
    )
    _check_seats(
        site=site,
        teacher=teacher,
        enrolled=Enrollment.objects.open().filter(site=site).count(),
        caseload=Enrollment.objects.open().filter(teacher=teacher).count(),
    )
    return site, teacher


def _check_seats(*, site: Site, teacher, enrolled: int, caseload: int) -> None:
    """Refuse when the site or the teacher has no seat left, naming the limit and what is left."""
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
    if caseload >= settings.ARTWORX_MAX_CASELOAD:
        seats = seats_left(capacity=site.capacity, enrolled=enrolled)
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


def _check_placement(*, site: Site, teacher, is_teacher: bool, teaches_there: bool) -> None:
    """Refuse a closed site, someone who is not an active teacher, or a teacher from another site."""
    if not site.is_active:
        raise ValidationError(
            _("%(site)s is closed to new enrollments.") % {"site": site}, code="site_inactive"
        )
    if not is_teacher:
        raise ValidationError(
            _("%(teacher)s is not an active teacher.") % {"teacher": teacher}, code="not_a_teacher"
        )
    if not teaches_there:
        raise ValidationError(
            _("%(teacher)s does not teach at %(site)s.") % {"teacher": teacher, "site": site},
            code="teacher_not_at_site",
        )


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
    validate_start_date(started_on)
    site, teacher = _lock_site_and_teacher(site=site, teacher=teacher)
    if Enrollment.objects.open().filter(student=student).exists():
        raise ValidationError(_("This student is already enrolled at a site."), code="already_enrolled")
    last = Enrollment.objects.filter(student=student, ended_on__isnull=False).order_by("-ended_on").first()
    if last is not None and last.ended_on > started_on:
        raise ValidationError(
            _("The start date is before the student's last enrollment ended (%(date)s).")
            % {"date": shown_date(last.ended_on)},
            code="overlaps_history",
        )
    return _insert_open_enrollment(student=student, site=site, teacher=teacher, started_on=started_on)


@dataclass(frozen=True)
class EnrollmentRequest:
    """One enrollment asked for in a batch (a roster import)."""

    student: Student
    site: Site
    teacher: "User"
    started_on: date


class BatchRefused(ValidationError):
    """A batch refused because of one request; `index` says which."""

    def __init__(self, error: ValidationError, *, index: int):
        super().__init__(error.messages)
        self.index = index


def _enrollment_verdicts(requests: list[EnrollmentRequest], *, sites: dict, teachers: dict) -> list:
    """Judge each request in order under enrollment_create's rules; the accepted ones take their seats.

    Returns one ValidationError (refused) or None (accepted) per request. The same loop serves the
    real batch (sites and teachers locked) and the roster preview (nothing locked, nothing written),
    so the two always agree on which request is refused and why.
    """
    site_ids, teacher_ids = sorted(sites), sorted(teachers)
    active_teachers = set(
        User.objects.filter(pk__in=teacher_ids, is_active=True, groups__name=TEACHER).values_list(
            "pk", flat=True
        )
    )
    teaches = teaching_pairs(site_ids=site_ids, teacher_ids=teacher_ids)
    open_enrollments = Enrollment.objects.open().order_by()
    seats = Counter(
        dict(open_enrollments.filter(site_id__in=site_ids).values_list("site_id").annotate(n=Count("pk")))
    )
    caseload = Counter(
        dict(
            open_enrollments.filter(teacher_id__in=teacher_ids)
            .values_list("teacher_id")
            .annotate(n=Count("pk"))
        )
    )
    # Students not saved yet (a preview of new rows) have no enrollment and no history.
    student_ids = [r.student.pk for r in requests if r.student.pk is not None]
    enrolled, last_ended = set(), {}
    if student_ids:
        enrolled = set(
            open_enrollments.filter(student_id__in=student_ids).values_list("student_id", flat=True)
        )
        last_ended = dict(
            Enrollment.objects.filter(student_id__in=student_ids, ended_on__isnull=False)
            .order_by()
            .values_list("student_id")
            .annotate(last=Max("ended_on"))
        )
    verdicts = []
    for r in requests:
        site, teacher = sites[r.site.pk], teachers[r.teacher.pk]
        try:
            validate_start_date(r.started_on)
            _check_placement(
                site=site,
                teacher=teacher,
                is_teacher=teacher.pk in active_teachers,
                teaches_there=(site.pk, teacher.pk) in teaches,
            )
            if r.student.pk is not None and r.student.pk in enrolled:
                raise ValidationError(
                    _("This student is already enrolled at a site."), code="already_enrolled"
                )
            ended = last_ended.get(r.student.pk)
            if ended is not None and ended > r.started_on:
                raise ValidationError(
                    _("The start date is before the student's last enrollment ended (%(date)s).")
                    % {"date": shown_date(ended)},
                    code="overlaps_history",
                )
            _check_seats(site=site, teacher=teacher, enrolled=seats[site.pk], caseload=caseload[teacher.pk])
        except ValidationError as error:
            verdicts.append(error)
            continue
        verdicts.append(None)
        seats[site.pk] += 1
        caseload[teacher.pk] += 1
        if r.student.pk is not None:
            enrolled.add(r.student.pk)
    return verdicts


def enrollments_check_many(requests: list[EnrollmentRequest]) -> list:
    """What enrollments_create_many would say of each request, without locking or writing (a preview).

    One ValidationError or None per request; a refused request takes no seat, so the verdicts are
    those of the batch with the refused rows left out.
    """
    sites = {r.site.pk: r.site for r in requests}
    teachers = {r.teacher.pk: r.teacher for r in requests}
    return _enrollment_verdicts(requests, sites=sites, teachers=teachers)


@transaction.atomic
def enrollments_create_many(requests: list[EnrollmentRequest], *, by) -> list[Enrollment]:
    """Enroll many students under the same rules as one, locking each site and then each teacher once.

    Sites are locked in id order, then teachers, so a batch and single enrollments (site, then
    teacher) always queue in the same order and never deadlock. The first request that breaks a
    rule refuses the whole batch with a BatchRefused naming it.
    """
    site_ids = sorted({r.site.pk for r in requests})
    teacher_ids = sorted({r.teacher.pk for r in requests})
    # Lock every site of the batch, then every teacher: single enrollments and other batches queue
    # here instead of counting the same free seats (rule 3).
    sites = {s.pk: s for s in Site.objects.select_for_update().filter(pk__in=site_ids).order_by("pk")}
    teachers = {t.pk: t for t in User.objects.select_for_update().filter(pk__in=teacher_ids).order_by("pk")}
    verdicts = _enrollment_verdicts(requests, sites=sites, teachers=teachers)
    for index, error in enumerate(verdicts):
        if error is not None:
            raise BatchRefused(error, index=index) from error
    rows = [
        Enrollment(
            student=r.student, site=sites[r.site.pk], teacher=teachers[r.teacher.pk], started_on=r.started_on
        )
        for r in requests
    ]
    try:
        with transaction.atomic():
            return bulk_create_with_history(rows, Enrollment, batch_size=500, default_user=by)
    except IntegrityError as exc:  # a student enrolled elsewhere meanwhile
        raise ValidationError(
            _("This student is already enrolled at a site."), code="already_enrolled"
        ) from exc


@transaction.atomic
def enrollment_transfer(*, enrollment: Enrollment, site: Site, teacher, on: date) -> Enrollment:
    """Move an open enrollment to another site or teacher from a date; the old one ends as transferred."""
    validate_start_date(on)  # the new enrollment starts that day
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
            % {"date": shown_date(enrollment.started_on)},
            code="before_start",
        )
    enrollment.ended_on = on
    enrollment.exit_reason = ExitReason.TRANSFERRED
    enrollment.exit_notes = _("Transferred to %(teacher)s at %(site)s.") % {"teacher": teacher, "site": site}
    enrollment.save(update_fields=["ended_on", "exit_reason", "exit_notes", "updated_at"])
    # Rule 4: the freed seat is the site lead's item now, not at the next sweep.
    seat_open_items_write(site_ids=[enrollment.site_id])
    moved = _insert_open_enrollment(student=enrollment.student, site=site, teacher=teacher, started_on=on)
    contract_follow(student_id=enrollment.student_id, site=site, teacher=teacher, on=on)
    return moved


@transaction.atomic
def enrollment_exit(
    *, enrollment: Enrollment, ended_on: date, exit_reason: str, notes: str = "", diploma: str = "diploma"
) -> Enrollment:
    """End an open enrollment on a date with a reason, freeing the seat; a graduate becomes an alumnus."""
    validate_date_in_range(ended_on)
    # Lock the enrollment: two exits (or an exit and a transfer) of the same enrollment cannot both pass.
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if not enrollment.is_open:
        raise ValidationError(_("This enrollment has already ended."), code="enrollment_ended")
    if exit_reason not in ExitReason.values:
        raise ValidationError(_("Choose an exit reason."), code="exit_reason")
    if ended_on < enrollment.started_on:
        raise ValidationError(
            _("The exit date cannot be before the enrollment started (%(date)s).")
            % {"date": shown_date(enrollment.started_on)},
            code="before_start",
        )
    enrollment.ended_on = ended_on
    enrollment.exit_reason = exit_reason
    enrollment.exit_notes = notes
    enrollment.save(update_fields=["ended_on", "exit_reason", "exit_notes", "updated_at"])
    # Rule 4: the freed seat is the site lead's item now, not at the next sweep.
    seat_open_items_write(site_ids=[enrollment.site_id])
    # A student who leaves takes no contract with them: close it, keeping its courses and history.
    # One not started yet is cancelled: it never ran, so it has no closing day.
    for contract in Contract.objects.open().filter(student_id=enrollment.student_id):
        if contract.is_pending:
            contract.status = Contract.Status.CANCELLED
            contract.due_note = _("Cancelled before it started: the student left the programme.")
            contract.agreement_versions.filter(status__in=["draft", "sent"]).update(status="replaced")
            contract.save(update_fields=["status", "due_note", "updated_at"])
            continue
        contract.status, contract.closed_on = Contract.Status.WITHDRAWN, ended_on
        contract.save(update_fields=["status", "closed_on", "updated_at"])
    if exit_reason == ExitReason.GRADUATED:
        # In the same transaction: a graduate never exists without their alumni record (alumni opens it).
        student_graduated.send(
            sender=Enrollment, student=enrollment.student, graduated_on=ended_on, diploma=diploma, plans=notes
        )
    return enrollment
