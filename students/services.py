"""Writes on students and enrollments; the capacity rules (DESIGN.md rules 1–4) live here."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from artworx.dates import validate_date_in_range, validate_start_date
from artworx.roles import TEACHER, sees_all
from sites.calendar import calendars_for_sites
from sites.models import Site
from students.models import (
    Contract,
    ContractCourse,
    Enrollment,
    ExitReason,
    Referral,
    Student,
    SubjectArea,
    SupportProfile,
    WaitlistEntry,
    validate_date_of_birth,
)
from students.selectors import seats_left, teaches_at, teaching_pairs
from students.signals import student_graduated

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
            % {"date": last.ended_on},
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


@transaction.atomic
def students_create_many(students: list[Student], *, by) -> list[Student]:
    """Insert validated students with their empty support profiles, in batches, with history."""
    students = bulk_create_with_history(students, Student, batch_size=500, default_user=by)
    profiles = [SupportProfile(student=student) for student in students]
    bulk_create_with_history(profiles, SupportProfile, batch_size=500, default_user=by)
    return students


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
                    % {"date": ended},
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
            % {"date": enrollment.started_on},
            code="before_start",
        )
    enrollment.ended_on = on
    enrollment.exit_reason = ExitReason.TRANSFERRED
    enrollment.exit_notes = _("Transferred to %(teacher)s at %(site)s.") % {"teacher": teacher, "site": site}
    enrollment.save(update_fields=["ended_on", "exit_reason", "exit_notes", "updated_at"])
    moved = _insert_open_enrollment(student=enrollment.student, site=site, teacher=teacher, started_on=on)
    _contract_follow(student_id=enrollment.student_id, site=site, teacher=teacher, on=on)
    return moved


def _contract_follow(*, student_id: int, site: Site, teacher, on: date) -> None:
    """Move the student's active contract with them (rule 5): days elapsed stand, the rest count here."""
    # Lock the contract: a closure's recompute or an extension queues behind the transfer and then
    # counts on the new site's calendar.
    contract = (
        Contract.objects.active()
        .select_for_update()
        .select_related("site")
        .filter(student_id=student_id)
        .first()
    )
    if contract is None:
        return
    contract.teacher = teacher
    if contract.site_id == site.pk:
        contract.save(update_fields=["teacher", "updated_at"])
        return
    calendars = calendars_for_sites([contract.site_id, site.pk])
    moved_on = max(on, contract.counting_starts_on)  # a contract starting later starts here
    elapsed = calendars[contract.site_id].count(contract.counting_starts_on, moved_on - timedelta(days=1))
    old_site, old_due = contract.site, contract.due_on
    contract.days_elapsed_before += elapsed
    contract.counted_from, contract.site = moved_on, site
    contract.due_on = contract.due_date(calendars[site.pk])
    contract.due_note = _(
        "Transferred from %(old_site)s to %(site)s on %(date)s: %(elapsed)d instructional days counted at "
        "earlier sites, the rest at %(site)s. Due date moved from %(old)s to %(new)s."
    ) % {
        "old_site": old_site,
        "site": site,
        "date": moved_on,
        "elapsed": contract.days_elapsed_before,
        "old": old_due,
        "new": contract.due_on,
    }
    contract.due_note = contract.due_note[: Contract._meta.get_field("due_note").max_length]
    contract.save()


@transaction.atomic
def enrollment_exit(
    *, enrollment: Enrollment, ended_on: date, exit_reason: str, notes: str = "", diploma: str = "diploma"
) -> Enrollment:
    """End an open enrollment on a date with a reason, freeing the seat; a graduate becomes an alumnus."""
    validate_date_in_range(ended_on)
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
    # A student who leaves takes no contract with them: close it, keeping its courses and history.
    for contract in Contract.objects.active().filter(student_id=enrollment.student_id):
        contract.status, contract.closed_on = Contract.Status.WITHDRAWN, ended_on
        contract.save(update_fields=["status", "closed_on", "updated_at"])
    if exit_reason == ExitReason.GRADUATED:
        # In the same transaction: a graduate never exists without their alumni record (alumni opens it).
        student_graduated.send(
            sender=Enrollment, student=enrollment.student, graduated_on=ended_on, diploma=diploma, plans=notes
        )
    return enrollment


