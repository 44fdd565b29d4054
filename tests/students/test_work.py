"""Work product: assignments, the teacher's evaluation, the credit register, missed-work reviews and the
re-engagement item."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from artworx import roles
from notifications.models import Notification
from sites.models import Site
from students.models import Assignment, IndependentStudyPolicy, Review
from students.reminders import missed_work_reviews, reengagement
from students.selectors import contract_credit_register
from students.services import (
    assignment_create,
    assignment_evaluate,
    assignment_hand_in,
    review_decide,
    review_open_if_due,
)
from tests.factories import UserFactory
from tests.notifications.conftest import read

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 9, 14)
LA = ZoneInfo("America/Los_Angeles")


def at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=LA)


@pytest.fixture
def contract(student, open_contract):
    return open_contract(student, MONDAY)


@pytest.fixture
def course(contract):
    return contract.courses.first()


def give(contract, course, n=1, *, assigned=MONDAY, due=date(2026, 9, 18)) -> list[Assignment]:
    with time_machine.travel(at(date(2026, 10, 30)), tick=False):
        return [
            assignment_create(
                contract=contract,
                course=course,
                title=f"Essay {i}",
                assigned_on=assigned,
                due_on=due,
                by=contract.teacher,
            )
            for i in range(n)
        ]


def test_an_assignment_is_due_no_further_out_than_the_policy_allows(contract, course):
    IndependentStudyPolicy.objects.update_or_create(pk=1, defaults={"max_days_to_due": 5})
    (ok,) = give(contract, course, due=date(2026, 9, 21))  # 5 school days after Monday the 14th
    assert ok.pk
    with pytest.raises(ValidationError) as refusal:
        give(contract, course, due=date(2026, 9, 22))
    assert refusal.value.code == "due_too_far"
    assert Assignment.objects.count() == 1


def test_an_assignment_needs_an_active_contract_and_its_own_course(student, open_contract, other_teacher):
    draft = open_contract(student, MONDAY, signed=False)
    with pytest.raises(ValidationError) as refusal:
        give(draft, draft.courses.first())
    assert refusal.value.code == "contract_not_active"


def test_the_register_totals_only_work_a_teacher_evaluated(contract, course, users):
    first, second, third = give(contract, course, 3)
    with time_machine.travel(at(date(2026, 9, 25)), tick=False):
        for assignment in (first, second, third):
            assignment_hand_in(assignment=assignment, handed_in_on=date(2026, 9, 17), by=contract.teacher)
        assignment_evaluate(assignment=first, evaluation="B+", days=Decimal(2), by=contract.teacher)
        assignment_evaluate(assignment=second, evaluation="Pass", hours=Decimal(9), by=contract.teacher)
        with pytest.raises(ValidationError) as refusal:  # program staff are not the certificated teacher
            assignment_evaluate(assignment=third, evaluation="A", days=Decimal(3), by=users["staff"])
    assert refusal.value.code == "not_teacher"
    register = contract_credit_register(contract=contract)
    assert [a.title for a in register["credited"]] == ["Essay 0", "Essay 1"]
    assert register["total_days"] == Decimal("5.00")  # 2 days + 9 hours of 180 minutes (3 days)


def test_work_not_handed_in_cannot_be_credited(contract, course):
    (assignment,) = give(contract, course)
    with pytest.raises(ValidationError) as refusal:
        assignment_evaluate(assignment=assignment, evaluation="A", days=Decimal(1), by=contract.teacher)
    assert refusal.value.code == "not_handed_in"
    Assignment.objects.filter(pk=assignment.pk).update(handed_in_on=MONDAY)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says it too
        Assignment.objects.filter(pk=assignment.pk).update(credited_days=Decimal(1))


def test_a_review_opens_at_the_policys_number_of_missed_assignments(contract, course):
    IndependentStudyPolicy.objects.update_or_create(pk=1, defaults={"missed_assignments_for_review": 3})
    give(contract, course, 2)
    after_due = date(2026, 9, 21)
    assert review_open_if_due(contract=contract, today=after_due) is None  # two missed: not yet
    give(contract, course, 1)
    review = review_open_if_due(contract=contract, today=after_due)
    assert review.missed_count == 3 and review.status == "open"
    assert review.keep_until == date(2029, 9, 21)  # kept three years
    assert review_open_if_due(contract=contract, today=after_due) is None  # one open review at a time
    assert Review.objects.count() == 1


def test_the_sweep_opens_the_review_once_and_tells_the_teacher_and_the_site_counselor(
    contract, course, users
):
    # Responsibility (issue #23): the site's counselor, never every counselor.
    Site.objects.filter(pk=contract.site_id).update(counselor=users["counselor"])
    UserFactory(role=roles.COUNSELOR)
    give(contract, course, 3)
    assert missed_work_reviews(now=at(date(2026, 9, 21))) == 2  # the teacher and the counselor
    assert missed_work_reviews(now=at(date(2026, 9, 22))) == 0
    recipients = set(
        Notification.objects.filter(kind="missed_work_review").values_list("recipient", flat=True)
    )
    assert recipients == {contract.teacher.pk, users["counselor"].pk}
    assert Review.objects.get().missed_count == 3


def test_the_teacher_records_the_decision_once(contract, course):
    give(contract, course, 3)
    review = review_open_if_due(contract=contract, today=date(2026, 9, 21))
    with pytest.raises(ValidationError) as refusal:
        review_decide(review=review, best_interest=True, findings=" ", changes="", by=contract.teacher)
    assert refusal.value.code == "findings"
    review = review_decide(
        review=review,
        best_interest=True,
        findings="Missed work during a family move; still the best option.",
        changes="Two meetings a week for a month.",
        by=contract.teacher,
    )
    assert (review.status, review.best_interest, review.decided_by) == ("decided", True, contract.teacher)
    with pytest.raises(ValidationError) as refusal:
        review_decide(review=review, best_interest=False, findings="Again", changes="", by=contract.teacher)
    assert refusal.value.code == "decided"


def test_less_than_90_percent_over_four_weeks_raises_a_re_engagement_item(contract, course, users):
    Site.objects.filter(pk=contract.site_id).update(counselor=users["counselor"])
    today = date(2026, 10, 19)  # four weeks after the contract's first week
    with time_machine.travel(at(today), tick=False):
        assignment = assignment_create(
            contract=contract, course=course, title="Portfolio", assigned_on=date(2026, 10, 5),
            due_on=date(2026, 10, 9), by=contract.teacher,
        )  # fmt: skip
        assignment_hand_in(assignment=assignment, handed_in_on=date(2026, 10, 9), by=contract.teacher)
        assignment_evaluate(assignment=assignment, evaluation="A", days=Decimal(5), by=contract.teacher)
    assert reengagement(now=at(today)) == 2  # 5 of 20 days: the teacher and the counselor
    assert reengagement(now=at(today)) == 0  # once a week
    item = Notification.objects.filter(kind="reengagement", recipient=contract.teacher).get()
    assert "25 %" in read(item)[1]


def test_enough_credited_time_raises_no_re_engagement_item(contract, course):
    today = date(2026, 10, 19)
    with time_machine.travel(at(today), tick=False):
        for start, due in ((date(2026, 9, 21), date(2026, 10, 2)), (date(2026, 10, 5), date(2026, 10, 16))):
            assignment = assignment_create(
                contract=contract, course=course, title="Unit", assigned_on=start, due_on=due,
                by=contract.teacher,
            )  # fmt: skip
            assignment_hand_in(assignment=assignment, handed_in_on=due, by=contract.teacher)
            assignment_evaluate(assignment=assignment, evaluation="B", days=Decimal(10), by=contract.teacher)
    assert reengagement(now=at(today)) == 0


def test_a_teacher_from_another_site_is_still_a_teacher_but_the_rule_is_the_services(contract, course):
    outsider = UserFactory()
    (assignment,) = give(contract, course)
    Assignment.objects.filter(pk=assignment.pk).update(handed_in_on=MONDAY)
    with pytest.raises(ValidationError):
        assignment_evaluate(assignment=assignment, evaluation="A", days=Decimal(1), by=outsider)
