"""Downloads: the list's scope and filters, the role's columns, formulas made inert, fixed queries."""

import csv
import io
from datetime import date, time
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from programs.models import Attendance, Participation, Session
from students.models import Referral, SupportProfile
from students.services import enrollment_exit
from tests.factories import CohortFactory, EnrollmentFactory, PartnerFactory
from tests.matrix import matrix

pytestmark = pytest.mark.django_db


def url(name, fmt="csv", **query):
    return reverse("export", args=[name, fmt]) + (f"?{urlencode(query)}" if query else "")


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


STUDENT_ROLES = matrix(admin=200, staff=200, counselor=200, teacher=200, other_teacher=200)


@pytest.mark.parametrize(("role", "status"), STUDENT_ROLES)
@pytest.mark.parametrize("name", ["students", "enrollments", "contracts", "alumni", "referrals"])
def test_student_lists_download_permissions(as_role, student, name, role, status):
    assert as_role(role).get(url(name)).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(admin=200, staff=200, counselor=200, teacher=200, teaching_artist=200, other_teacher=200),
)
@pytest.mark.parametrize("name", ["sessions", "attendance"])
def test_session_lists_download_permissions(as_role, name, role, status):
    assert as_role(role).get(url(name)).status_code == status


def test_unknown_lists_formats_and_methods_are_refused(as_role):
    client = as_role("staff")
    assert client.get(url("salaries")).status_code == 404
    assert client.get(url("students", "pdf")).status_code == 404
    assert client.post(url("students")).status_code == 405


def test_a_teacher_downloads_only_their_students_and_never_support_flags(
    as_role, student, other_site, other_teacher
):
    EnrollmentFactory(site=other_site, teacher=other_teacher)
    SupportProfile.objects.filter(student=student).update(on_probation=True)
    teacher_rows = rows(as_role("teacher").get(url("students")))
    assert [r["ID"] for r in teacher_rows] == [str(student.pk)]
    assert not any("probation" in column.lower() for column in teacher_rows[0])
    staff_rows = rows(as_role("staff").get(url("students")))
    assert len(staff_rows) == 2
    assert {r["On probation"] for r in staff_rows} == {"Yes", "No"}  # words, not 1 and 0


def test_the_list_filters_apply_to_the_download(as_role, student, site, teacher):
    EnrollmentFactory(site=site, teacher=teacher, student__grade=9)
    downloaded = rows(as_role("staff").get(url("students", grade=student.grade)))
    assert [r["ID"] for r in downloaded] == [str(student.pk)]


def test_cells_that_would_run_as_formulas_are_made_inert(as_role, student):
    student.first_name = '=HYPERLINK("http://evil.example","click")'
    student.last_name = "+1-555"
    student.save()
    (row,) = rows(as_role("staff").get(url("students")))
    assert row["First name"] == "'" + student.first_name
    assert row["Last name"] == "'+1-555"


def test_xlsx_downloads_open_as_a_workbook(as_role, student):
    response = as_role("staff").get(url("students", "xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=2).value == student.first_name
    assert "attachment" in response["Content-Disposition"]


def test_alumni_contacts_only_for_staff(as_role, student, enrollment):
    enrollment_exit(enrollment=enrollment, ended_on=date(2026, 9, 30), exit_reason="graduated")
    assert "Phone" in rows(as_role("staff").get(url("alumni")))[0]
    assert "Phone" not in (rows(as_role("teacher").get(url("alumni"))) or [{}])[0]


def test_an_artist_downloads_only_their_cohorts_attendance(as_role, users, site, teacher):
    mine = CohortFactory(site=site, teaching_artists=[users["teaching_artist"]])
    theirs = CohortFactory(site=site)
    for cohort in (mine, theirs):
        session = Session.objects.create(
            cohort=cohort, date=date(2026, 10, 5), starts_at=time(15), duration_minutes=60
        )
        p = Participation.objects.create(
            cohort=cohort,
            student=EnrollmentFactory(site=site, teacher=teacher).student,
            joined_on=date(2026, 9, 14),
        )
        Attendance.objects.create(session=session, participation=p, mark="P")
    downloaded = rows(as_role("teaching_artist").get(url("attendance")))
    assert len(downloaded) == 1


def test_student_download_queries_do_not_grow_with_rows(as_role, site, teacher, django_assert_num_queries):
    client = as_role("staff")
    EnrollmentFactory.create_batch(2, site=site, teacher=teacher)
    # session, user, groups, students with their support profiles (read once, not page by page), and
    # their open enrollments (one query per 2,000 students); +1: the read audit's one INSERT (the file
    # holds support flags)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(5 + 1) as first:
        client.get(url("students"))
    EnrollmentFactory.create_batch(20, site=site, teacher=teacher)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url("students"))
    assert len(rows(response)) == 22


def test_referral_downloads_carry_the_funnel_but_no_contacts(as_role, users):
    Referral.objects.create(
        source=PartnerFactory(),
        first_name="Yesenia",
        last_name="Ortiz",
        date_of_birth=date(2008, 2, 2),
        phone="(323) 555-9999",
        received_on=date(2026, 10, 1),
        counselor=users["counselor"],
    )
    (row,) = rows(as_role("counselor").get(url("referrals")))
    assert row["First name"] == "Yesenia" and row["Status"] == "Received"  # the label, not the code
    assert "555-9999" not in ",".join(row.values())
    assert rows(as_role("teacher").get(url("referrals"))) == []
    assert rows(as_role("counselor").get(url("referrals", status="enrolled"))) == []


@pytest.mark.parametrize("name", ["students", "enrollments", "contracts", "sessions", "attendance", "alumni"])
def test_headers_are_labels_in_the_readers_language(as_role, client, student, name):
    header_en = as_role("staff").get(url(name)).content.decode().splitlines()[0]
    assert "_" not in header_en and header_en.startswith("ID,")
    client.cookies["django_language"] = "es"
    header_es = client.get(url(name)).content.decode().splitlines()[0]
    assert header_es != header_en and "_" not in header_es


def test_an_excel_download_reads_like_the_page(as_role, site, teacher, open_contract):
    teacher.first_name, teacher.last_name = "Ana", "Rivera"
    teacher.save()
    student = EnrollmentFactory(site=site, teacher=teacher, student__language="es").student
    open_contract(student, started_on=date(2026, 9, 14), credits=[5, 5])
    sheet = load_workbook(io.BytesIO(as_role("staff").get(url("contracts", fmt="xlsx")).content)).active
    assert sheet.title == "Contracts"
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    cells = dict(zip(header, row, strict=True))
    assert cells["Teacher"] == "Ana Rivera"  # the person, not their login
    assert cells["Status"] == "Active"
    assert cells["Credits planned"] == 10  # a number Excel can add up, not text
    assert cells["Start date"].date() == date(2026, 9, 14)  # a date cell, not text
    assert cells["Pace"] in {"On track", "Behind", "At risk"}
    assert isinstance(cells["Instructional days left"], int)
    students = load_workbook(io.BytesIO(as_role("staff").get(url("students", fmt="xlsx")).content)).active
    header = [c.value for c in students[1]]
    values = dict(zip(header, [c.value for c in students[2]], strict=True))
    assert values["Language"] == "Spanish" and values["Status"] == "Enrolled"