# Credit-recovery contracts (DESIGN.md rules 5–7) ------------------------------------------------

PASSING_GRADES = {"A", "B", "C", "D", "P"}


def _check_course(*, credits, title: str) -> None:
    """A course is worth more than 0 and at most ARTWORX_MAX_COURSE_CREDITS credits."""
    limit = settings.ARTWORX_MAX_COURSE_CREDITS
    if credits is None or not (0 < credits <= limit):
        raise ValidationError(
            _("%(title)s: credits must be more than 0 and at most %(limit)d.")
            % {"title": title, "limit": limit},
            code="course_credits",
        )


def _due_date(contract: Contract) -> date:
    """The contract's due date on its site's calendar (rule 5)."""
    return contract.due_date(calendars_for_sites([contract.site_id])[contract.site_id])


@transaction.atomic
def contract_open(
    *, student: Student, started_on: date, courses: list[dict], length_days: int | None = None
) -> Contract:
    """Open a credit-recovery contract; its due date is the 80th instructional day from the start."""
    validate_start_date(started_on)
    # Lock the student: two "open contract" requests queue here and the second sees the first.
    student = Student.objects.select_for_update().get(pk=student.pk)
    enrollment = student.enrollments.open().first()
    if enrollment is None:
        raise ValidationError(
            _("Enroll the student at a site before opening a contract."), code="not_enrolled"
        )
    if started_on < enrollment.started_on:
        raise ValidationError(
            _("A contract cannot start before the student's enrollment (%(date)s).")
            % {"date": enrollment.started_on},
            code="before_enrollment",
        )
    if student.contracts.active().exists():
        raise ValidationError(
            _("This student already has an active contract."), code="active_contract_exists"
        )
    if not courses:
        raise ValidationError(_("Add at least one course to the contract."), code="no_courses")
    for course in courses:
        _check_course(credits=course.get("credits"), title=course.get("title", ""))
    contract = Contract(
        student=student,
        site=enrollment.site,
        teacher=enrollment.teacher,
        started_on=started_on,
        length_days=length_days or settings.ARTWORX_CONTRACT_DAYS,
    )
    contract.due_on = _due_date(contract)
    contract.save()
    bulk_create_with_history(
        [
            ContractCourse(
                contract=contract, subject_area=c["subject_area"], title=c["title"], credits=c["credits"]
            )
            for c in courses
        ],
        ContractCourse,
    )
    return contract


def _locked_open_for_edit(contract: Contract, *, by) -> Contract:
    """Lock a contract for a change; closed contracts change only in staff hands."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not contract.is_active and not sees_all(by):
        raise ValidationError(
            _("This contract is %(status)s: only program staff can change it.")
            % {"status": contract.get_status_display().lower()},
            code="contract_closed",
        )
    return contract


@transaction.atomic
def contract_course_add(*, contract: Contract, subject_area: str, title: str, credits, by) -> ContractCourse:
    """Add a course to a contract's courseload."""
    contract = _locked_open_for_edit(contract, by=by)
    _check_course(credits=credits, title=title)
    course = ContractCourse.objects.create(
        contract=contract, subject_area=subject_area, title=title, credits=credits
    )
    if contract.status == Contract.Status.COMPLETED:
        _reopen(contract)
    return course


def _reopen(contract: Contract) -> None:
    """A completed contract with a course back in progress is active again, if the student has no other."""
    if Contract.objects.active().filter(student_id=contract.student_id).exclude(pk=contract.pk).exists():
        raise ValidationError(
            _("The student has another active contract: add the course there instead."),
            code="active_contract_exists",
        )
    contract.status, contract.closed_on = Contract.Status.ACTIVE, None
    contract.save(update_fields=["status", "closed_on", "updated_at"])


