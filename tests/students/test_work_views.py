"""Work pages: give, hand in and evaluate assignments, decide and print a review; permissions."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from students.models import Assignment, Review
from students.services import assignment_create, review_open_if_due
from tests.matrix import matrix

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 9, 14)
LATER = datetime(2026, 9, 25, 9, tzinfo=ZoneInfo("America/Los_Angeles"))


@pytest.fixture
def contract(student, open_contract):
    return open_contract(student, MONDAY)


@pytest.fixture
def assignment(contract):
    with time_machine.travel(LATER, tick=False):
        return assignment_create(
            contract=contract,
            course=contract.courses.first(),
            title="Essay",
            assigned_on=MONDAY,
            due_on=date(2026, 9, 18),
            by=contract.teacher,
        )


@pytest.fixture
def review(contract, assignment):
    for n in range(2):
        Assignment.objects.create(
            contract=contract, course=assignment.course, title=f"Extra {n}", assigned_on=MONDAY, due_on=MONDAY
        )
    return review_open_if_due(contract=contract, today=date(2026, 9, 21))


RECORDERS = matrix(
    admin=200, staff=200, counselor=200, teacher=200, other_teacher=404, teaching_artist=404, no_role=404
)
TEACHER_ONLY = matrix(
    admin=403, staff=403, counselor=403, teacher=200, other_teacher=404, teaching_artist=404, no_role=404
)


@pytest.mark.parametrize(("role", "status"), RECORDERS)
def test_assignment_add_permissions(as_role, contract, role, status):
    assert as_role(role).get(reverse("students:assignment_add", args=[contract.pk])).status_code == status


@pytest.mark.parametrize(("role", "status"), TEACHER_ONLY)
def test_evaluate_permissions(as_role, contract, assignment, role, status):
    url = reverse("students:assignment_evaluate", args=[contract.pk, assignment.pk])
    assert as_role(role).get(url).status_code == status


@pytest.mark.parametrize(("role", "status"), RECORDERS)
def test_review_page_permissions(as_role, contract, review, role, status):
    url = reverse("students:review_detail", args=[contract.pk, review.pk])
    assert as_role(role).get(url).status_code == status


@pytest.mark.parametrize(("role", "status"), {**dict(TEACHER_ONLY), "teacher": 302}.items())
def test_review_decide_permissions(as_role, contract, review, role, status):
    url = reverse("students:review_detail", args=[contract.pk, review.pk])
    data = {"best_interest": "yes", "findings": "Still the best option."}
    assert as_role(role).post(url, data).status_code == status


def test_hand_in_refuses_get_and_other_sites(as_role, contract, assignment):
    url = reverse("students:assignment_hand_in", args=[contract.pk, assignment.pk])
    assert as_role("teacher").get(url).status_code == 405
    assert as_role("other_teacher").post(url, {"handed_in_on": "2026-09-17"}).status_code == 404


def test_a_teacher_gives_hands_in_and_evaluates_work_and_the_page_totals_it(as_role, contract, assignment):
    client = as_role("teacher")
    with time_machine.travel(LATER, tick=False):
        client.post(
            reverse("students:assignment_hand_in", args=[contract.pk, assignment.pk]),
            {"handed_in_on": "2026-09-17"},
        )
        response = client.post(
            reverse("students:assignment_evaluate", args=[contract.pk, assignment.pk]),
            {"evaluation": "B+", "amount": "6", "unit": "hours"},
        )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.evaluation, assignment.credited_days) == ("B+", 2)
    page = client.get(reverse("students:contract_detail", args=[contract.pk])).content.decode()
    assert "2 days credited for 1 evaluated assignments" in page


def test_an_assignment_due_too_far_out_is_refused_with_a_message(as_role, contract):
    with time_machine.travel(LATER, tick=False):
        response = as_role("teacher").post(
            reverse("students:assignment_add", args=[contract.pk]),
            {
                "course": contract.courses.first().pk,
                "title": "Project",
                "assigned_on": "2026-09-14",
                "due_on": "2026-12-01",
            },
        )
    assert response.status_code == 200 and "school days after the assignment" in response.content.decode()
    assert not Assignment.objects.exists()


def test_bad_hand_in_input_is_a_message_not_an_error(as_role, contract, assignment):
    url = reverse("students:assignment_hand_in", args=[contract.pk, assignment.pk])
    response = as_role("teacher").post(url, {"handed_in_on": "not a date"}, follow=True)
    assert response.status_code == 200 and "handed in" in response.content.decode()
    assert Assignment.objects.get().handed_in_on is None


def test_the_teacher_decides_the_review_and_the_record_prints(as_role, contract, review):
    url = reverse("students:review_detail", args=[contract.pk, review.pk])
    client = as_role("teacher")
    assert client.post(url, {"best_interest": "yes", "findings": ""}).status_code == 200  # findings needed
    assert Review.objects.get().status == "open"
    client.post(url, {"best_interest": "no", "findings": "Return to the classroom.", "changes": ""})
    review.refresh_from_db()
    assert (review.status, review.best_interest) == ("decided", False)
    page = client.get(url).content.decode()
    assert "is no longer in the student" in page and "Return to the classroom." in page
    assert "kept until 09/21/2029" in page
