"""Credit-recovery contracts (DESIGN.md rules 5–7): open, courses, results, extension, expiry, due dates."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from artworx.dates import shown_date, validate_start_date
from artworx.roles import sees_all
from sites.calendar import calendars_for_sites
from sites.models import Site
from students.models import (
    Contract,
    ContractCourse,
    Student,
)
from students.services.agreements import agreement_draft


def contract_follow(*, student_id: int, site: Site, teacher, on: date) -> None:
    """Move the student's active contract with them (rule 5): days elapsed stand, the rest count here."""
    # Lock the contract: a closure's recompute or an extension queues behind the transfer and then
    # counts on the new site's calendar.
    contract = (  # the lock the comment above explains
        Contract.objects.open()
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
        agreement_draft(contract=contract)  # the supervising teacher named in the agreement changed
        return
    if contract.is_pending:
        # Not started: no day has elapsed yet; the planned dates are counted at the new site.
        contract.site = site
        contract.due_on = _due_date(contract)
        contract.save()
        agreement_draft(contract=contract)
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
        "date": shown_date(moved_on),
        "elapsed": contract.days_elapsed_before,
        "old": shown_date(old_due),
        "new": shown_date(contract.due_on),
    }
    contract.due_note = contract.due_note[: Contract._meta.get_field("due_note").max_length]
    contract.save()
    agreement_draft(contract=contract)  # site and end date changed: the next version says so


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
    """Open a credit-recovery contract and draft its written agreement; it starts once signed.

    The dates are planned: the due date is the 80th instructional day from the planned start, and both
    move to the day of the last signature if that comes later (rule 5).
    """
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
            % {"date": shown_date(enrollment.started_on)},
            code="before_enrollment",
        )
    if student.contracts.open().exists():
        raise ValidationError(_("This student already has an open contract."), code="active_contract_exists")
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
    agreement_draft(contract=contract)
    return contract


def _locked_open_for_edit(contract: Contract, *, by) -> Contract:
    """Lock a contract for a change; closed contracts change only in staff hands."""
    # Lock the contract: a course change, a result and an extension of the same contract queue here, so
    # the completion check and the due date read what the other wrote.
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not contract.is_open and not sees_all(by):
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
    agreement_draft(contract=contract)  # a change of courses: a new version after signing
    return course


def _reopen(contract: Contract) -> None:
    """A completed contract with a course back in progress is active again, if the student has no other."""
    if Contract.objects.open().filter(student_id=contract.student_id).exclude(pk=contract.pk).exists():
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
            _("The date cannot be before the contract started (%(date)s).")
            % {"date": shown_date(contract.started_on)},
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
    if contract.is_pending:
        raise ValidationError(
            _("The contract has not started: its agreement is not signed by everyone yet."),
            code="not_started",
        )
    # The course row too (after its contract, always in that order): two results for one course queue.
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
    if contract.is_pending and course.status != ContractCourse.Status.IN_PROGRESS:
        raise ValidationError(
            _("The contract has not started: its agreement is not signed by everyone yet."),
            code="not_started",
        )
    _check_result(contract=contract, status=course.status, grade=course.grade, resolved_on=course.resolved_on)
    before = ContractCourse.objects.filter(pk=course.pk).values("subject_area", "title", "credits").first()
    course.save()
    if before != {"subject_area": course.subject_area, "title": course.title, "credits": course.credits}:
        agreement_draft(contract=contract)  # the courseload the agreement states changed
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
        "old": shown_date(old_due),
    }
    contract.save()
    agreement_draft(contract=contract)  # a new end date: the next version needs signing again
    return contract


def contracts_expire_overdue(*, today: date) -> int:
    """Mark active contracts past their due date with courses unfinished as expired; returns how many."""
    with transaction.atomic():
        # Lock the overdue contracts: a course result saved meanwhile either lands first (and the
        # contract completes) or waits and finds it expired; never both.
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