def _check_result(*, contract: Contract, status: str, grade: str, resolved_on: date | None) -> None:
    """A result's status, grade and date agree with each other and with the contract."""
    if status == ContractCourse.Status.IN_PROGRESS:
        if grade or resolved_on:
            raise ValidationError(_("A course in progress has no grade and no date yet."), code="grade")
        return
    if status == ContractCourse.Status.COMPLETED and grade not in PASSING_GRADES:
        raise ValidationError(_("A completed course needs a passing grade (A–D or Pass)."), code="grade")
    if status == ContractCourse.Status.NOT_COMPLETED and grade not in {"F", "NP"}:
        raise ValidationError(_("A course not completed has grade F or No pass."), code="grade")
    if resolved_on is None:
        raise ValidationError(_("Give the date of the result."), code="date")
    if resolved_on < contract.started_on:
        raise ValidationError(
            _("The date cannot be before the contract started (%(date)s).") % {"date": contract.started_on},
            code="before_start",
        )
    if resolved_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")


@transaction.atomic
def contract_course_resolve(
    *, course: ContractCourse, status: str, grade: str, resolved_on: date, by
) -> ContractCourse:
    """Complete or fail a course with a grade and a date; the contract completes when all are resolved."""
    contract = _locked_open_for_edit(course.contract, by=by)
    course = ContractCourse.objects.select_for_update().get(pk=course.pk)
    if status not in (ContractCourse.Status.COMPLETED, ContractCourse.Status.NOT_COMPLETED):
        raise ValidationError(_("Choose completed or not completed."), code="status")
    _check_result(contract=contract, status=status, grade=grade, resolved_on=resolved_on)
    course.status, course.grade, course.resolved_on = status, grade, resolved_on
    course.save(update_fields=["status", "grade", "resolved_on", "updated_at"])
    _complete_when_resolved(contract)
    return course


@transaction.atomic
def contract_course_update(*, course: ContractCourse, by) -> ContractCourse:
    """Save a corrected course (title, credits, result); the contract's status follows its courses."""
    contract = _locked_open_for_edit(course.contract, by=by)
    _check_course(credits=course.credits, title=course.title)
    _check_result(contract=contract, status=course.status, grade=course.grade, resolved_on=course.resolved_on)
    course.save()
    if contract.status == Contract.Status.COMPLETED and course.status == ContractCourse.Status.IN_PROGRESS:
        _reopen(contract)
    _complete_when_resolved(contract)
    return course


def _complete_when_resolved(contract: Contract) -> None:
    """An active contract whose every course is resolved is completed."""
    courses = contract.courses.all()
    if contract.is_active and not courses.filter(status=ContractCourse.Status.IN_PROGRESS).exists():
        contract.status = Contract.Status.COMPLETED
        contract.closed_on = max(c.resolved_on for c in courses)
        contract.save(update_fields=["status", "closed_on", "updated_at"])


@transaction.atomic
def contract_extend(*, contract: Contract, days: int, reason: str, by) -> Contract:
    """Extend an active contract once by a number of instructional days, with a reason."""
    contract = _locked_open_for_edit(contract, by=by)
    if not contract.is_active:
        raise ValidationError(_("Only an active contract can be extended."), code="contract_closed")
    if contract.extension_days:
        raise ValidationError(_("This contract was already extended once."), code="already_extended")
    limit = settings.ARTWORX_MAX_CONTRACT_EXTENSION
    if not (1 <= days <= limit):
        raise ValidationError(
            _("An extension is between 1 and %(limit)d instructional days.") % {"limit": limit},
            code="extension_days",
        )
    if not reason.strip():
        raise ValidationError(_("Give a reason for the extension."), code="extension_reason")
    old_due = contract.due_on
    contract.extension_days, contract.extension_reason = days, reason.strip()
    contract.due_on = _due_date(contract)
    contract.due_note = _("Extended by %(days)d instructional days (was due %(old)s).") % {
        "days": days,
        "old": old_due,
    }
    contract.save()
    return contract


