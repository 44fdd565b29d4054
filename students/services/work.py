"""Work product (EC 51747.5, 5 CCR 11703): assignments, the teacher's evaluation and time value, and the
review that the policy's number of missed assignments opens (EC 51747(a)(4))."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from artworx.dates import add_months
from artworx.roles import is_teacher
from sites.calendar import calendars_for_sites
from students.models import Assignment, Contract, ContractCourse, IndependentStudyPolicy, Review
from students.signals import review_opened


def _active_contract(contract: Contract) -> Contract:
    # Lock the contract: work on it and the review sweep queue here, so a review counts what was
    # written before it and the next write sees the review.
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not contract.is_active:
        raise ValidationError(
            _("Work is recorded on an active contract: this one is %(status)s.")
            % {"status": contract.get_status_display().lower()},
            code="contract_not_active",
        )
    return contract


def _not_in_future(day: date, label: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("%(label)s cannot be in the future.") % {"label": label}, code="future")


@transaction.atomic
def assignment_create(
    *, contract: Contract, course: ContractCourse, title: str, assigned_on: date, due_on: date, by
) -> Assignment:
    """Give an assignment on a course of an active contract, due no later than the policy allows."""
    contract = _active_contract(contract)
    title = " ".join((title or "").split())
    if course.contract_id != contract.pk:
        raise ValidationError(_("Choose a course of this contract."), code="course")
    if not title:
        raise ValidationError(_("Give the assignment a title."), code="title")
    if assigned_on < contract.started_on:
        raise ValidationError(
            _("An assignment cannot be given before the contract started (%(date)s).")
            % {"date": contract.started_on},
            code="before_start",
        )
    _not_in_future(assigned_on, _("The day it is assigned"))
    if due_on < assigned_on:
        raise ValidationError(_("The due date is on or after the day it is assigned."), code="due_before")
    # The board policy's longest time from assignment to due date, in school days after the assignment.
    limit = IndependentStudyPolicy.current().max_days_to_due
    calendar = calendars_for_sites([contract.site_id])[contract.site_id]
    if calendar.count(assigned_on + timedelta(days=1), due_on) > limit:
        raise ValidationError(
            _("The due date is at most %(days)d school days after the assignment (board policy).")
            % {"days": limit},
            code="due_too_far",
        )
    return Assignment.objects.create(
        contract=contract, course=course, title=title, assigned_on=assigned_on, due_on=due_on
    )


@transaction.atomic
def assignment_hand_in(*, assignment: Assignment, handed_in_on: date, by) -> Assignment:
    """Record the day the work was handed in (late work included)."""
    _active_contract(assignment.contract)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.is_evaluated:
        raise ValidationError(_("This work was already evaluated."), code="evaluated")
    if handed_in_on < assignment.assigned_on:
        raise ValidationError(
            _("Work is handed in on or after the day it is assigned."), code="before_assigned"
        )
    _not_in_future(handed_in_on, _("The day it was handed in"))
    assignment.handed_in_on = handed_in_on
    assignment.save(update_fields=["handed_in_on", "updated_at"])
    return assignment


def time_value_days(*, days: Decimal | None = None, hours: Decimal | None = None) -> Decimal:
    """A time value in instructional days, from days or from hours (a day is ARTWORX_DAY_MINUTES)."""
    if (days is None) == (hours is None):
        raise ValidationError(_("Give the time value in days or in hours."), code="time_value")
    if hours is not None:
        days = Decimal(hours) * 60 / settings.ARTWORX_DAY_MINUTES
    return Decimal(days).quantize(Decimal("0.01"))


@transaction.atomic
def assignment_evaluate(
    *, assignment: Assignment, evaluation: str, days: Decimal | None = None, hours: Decimal | None = None, by
) -> Assignment:
    """The teacher's evaluation of handed-in work and the time value it earns: the only way work counts."""
    contract = _active_contract(assignment.contract)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    # EC 51747.5: attendance credit comes from work product judged by a certificated teacher.
    if not is_teacher(by):
        raise ValidationError(_("Only a teacher evaluates work for credit."), code="not_teacher")
    if assignment.handed_in_on is None:
        raise ValidationError(
            _("Record when the work was handed in before evaluating it."), code="not_handed_in"
        )
    if assignment.is_evaluated:
        raise ValidationError(_("This work was already evaluated."), code="evaluated")
    evaluation = (evaluation or "").strip()
    if not evaluation:
        raise ValidationError(_("Give the grade or mark."), code="evaluation")
    credited = time_value_days(days=days, hours=hours)
    limit = IndependentStudyPolicy.current().max_days_to_due
    if not (0 <= credited <= limit):
        raise ValidationError(
            _("The time value is between 0 and %(days)d days.") % {"days": limit}, code="time_value"
        )
    assignment.evaluation, assignment.credited_days = evaluation[:20], credited
    assignment.evaluated_by, assignment.evaluated_at = by, timezone.now()
    assignment.save()
    contract.save(update_fields=["updated_at"])
    return assignment


@transaction.atomic
def review_open_if_due(*, contract: Contract, today: date) -> Review | None:
    """Open a review when the missed assignments not yet reviewed reach the policy's number."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    policy = IndependentStudyPolicy.current()
    if not contract.is_active or contract.reviews.filter(status=Review.Status.OPEN).exists():
        return None
    unreviewed = contract.assignments.missed(today=today).filter(review__isnull=True)
    missed = list(unreviewed.values_list("pk", flat=True))
    if len(missed) < policy.missed_assignments_for_review:
        return None
    review = Review.objects.create(
        contract=contract,
        opened_on=today,
        missed_count=len(missed),
        keep_until=add_months(today, 12 * policy.review_retention_years),
    )
    Assignment.objects.filter(pk__in=missed).update(review=review)
    review_opened.send(sender=Review, review=review)  # the family is told (families.receivers)
    return review


@transaction.atomic
def review_decide(*, review: Review, best_interest: bool, findings: str, changes: str, by) -> Review:
    """The teacher's written findings: is independent study still in the student's best interest, and
    what changes. Decided once: the record is kept as written."""
    review = Review.objects.select_for_update().select_related("contract").get(pk=review.pk)
    if review.status != Review.Status.OPEN:
        raise ValidationError(_("This review was already decided."), code="decided")
    if not is_teacher(by):
        raise ValidationError(_("The supervising teacher decides a review."), code="not_teacher")
    if best_interest is None:
        raise ValidationError(
            _("Say whether independent study is still in the student's best interest."), code="decision"
        )
    if not (findings or "").strip():
        raise ValidationError(_("Write the findings."), code="findings")
    review.best_interest, review.findings = best_interest, findings.strip()
    review.changes = (changes or "").strip()
    review.status, review.decided_by, review.decided_at = Review.Status.DECIDED, by, timezone.now()
    review.save()
    return review
