"""Alumni pages: permission matrix, contact details on a need-to-know basis, bad input, queries."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from alumni.models import Alumnus, CheckIn
from alumni.services import check_in_record
from programs.models import Certification, Credential, Participation, Pathway, PathwayStep
from students.models import ExitReason
from students.services import enrollment_exit
from tests.factories import CohortFactory, EnrollmentFactory, ProgramFactory
from tests.matrix import matrix

pytestmark = pytest.mark.django_db

SEES = matrix(
    admin=200, staff=200, counselor=200, teacher=200, other_teacher=404, teaching_artist=404, no_role=404
)
STAFF_ONLY = matrix(
    admin=200, staff=200, counselor=200, teacher=403, other_teacher=404, teaching_artist=404, no_role=404
)


@pytest.mark.parametrize(
    ("role", "status"), matrix(admin=200, staff=200, counselor=200, teacher=200, other_teacher=200)
)
def test_alumni_list_and_outcomes_permissions(as_role, graduate, role, status):
    client = as_role(role)
    assert client.get(reverse("alumni:list")).status_code == status
    assert client.get(reverse("alumni:outcomes")).status_code == status


@pytest.mark.parametrize(("role", "status"), matrix(admin=200, staff=200, counselor=200))
def test_my_alumni_permissions(as_role, graduate, role, status):
    assert as_role(role).get(reverse("alumni:mine")).status_code == status


@pytest.mark.parametrize(("role", "status"), SEES)
def test_alumnus_detail_permissions(as_role, graduate, role, status):
    assert as_role(role).get(reverse("alumni:detail", args=[graduate.pk])).status_code == status


@pytest.mark.parametrize("name", ["alumni:update", "alumni:check_in_create"])
@pytest.mark.parametrize(("role", "status"), STAFF_ONLY)
def test_alumnus_edit_permissions(as_role, graduate, name, role, status):
    assert as_role(role).get(reverse(name, args=[graduate.pk])).status_code == status


def test_alumni_pages_refuse_other_methods(as_role, graduate):
    client = as_role("staff")
    assert client.post(reverse("alumni:list")).status_code == 405
    assert client.post(reverse("alumni:detail", args=[graduate.pk])).status_code == 405


@pytest.mark.parametrize(("role", "sees_contact"), [("staff", True), ("counselor", True), ("teacher", False)])
def test_contact_details_are_for_staff_and_the_assigned_contact(as_role, graduate, role, sees_contact):
    page = as_role(role).get(reverse("alumni:detail", args=[graduate.pk])).content.decode()
    assert ("555-4242" in page) is sees_contact
    assert ("grad@example.org" in page) is sees_contact


def test_a_staff_member_records_a_check_in_and_the_cadence_schedules_the_next(as_role, graduate):
    data = {
        "date": "2025-07-10",
        "method": "call",
        "reached": "on",
        "outcome": "college",
        "notes": "Enrolled at ELAC",
    }
    response = as_role("staff").post(reverse("alumni:check_in_create", args=[graduate.pk]), data)
    assert response.status_code == 302
    graduate.refresh_from_db()
    assert (graduate.current_outcome, graduate.next_check_in_on) == ("college", date(2025, 8, 9))


@pytest.mark.parametrize(
    "data",
    [
        {"date": "2099-01-01", "method": "call", "reached": "on", "outcome": "college"},
        {"date": "2025-07-10", "method": "pigeon", "reached": "on", "outcome": "college"},
        {
            "date": "2025-07-10",
            "method": "call",
            "reached": "on",
            "outcome": "college",
            "next_due_on": "2025-07-01",
        },
        {"date": "", "method": "call", "outcome": "college"},
    ],
)
def test_a_bad_check_in_is_refused_and_nothing_written(as_role, graduate, data):
    response = as_role("staff").post(reverse("alumni:check_in_create", args=[graduate.pk]), data)
    assert response.status_code == 200
    assert not CheckIn.objects.exists()


def test_withdrawing_consent_keeps_the_history_and_leaves_the_due_lists(as_role, graduate, users):
    check_in_record(
        alumnus=graduate,
        date=date(2025, 7, 10),
        staff=users["staff"],
        method="call",
        reached=True,
        outcome="college",
    )
    client = as_role("staff")
    assert len(client.get(reverse("alumni:mine")).context["overdue"]) == 1
    data = {
        "phone": "",
        "email": "",
        "address": "",
        "language": "en",
        "plans": "",
        "staff_contact": users["staff"].pk,
    }
    assert client.post(reverse("alumni:update", args=[graduate.pk]), data).status_code == 302
    graduate.refresh_from_db()
    assert not graduate.consents_to_contact
    assert CheckIn.objects.filter(alumnus=graduate).count() == 1
    assert client.get(reverse("alumni:mine")).context["overdue"] == []


def test_staff_reassign_the_staff_contact(as_role, graduate, users):
    data = {
        "phone": "1",
        "email": "",
        "address": "",
        "language": "es",
        "plans": "",
        "consents_to_contact": "on",
        "staff_contact": users["counselor"].pk,
    }
    assert as_role("staff").post(reverse("alumni:update", args=[graduate.pk]), data).status_code == 302
    graduate.refresh_from_db()
    assert graduate.staff_contact == users["counselor"]


def test_a_teacher_cannot_be_made_a_staff_contact(as_role, graduate, users):
    data = {"language": "en", "consents_to_contact": "on", "staff_contact": users["teacher"].pk}
    response = as_role("staff").post(reverse("alumni:update", args=[graduate.pk]), data)
    assert "Select a valid choice" in response.content.decode()


def test_the_list_filters_by_year_outcome_and_overdue(as_role, graduate, site, teacher):
    other = EnrollmentFactory(site=site, teacher=teacher, started_on=date(2024, 9, 3))
    enrollment_exit(enrollment=other, ended_on=date(2026, 6, 12), exit_reason=ExitReason.GRADUATED)
    client = as_role("staff")

    def rows(**q):
        return [a.pk for a in client.get(reverse("alumni:list"), q).context["page"]]

    assert rows(year=2025) == [graduate.pk]
    assert rows(current_outcome="college") == []
    assert graduate.pk in rows(overdue="true")
    assert rows(site=site.pk, year=2026) == [Alumnus.objects.get(student=other.student).pk]
    assert graduate.pk not in rows(overdue="false")
    assert client.get(reverse("alumni:list"), {"year": "abc"}).status_code == 200


def test_the_list_filters_by_a_pathway_the_graduate_finished_a_program_of(as_role, graduate, site):
    pathway = Pathway.objects.create(name="Stagecraft Technical Theatre")
    program = ProgramFactory(name="Stagecraft 1")
    PathwayStep.objects.create(pathway=pathway, program=program, position=1)
    Participation.objects.create(
        cohort=CohortFactory(site=site, program=program),
        student=graduate.student,
        joined_on=date(2025, 1, 6),
        status=Participation.Status.COMPLETED,
        ended_on=date(2025, 5, 30),
    )
    elsewhere = Pathway.objects.create(name="Digital Media")
    client = as_role("staff")

    def rows(**q):
        return [a.pk for a in client.get(reverse("alumni:list"), q).context["page"]]

    assert rows(pathway=pathway.pk) == [graduate.pk]
    assert rows(pathway=elsewhere.pk) == []


def test_graduating_from_the_exit_page_opens_the_alumni_record(as_role, enrollment):
    data = {"ended_on": "2026-06-12", "exit_reason": "graduated", "diploma": "ged", "notes": "Trade school"}
    client = as_role("staff")
    unconfirmed = client.post(reverse("students:exit", args=[enrollment.pk]), data)
    assert "confirm_graduation" in unconfirmed.context["form"].errors
    assert not Alumnus.objects.exists()
    data["confirm_graduation"] = "on"
    assert client.post(reverse("students:exit", args=[enrollment.pk]), data).status_code == 302
    assert Alumnus.objects.get(student=enrollment.student).diploma == "ged"


def test_alumni_list_queries_do_not_grow_with_rows(as_role, site, teacher, django_assert_num_queries):
    def graduate_some(n):
        for e in EnrollmentFactory.create_batch(n, site=site, teacher=teacher, started_on=date(2023, 9, 5)):
            enrollment_exit(enrollment=e, ended_on=date(2025, 6, 12), exit_reason=ExitReason.GRADUATED)

    client = as_role("staff")
    graduate_some(2)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    # 7 for the page (the site picker's options: the sites' version, then the sites), 1 for the bell
    with django_assert_num_queries(9) as first:
        client.get(reverse("alumni:list"))
    graduate_some(10)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("alumni:list"))


def test_outcomes_page_queries_do_not_grow_with_alumni(
    as_role, site, teacher, users, django_assert_num_queries
):
    def graduate_some(n, year):
        for e in EnrollmentFactory.create_batch(n, site=site, teacher=teacher, started_on=date(2023, 9, 5)):
            enrollment_exit(enrollment=e, ended_on=date(year, 6, 12), exit_reason=ExitReason.GRADUATED)
            alumnus = Alumnus.objects.get(student=e.student)
            check_in_record(
                alumnus=alumnus,
                date=date(year, 8, 1),
                staff=users["staff"],
                method="call",
                reached=True,
                outcome="college",
            )

    client = as_role("staff")
    graduate_some(2, 2024)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(5) as first:  # the outcomes of every year and horizon in one, the bell
        client.get(reverse("alumni:outcomes"))
    graduate_some(5, 2025)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("alumni:outcomes"))
    assert [row.year for row in response.context["rows"]] == [2025, 2024]


def test_the_alumnus_page_keeps_what_they_finished_with_us(as_role, graduate):
    certification = Certification.objects.create(name="OSHA 10", issuer="OSHA")
    Credential.objects.create(
        student=graduate.student, certification=certification, earned_on=date(2025, 5, 1)
    )
    page = as_role("staff").get(reverse("alumni:detail", args=[graduate.pk])).content.decode()
    assert "OSHA 10" in page
    assert "of 210 credits" in page