def contracts_expire_overdue(*, today: date) -> int:
    """Mark active contracts past their due date with courses unfinished as expired; returns how many."""
    with transaction.atomic():
        overdue = list(
            Contract.objects.active()
            .select_for_update()
            .filter(due_on__lt=today)
            .filter(
                Exists(
                    ContractCourse.objects.filter(
                        contract=OuterRef("pk"), status=ContractCourse.Status.IN_PROGRESS
                    )
                )
            )
        )
        for contract in overdue:
            contract.status, contract.closed_on = Contract.Status.EXPIRED, contract.due_on
        bulk_update_with_history(overdue, Contract, ["status", "closed_on"], batch_size=500)
    return len(overdue)


@transaction.atomic
def contracts_recompute_due_dates(*, site_id: int | None, reason: str) -> int:
    """Recompute the due date of active contracts at a site (None: every site) after a closure changed."""
    # Lock the contracts: a transfer moving one of them to another site, or an extension, waits for
    # this recompute (or it for them) instead of one overwriting the other's due date.
    contracts = Contract.objects.active().select_for_update()
    if site_id is not None:
        contracts = contracts.counted_at(site_id)
    contracts = list(contracts)
    calendars = calendars_for_sites({c.site_id for c in contracts})
    moved = []
    for contract in contracts:
        due = contract.due_date(calendars[contract.site_id])
        if due != contract.due_on:
            contract.due_note = _("Due date moved from %(old)s to %(new)s: %(reason)s.") % {
                "old": contract.due_on,
                "new": due,
                "reason": reason,
            }
            contract.due_on = due
            moved.append(contract)
    bulk_update_with_history(moved, Contract, ["due_on", "due_note"], batch_size=500)
    return len(moved)


# Waitlists (DESIGN.md rule 4) -------------------------------------------------------------------


@transaction.atomic
def waitlist_add(*, student: Student, site: Site, on: date) -> WaitlistEntry:
    """Put a student at the end of a site's waitlist."""
    validate_date_in_range(on)
    # Lock the site as enrollment does: an entry and an enrollment for it never cross.
    site = Site.objects.select_for_update().get(pk=site.pk)
    if Enrollment.objects.open().filter(student=student).exists():
        raise ValidationError(_("This student is already enrolled at a site."), code="already_enrolled")
    if WaitlistEntry.objects.waiting().filter(student=student, site=site).exists():
        raise ValidationError(
            _("%(student)s is already on the waitlist of %(site)s.") % {"student": student, "site": site},
            code="already_waiting",
        )
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(student=student, site=site, added_on=on)
    except IntegrityError as exc:
        raise ValidationError(
            _("%(student)s is already on the waitlist of %(site)s.") % {"student": student, "site": site},
            code="already_waiting",
        ) from exc


def _locked_waiting(entry: WaitlistEntry) -> WaitlistEntry:
    entry = WaitlistEntry.objects.select_for_update().select_related("student", "site").get(pk=entry.pk)
    if entry.status != WaitlistEntry.Status.WAITING:
        raise ValidationError(
            _("This waitlist entry is already %(status)s.") % {"status": entry.get_status_display().lower()},
            code="not_waiting",
        )
    return entry


@transaction.atomic
def waitlist_enroll(*, entry: WaitlistEntry, teacher, on: date) -> Enrollment:
    """Enroll a waiting student at the site through the capacity service; the entry becomes enrolled."""
    # Site row first (as in enrollment_create), then the entry: two clicks on "enroll" queue here.
    Site.objects.select_for_update().get(pk=entry.site_id)
    entry = _locked_waiting(entry)
    enrollment = enrollment_create(student=entry.student, site=entry.site, teacher=teacher, started_on=on)
    entry.status, entry.resolved_on = WaitlistEntry.Status.ENROLLED, on
    entry.save(update_fields=["status", "resolved_on", "updated_at"])
    # A referred youth waiting for this seat reaches the end of the funnel with it.
    for referral in Referral.objects.select_for_update().filter(
        student=entry.student, status=Referral.Status.ASSESSED
    ):
        referral.status, referral.enrolled_on = Referral.Status.ENROLLED, max(on, referral.received_on)
        referral.save(update_fields=["status", "enrolled_on", "updated_at"])
    return enrollment


