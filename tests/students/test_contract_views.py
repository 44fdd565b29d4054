"""Contract pages: permission matrix (teaching artists never see contracts), bad input, queries."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from students.models import Contract, ContractCourse, IndependentStudyPolicy
from students.services import (
    assignment_create,
    assignment_evaluate,
    assignment_hand_in,
    contract_course_resolve,
    review_open_if_due,
)
from students.views import contracts as contract_views
from tests.factories import EnrollmentFactory
from tests.matrix import matrix

pytestmark = pytest.mark.django_db

TEACHERS_AND_STAFF = matrix(
    admin=200, staff=200, counselor=200, teacher=200, other_teacher=404, teaching_artist=404, no_role=404
)


@pytest.fixture
def contract(student, open_contract):
    return open_contract(student, date(2026, 9, 14))


@pytest.mark.parametrize(
    ("role", "status"), matrix(admin=200, staff=200, counselor=200, teacher=200, other_teacher=200)
)
def test_contract_list_permissions(as_role, contract, role, status):
    assert as_role(role).get(reverse("students:contract_list")).status_code == status


@pytest.mark.parametrize(("role", "status"), TEACHERS_AND_STAFF)
def test_contract_create_permissions(as_role, student, role, status):
    assert as_role(role).get(reverse("students:contract_create", args=[student.pk])).status_code == status


@pytest.mark.parametrize("name", ["students:contract_detail", "students:contract_course_add"])
@pytest.mark.parametrize(("role", "status"), TEACHERS_AND_STAFF)
def test_contract_page_permissions(as_role, contract, name, role, status):
    assert as_role(role).get(reverse(name, args=[contract.pk])).status_code == status


@pytest.mark.parametrize(("role", "status"), TEACHERS_AND_STAFF)
def test_course_resolve_permissions(as_role, contract, role, status):
    url = reverse("students:contract_course_resolve", args=[contract.pk, contract.courses.first().pk])
    assert as_role(role).get(url).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(
        admin=200, staff=200, counselor=200, teacher=403, other_teacher=404, teaching_artist=404, no_role=404
    ),
)
def test_contract_extend_permissions(as_role, contract, role, status):
    assert as_role(role).get(reverse("students:contract_extend", args=[contract.pk])).status_code == status


def test_contract_pages_refuse_other_methods(as_role, contract):
    client = as_role("staff")
    assert client.post(reverse("students:contract_list")).status_code == 405
    assert client.post(reverse("students:contract_detail", args=[contract.pk])).status_code == 405


def test_a_teaching_artist_sees_no_contracts_or_credits_anywhere(as_role, contract):
    client = as_role("teaching_artist")
    assert client.get(reverse("students:contract_list")).status_code == 403
    assert "Contracts" not in client.get(reverse("home")).content.decode()


def test_a_teacher_cannot_change_a_closed_contract_but_staff_can(as_role, contract, users):
    course = contract.courses.first()
    for other in contract.courses.all():
        contract_course_resolve(
            course=other, status="completed", grade="B", resolved_on=date(2026, 10, 1), by=users["staff"]
        )
    url = reverse("students:contract_course_add", args=[contract.pk])
    assert as_role("teacher").get(url).status_code == 403
    assert as_role("staff").get(url).status_code == 200
    assert course.pk


def course_rows(*rows):
    data = {
        "courses-TOTAL_FORMS": str(len(rows)),
        "courses-INITIAL_FORMS": "0",
        "courses-MIN_NUM_FORMS": "1",
        "courses-MAX_NUM_FORMS": "12",
    }
    for n, (area, title, credits) in enumerate(rows):
        data.update(
            {f"courses-{n}-subject_area": area, f"courses-{n}-title": title, f"courses-{n}-credits": credits}
        )
    return data


def test_a_teacher_opens_a_contract_with_its_courseload(as_role, student):
    data = {
        "started_on": "2026-09-14",
        **course_rows(("english", "English 11A", "5"), ("math", "Algebra 1B", "5"), ("", "", "")),
    }
    response = as_role("teacher").post(reverse("students:contract_create", args=[student.pk]), data)
    contract = Contract.objects.get(student=student)
    assert response.url == reverse("students:contract_detail", args=[contract.pk])
    assert contract.due_on == date(2027, 1, 1)
    assert sorted(contract.courses.values_list("title", flat=True)) == ["Algebra 1B", "English 11A"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"started_on": "2026-09-14", **course_rows(("", "", ""))}, "Please submit at least 1 form"),
        (
            {"started_on": "2026-09-14", **course_rows(("english", "English", "0"))},
            "greater than or equal to 0.5",
        ),
        (
            {"started_on": "2026-09-14", **course_rows(("english", "English", "11"))},
            "less than or equal to 10",
        ),
        ({"started_on": "2026-09-14", **course_rows(("klingon", "English", "5"))}, "Select a valid choice"),
        ({"started_on": "2026-02-30", **course_rows(("english", "English", "5"))}, "Enter a valid date"),
        ({"started_on": "2026-08-01", **course_rows(("english", "English", "5"))}, "cannot start before"),
        (
            {
                "started_on": "2026-09-14",
                **course_rows(("english", "English", "5")),
                "courses-TOTAL_FORMS": "100000",
            },
            "Please submit at most 12 forms",
        ),
    ],
)
def test_it_refuses_a_bad_contract_and_writes_nothing(as_role, student, data, message):
    response = as_role("teacher").post(reverse("students:contract_create", args=[student.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Contract.objects.exists() and not ContractCourse.objects.exists()


def test_a_second_active_contract_is_refused_with_a_message(as_role, contract, student):
    data = {"started_on": "2026-09-14", **course_rows(("english", "English", "5"))}
    response = as_role("teacher").post(reverse("students:contract_create", args=[student.pk]), data)
    assert "already has an open contract" in response.content.decode()
    assert Contract.objects.count() == 1


def test_a_teacher_records_a_result_and_credits_follow(as_role, contract, student):
    course = contract.courses.first()
    url = reverse("students:contract_course_resolve", args=[contract.pk, course.pk])
    response = as_role("teacher").post(
        url, {"status": "completed", "grade": "B", "resolved_on": "2026-10-01"}
    )
    assert response.status_code == 302
    page = as_role("teacher").get(reverse("students:detail", args=[student.pk]))
    assert page.context["student"].credits_earned == 125


@pytest.mark.parametrize(
    "data",
    [
        {"status": "completed", "grade": "F", "resolved_on": "2026-10-01"},
        {"status": "completed", "grade": "B", "resolved_on": "2099-10-01"},
        {"status": "maybe", "grade": "B", "resolved_on": "2026-10-01"},
        {"status": "completed", "grade": "B", "resolved_on": ""},
    ],
)
def test_it_refuses_a_bad_result(as_role, contract, data):
    course = contract.courses.first()
    url = reverse("students:contract_course_resolve", args=[contract.pk, course.pk])
    assert as_role("teacher").post(url, data).status_code == 200
    course.refresh_from_db()
    assert course.status == "in_progress"


def test_staff_extend_a_contract_and_the_page_says_why(as_role, contract):
    url = reverse("students:contract_extend", args=[contract.pk])
    response = as_role("staff").post(url, {"days": "5", "reason": "Family emergency"})
    assert response.status_code == 302
    page = as_role("staff").get(reverse("students:contract_detail", args=[contract.pk])).content.decode()
    assert "Extended by 5 instructional days" in page
    assert "Family emergency" in page


@pytest.mark.parametrize(
    "data", [{"days": "0", "reason": "x"}, {"days": "99", "reason": "x"}, {"days": "3", "reason": ""}]
)
def test_it_refuses_a_bad_extension(as_role, contract, data):
    assert (
        as_role("staff").post(reverse("students:contract_extend", args=[contract.pk]), data).status_code
        == 200
    )
    contract.refresh_from_db()
    assert contract.extension_days == 0


def test_the_contract_page_shows_pace_in_words(as_role, contract):
    page = as_role("teacher").get(reverse("students:contract_detail", args=[contract.pk])).content.decode()
    assert "instructional days" in page
    assert "days left" in page


def test_the_list_filters_by_status_pace_and_due_date(
    as_role, contract, open_contract, site, teacher, freezer=None
):
    late = open_contract(EnrollmentFactory(site=site, teacher=teacher).student, date(2026, 11, 2))
    client = as_role("staff")
    rows = lambda **q: [c.pk for c in client.get(reverse("students:contract_list"), q).context["page"]]  # noqa: E731
    assert set(rows()) == {contract.pk, late.pk}
    assert rows(status="completed") == []
    assert set(rows(status="active")) == {contract.pk, late.pk}
    due_soonest = min([contract, late], key=lambda c: c.due_on)
    days = (due_soonest.due_on - timezone.localdate()).days
    assert rows(due_within=str(max(days, 0))) == [due_soonest.pk]
    paced = client.get(reverse("students:contract_list"), {"pace": "at_risk"}).context["page"]
    assert all(c.pace.status == "at_risk" for c in paced)


def test_contract_list_queries_do_not_grow_with_rows(
    as_role, open_contract, site, teacher, django_assert_num_queries
):
    client = as_role("staff")
    for _ in range(2):
        open_contract(EnrollmentFactory(site=site, teacher=teacher).student)
    # session, user, groups, count, the page of contracts with credits, closures, the pickers' version
    # (sites and people), filter sites, filter teachers, bell; from the cache: session, groups, bell and
    # the pickers' options (tests/artworx/test_layout_cache.py)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(10) as first:
        client.get(reverse("students:contract_list"))
    for _ in range(10):
        open_contract(EnrollmentFactory(site=site, teacher=teacher).student)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("students:contract_list"))


def test_contract_list_filtered_by_pace_queries_do_not_grow_with_rows(
    as_role, open_contract, site, teacher, django_assert_num_queries
):
    client = as_role("staff")
    for _ in range(2):
        open_contract(EnrollmentFactory(site=site, teacher=teacher).student, date(2026, 9, 14))
    # session, user, groups, the candidates' pace inputs, their closures, count, the page of
    # contracts, the page's closures, the pickers' version, filter sites, filter teachers, bell
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(12) as first:
        client.get(reverse("students:contract_list"), {"pace": "at_risk"})
    for _ in range(10):
        open_contract(EnrollmentFactory(site=site, teacher=teacher).student, date(2026, 9, 14))
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        page = client.get(reverse("students:contract_list"), {"pace": "at_risk"}).context["page"]
    assert page.paginator.count == 12


def test_teacher_home_queries_do_not_grow_with_contracts(
    as_role, open_contract, site, teacher, django_assert_num_queries
):
    client = as_role("teacher")
    open_contract(EnrollmentFactory(site=site, teacher=teacher).student)
    # 10 for the page, 1 for the open items of the Today summary, 1 for the bell's count
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(12) as first:
        client.get(reverse("home"))
    for _ in range(8):
        open_contract(EnrollmentFactory(site=site, teacher=teacher).student)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        page = client.get(reverse("home"))
    assert sum(1 for s in page.context["caseload"] for c in s.active_contracts if c.pace) == 9


@pytest.fixture
def pending(student, open_contract):
    return open_contract(student, date(2026, 12, 7), signed=False)


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(admin=200, staff=200, counselor=200, other_teacher=404, teaching_artist=404, no_role=404),
)
def test_contract_cancel_permissions(as_role, pending, role, status):
    assert as_role(role).get(reverse("students:contract_cancel", args=[pending.pk])).status_code == status


def test_staff_cancel_a_contract_not_started_with_a_reason(as_role, pending):
    client = as_role("staff")
    page = client.get(reverse("students:contract_detail", args=[pending.pk]))
    assert reverse("students:contract_cancel", args=[pending.pk]) in page.content.decode()
    url = reverse("students:contract_cancel", args=[pending.pk])
    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    pending.refresh_from_db()
    assert pending.status != Contract.Status.CANCELLED
    done = client.post(url, {"reason": "Chose the classroom"}, follow=True)
    pending.refresh_from_db()
    assert pending.status == Contract.Status.CANCELLED
    assert "Cancelled before it started: Chose the classroom" in done.content.decode()
    assert url not in done.content.decode()  # no second cancel button


def test_a_started_contract_cannot_be_cancelled_and_shows_no_button(as_role, contract):
    client = as_role("staff")
    url = reverse("students:contract_cancel", args=[contract.pk])
    assert url not in client.get(reverse("students:contract_detail", args=[contract.pk])).content.decode()
    response = client.post(url, {"reason": "Changed mind"}, follow=True)
    assert "Only a contract that has not started can be cancelled." in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE


def test_the_contract_page_queries_do_not_grow_with_its_work_and_reviews(
    as_role, contract, django_assert_num_queries
):
    course = contract.courses.first()
    IndependentStudyPolicy.objects.update_or_create(pk=1, defaults={"missed_assignments_for_review": 2})

    def work(n, *, evaluated):
        with time_machine.travel(date(2026, 10, 30), tick=False):
            for i in range(n):
                assignment = assignment_create(
                    contract=contract,
                    course=course,
                    title=f"Piece {i}",
                    assigned_on=date(2026, 9, 14),
                    due_on=date(2026, 9, 18),
                    by=contract.teacher,
                )
                if evaluated:
                    assignment_hand_in(
                        assignment=assignment, handed_in_on=date(2026, 9, 17), by=contract.teacher
                    )
                    assignment_evaluate(
                        assignment=assignment, evaluation="B", days=Decimal(1), by=contract.teacher
                    )

    work(1, evaluated=True)
    client, url = as_role("teacher"), reverse("students:contract_detail", args=[contract.pk])
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    work(6, evaluated=True)
    work(4, evaluated=False)
    review_open_if_due(contract=contract, today=date(2026, 9, 21))
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        page = client.get(url)
    assert page.context["register"]["total_days"] == Decimal(7)
    assert contract.reviews.count() == 1


def test_the_contract_list_computes_pace_for_the_rows_shown_only(
    as_role, open_contract, site, teacher, monkeypatch
):

    for _ in range(contract_views.CONTRACTS_PER_PAGE + 5):
        open_contract(EnrollmentFactory(site=site, teacher=teacher).student)
    paced = []
    real = contract_views.with_pace

    def spy(rows, *, today):
        rows = real(rows, today=today)
        paced.append(len(rows))
        return rows

    monkeypatch.setattr(contract_views, "with_pace", spy)
    page = as_role("staff").get(reverse("students:contract_list")).context["page"]
    assert page.paginator.count == contract_views.CONTRACTS_PER_PAGE + 5
    assert paced == [contract_views.CONTRACTS_PER_PAGE]  # one page's rows, never all that match
    assert all(c.pace is not None for c in page)
