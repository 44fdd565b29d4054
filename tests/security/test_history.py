"""Audit history: every record the rules name keeps who changed what and when, bulk paths included."""

from datetime import date

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from alumni.models import Alumnus, CheckIn
from programs.models import Attendance, Cohort, Participation, Session
from sites.models import Closure
from students.models import Contract, ContractCourse, Enrollment, Guardian, Referral, Student, SupportProfile
from students.roster import roster_import_apply, roster_import_create
from students.services import contracts_expire_overdue
from tests.programs.conftest import cohort, participants, session  # noqa: F401 - fixtures used below

pytestmark = pytest.mark.django_db

AUDITED = [
    Student,
    SupportProfile,
    Guardian,
    Enrollment,
    Contract,
    ContractCourse,
    Session,
    Attendance,
    Referral,
    Alumnus,
    CheckIn,
    Cohort,
    Participation,
]


@pytest.mark.parametrize("model", AUDITED, ids=lambda m: m.__name__)
def test_every_record_the_rules_name_keeps_history(model):
    assert hasattr(model, "history"), f"{model.__name__} needs history = HistoricalRecords()"


@pytest.mark.parametrize("model", [m for m in AUDITED if m is not ContractCourse], ids=lambda m: m.__name__)
def test_the_admin_shows_each_records_history(model):
    assert isinstance(admin.site._registry[model], SimpleHistoryAdmin)


def test_a_roster_applied_by_a_worker_names_the_uploader_in_the_history(users, site, teacher):
    header = "district_id,first_name,last_name,date_of_birth,grade,site,teacher,started_on\n"
    content = (header + f"880001,Ana,Ruiz,2009-04-01,11,{site.name},{teacher.username},2026-11-02\n").encode()
    imported = roster_import_create(name="r.csv", content=content, by=users["staff"])
    roster_import_apply(roster_import_id=imported.pk)  # as the Celery task does: no request
    student = Student.objects.get(district_id="880001")
    assert [(h.history_type, h.history_user) for h in student.history.all()] == [("+", users["staff"])]
    enrollment = student.enrollments.get()
    assert [h.history_user for h in enrollment.history.all()] == [users["staff"]]


def test_moving_due_dates_after_a_closure_records_who_added_it(users, student, open_contract, client):
    contract = open_contract(student)
    due = contract.due_on
    client.force_login(users["admin"])
    response = client.post(
        reverse("admin:sites_closure_add"),
        {"name": "Storm", "starts_on": "2026-10-05", "ends_on": "2026-10-09", "site": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Closure.objects.filter(name="Storm").exists()
    contract.refresh_from_db()
    assert contract.due_on > due
    latest = contract.history.first()
    assert (latest.history_type, latest.history_user, latest.due_on) == ("~", users["admin"], contract.due_on)


def test_logging_attendance_records_each_mark_with_the_artist(users, as_role, session, participants):  # noqa: F811
    data = {f"mark-{p.pk}": "P" for p in participants} | {"topic": "Light"}
    as_role("teaching_artist").post(reverse("programs:session_log", args=[session.pk]), data)
    records = Attendance.history.filter(session_id=session.pk)
    assert records.count() == len(participants) == 3
    assert {r.history_user for r in records} == {users["teaching_artist"]}
    # A correction changes a mark: its own history row, by whoever corrected it.
    data[f"mark-{participants[0].pk}"] = "U"
    as_role("staff").post(reverse("programs:session_log", args=[session.pk]), data)
    changed = Attendance.history.filter(session_id=session.pk, history_type="~").get()
    assert (changed.mark, changed.history_user) == ("U", users["staff"])


def test_completing_a_cohort_records_each_participant_with_staff(users, as_role, cohort, participants):  # noqa: F811
    as_role("staff").post(reverse("programs:cohort_complete", args=[cohort.pk]))
    changed = Participation.history.filter(cohort_id=cohort.pk, history_type="~")
    assert changed.count() == 3
    assert {(r.status, r.history_user) for r in changed} == {("completed", users["staff"])}


def test_expiring_overdue_contracts_is_recorded(student, open_contract):
    contract = open_contract(student)
    assert contracts_expire_overdue(today=date(2027, 6, 1)) == 1
    latest = contract.history.first()
    assert (latest.history_type, latest.status) == ("~", "expired")


def test_the_student_page_shows_support_profile_changes_only_to_those_allowed(users, as_role, student):
    profile = student.support_profile
    profile.on_probation, profile.private_notes = True, "Court date in May"
    profile._history_user = users["counselor"]
    profile.save()
    url = reverse("students:detail", args=[student.pk])
    counselor_page = as_role("counselor").get(url).content.decode()
    assert "Support profile: on probation, private notes" in counselor_page
    staff_page = as_role("staff").get(url).content.decode()
    assert "Support profile: on probation" in staff_page and "private notes" not in staff_page
    assert "Court date" not in staff_page and "Court date" not in counselor_page.split("History")[-1]