@transaction.atomic
def waitlist_skip(*, entry: WaitlistEntry, reason: str, on: date) -> WaitlistEntry:
    """Take a student off a waitlist with a reason (found another school, not reachable…)."""
    validate_date_in_range(on)
    if not reason.strip():
        raise ValidationError(_("Give a reason for skipping this student."), code="skip_reason")
    Site.objects.select_for_update().get(pk=entry.site_id)
    entry = _locked_waiting(entry)
    entry.status, entry.resolved_on, entry.skip_reason = WaitlistEntry.Status.SKIPPED, on, reason.strip()
    entry.save(update_fields=["status", "resolved_on", "skip_reason", "updated_at"])
    return entry


# Referrals --------------------------------------------------------------------------------------

REFERRAL_FIELDS = (
    "source",
    "first_name",
    "last_name",
    "date_of_birth",
    "district_id",
    "phone",
    "email",
    "last_school",
    "out_of_school",
    "credits_held",
    "recommended_option",
    "notes",
    "counselor",
)


def _credits_total(credits_held: dict) -> Decimal:
    """Check credits held by subject area (known areas, none negative, 0..300 in all) and add them up."""
    total = Decimal(0)
    for area, credits in (credits_held or {}).items():
        if area not in SubjectArea.values:
            raise ValidationError(_("Unknown subject area: %(area)s.") % {"area": area}, code="credits")
        try:
            value = Decimal(str(credits))
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError(_("Credits must be numbers."), code="credits") from exc
        if value < 0:
            raise ValidationError(_("Credits cannot be negative."), code="credits")
        total += value
    if total > Referral.MAX_CREDITS:
        raise ValidationError(
            _("Credits held add up to %(total)s: at most 300.") % {"total": total}, code="credits"
        )
    return total


def _save_referral(referral: Referral) -> Referral:
    referral.credits_held = {k: str(Decimal(str(v))) for k, v in (referral.credits_held or {}).items() if v}
    referral.credits_total = _credits_total(referral.credits_held)
    referral.full_clean()
    referral.save()
    return referral


@transaction.atomic
def referral_create(*, received_on: date, **fields) -> Referral:
    """Record a new referral, received on a date."""
    validate_date_in_range(received_on)
    if received_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")
    return _save_referral(Referral(received_on=received_on, **fields))


@transaction.atomic
def referral_update(*, referral: Referral, **fields) -> Referral:
    """Correct a referral's intake details and credit assessment (not its funnel status)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    for name, value in fields.items():
        if name not in REFERRAL_FIELDS:
            raise TypeError(name)
        setattr(referral, name, value)
    return _save_referral(referral)


# Where a referral may go next by hand; "enrolled" is reached only by converting it.
REFERRAL_NEXT = {
    Referral.Status.RECEIVED: (
        Referral.Status.CONTACTED,
        Referral.Status.DECLINED,
        Referral.Status.UNREACHABLE,
    ),
    Referral.Status.CONTACTED: (
        Referral.Status.ASSESSED,
        Referral.Status.DECLINED,
        Referral.Status.UNREACHABLE,
    ),
    Referral.Status.ASSESSED: (Referral.Status.DECLINED, Referral.Status.UNREACHABLE),
}


@transaction.atomic
def referral_advance(*, referral: Referral, status: str, on: date) -> Referral:
    """Move a referral one step through the funnel on a date; dates only go forward."""
    validate_date_in_range(on)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if status not in REFERRAL_NEXT.get(referral.status, ()):
        raise ValidationError(
            _("A referral that is %(status)s cannot become %(next)s.")
            % {
                "status": referral.get_status_display().lower(),
                "next": Referral.Status(status).label.lower() if status in Referral.Status.values else status,
            },
            code="bad_step",
        )
    if on < referral.last_step_on:
        raise ValidationError(
            _("The date cannot be before the referral's last step (%(date)s).")
            % {"date": referral.last_step_on},
            code="date_backwards",
        )
    if on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")
    referral.status = status
    setattr(referral, Referral.STEP_DATES.get(status, "closed_on"), on)
    referral.save()
    return referral


def referral_matches(*, referral: Referral) -> list[Student]:
    """Students who may be this youth already: same district id, or same name and date of birth."""
    same_person = Q(
        first_name__iexact=referral.first_name.strip(),
        last_name__iexact=referral.last_name.strip(),
        date_of_birth=referral.date_of_birth,
    )
    if referral.district_id:
        same_person |= Q(district_id=referral.district_id)
    return list(Student.objects.filter(same_person).order_by("pk")[:5])


@transaction.atomic
def referral_convert(
    *,
    referral: Referral,
    site: Site,
    teacher,
    on: date,
    grade: int | None = None,
    student: Student | None = None,
    create_new: bool = False,
) -> Enrollment | WaitlistEntry:
    """Turn a referral into a student enrolled at a site, or on its waitlist when the site is full.

    A youth who is a student already is matched rather than duplicated: when matches exist the
    counselor passes the confirmed `student`, or `create_new=True` to confirm it is someone else.
    """
    # The referral row first: two conversions of one referral queue here and the second refuses.
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.student_id is not None:
        raise ValidationError(_("This referral was already converted."), code="already_converted")
    if referral.status in (Referral.Status.DECLINED, Referral.Status.UNREACHABLE):
        raise ValidationError(
            _("A %(status)s referral cannot be converted.")
            % {"status": referral.get_status_display().lower()},
            code="referral_closed",
        )
    if on < referral.last_step_on:
        raise ValidationError(
            _("The date cannot be before the referral's last step (%(date)s).")
            % {"date": referral.last_step_on},
            code="date_backwards",
        )
    matches = referral_matches(referral=referral)
    if student is not None:
        if student.pk not in {m.pk for m in matches}:
            raise ValidationError(_("That student does not match this referral."), code="not_a_match")
    else:
        if matches and not create_new:
            raise ValidationError(
                _("This youth may already be a student: choose the match, or confirm a new student."),
                code="confirm_match",
            )
        if grade is None:
            raise ValidationError(_("Give the grade to create the student."), code="grade")
        # Said here, not by student_create's full_clean: its error names a field this page lacks.
        validate_date_of_birth(referral.date_of_birth)
        student = student_create(
            first_name=referral.first_name,
            last_name=referral.last_name,
            date_of_birth=referral.date_of_birth,
            district_id=referral.district_id,
            grade=grade,
            phone=referral.phone,
            email=referral.email,
            prior_credits=referral.credits_total,
        )
    try:
        placed = enrollment_create(student=student, site=site, teacher=teacher, started_on=on)
    except ValidationError as error:
        if error.code != "site_full":
            raise
        # DESIGN.md rule 4: a full site offers its waitlist; the enrollment's savepoint rolled back.
        placed = waitlist_add(student=student, site=site, on=on)
    referral.student = student
    if referral.status == Referral.Status.RECEIVED:
        referral.contacted_on = referral.contacted_on or on
    if referral.status in (Referral.Status.RECEIVED, Referral.Status.CONTACTED):
        referral.assessed_on = referral.assessed_on or on
        referral.status = Referral.Status.ASSESSED
    if isinstance(placed, Enrollment):
        referral.status, referral.enrolled_on = Referral.Status.ENROLLED, on
    referral.save()
    return placed
