"""A partner-venue cohort mixes sites: each teacher sees their own students in it, and counts the others.

Every list that holds participants — the roster, its history, the attendance alerts, the attendance
and enrollments downloads — is checked as staff, as the cohort's teaching artist and as the teacher of
each site. A transfer moves the student out of the old teacher's view and into the new one's.
"""

import csv
import io
from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from artworx.exports import header
from programs.models import Attendance, Participation, Session
from students.models import Enrollment
from students.services import enrollment_exit, enrollment_transfer
from tests.factories import CohortFactory, EnrollmentFactory, PartnerFactory

pytestmark = pytest.mark.django_db
ALERTS = reverse("programs:attendance_alerts")


@pytest.fixture
def mixed(users, site, teacher, other_site, other_teacher):
    """A venue cohort holding one student of `site` and one of `other_site`, both absent three times."""
    cohort = CohortFactory(site=None, venue=PartnerFactory(), teaching_artists=[users["teaching_artist"]])
    ours = EnrollmentFactory(site=site, teacher=teacher, student__last_name="Ourside").student
    theirs = EnrollmentFactory(site=other_site, teacher=other_teacher, student__last_name="Theirside").student
    participations = {
        student.last_name: Participation.objects.create(
            cohort=cohort,
            student=student,
            joined_on=date(2026, 9, 14),
            override_reason="Portfolio seen by staff",
        )
        for student in (ours, theirs)
    }
    for n in range(3):
        session = Session.objects.create(
            cohort=cohort, date=date(2026, 10, 5) + timedelta(days=n), starts_at=time(15), duration_minutes=60
        )
        for participation in participations.values():
            Attendance.objects.create(session=session, participation=participation, mark="U")
    return cohort, participations


def roster_names(client, cohort) -> list[str]:
    response = client.get(reverse("programs:cohort_detail", kwargs={"pk": cohort.pk}))
    assert response.status_code == 200
    return [p.student.last_name for p in response.context["roster"]]


@pytest.mark.parametrize(
    ("role", "names", "others"),
    [
        ("staff", ["Ourside", "Theirside"], 0),
        ("counselor", ["Ourside", "Theirside"], 0),
        ("teaching_artist", ["Ourside", "Theirside"], 0),
        ("teacher", ["Ourside"], 1),
        ("other_teacher", ["Theirside"], 1),
    ],
)
def test_the_cohort_page_names_only_the_viewers_students_and_counts_the_others(
    as_role, mixed, role, names, others
):
    cohort, _participations = mixed
    client = as_role(role)
    assert sorted(roster_names(client, cohort)) == names
    page = client.get(reverse("programs:cohort_detail", kwargs={"pk": cohort.pk}))
    assert page.context["others"] == others
    hidden = {"Ourside", "Theirside"} - set(names)
    assert not any(name in page.content.decode() for name in hidden)


def test_the_cohort_history_lists_only_the_viewers_participants(as_role, mixed):
    cohort, _participations = mixed
    url = reverse("programs:cohort_detail", kwargs={"pk": cohort.pk})
    participant_changes = lambda role: sum(  # noqa: E731
        change.what == "Participant" for change in as_role(role).get(url).context["history"]
    )
    assert participant_changes("staff") == 2
    assert participant_changes("teacher") == 1


@pytest.mark.parametrize(
    ("role", "sees_reason"), [("staff", True), ("teacher", True), ("teaching_artist", False)]
)
def test_only_staff_and_teachers_read_why_a_prerequisite_was_waived(as_role, mixed, role, sees_reason):
    cohort, _participations = mixed
    page = as_role(role).get(reverse("programs:cohort_detail", kwargs={"pk": cohort.pk})).content.decode()
    assert "prerequisite waived" in page
    assert ("Portfolio seen by staff" in page) is sees_reason


@pytest.mark.parametrize(
    ("role", "names"),
    [("staff", ["Ourside", "Theirside"]), ("teacher", ["Ourside"]), ("other_teacher", ["Theirside"])],
)
def test_attendance_alerts_name_only_the_viewers_students(as_role, mixed, role, names):
    rows = as_role(role).get(ALERTS).context["rows"]
    assert sorted(row.student.last_name for row in rows) == names


def download(client, name: str) -> list[dict]:
    response = client.get(reverse("export", kwargs={"name": name, "fmt": "csv"}))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    ("role", "names"),
    [
        ("staff", {"Ourside", "Theirside"}),
        ("teaching_artist", {"Ourside", "Theirside"}),
        ("teacher", {"Ourside"}),
        ("other_teacher", {"Theirside"}),
    ],
)
def test_the_attendance_download_holds_only_the_viewers_students_marks(as_role, mixed, role, names):
    rows = download(as_role(role), "attendance")
    assert {row[header(Attendance, "participation__student__last_name")] for row in rows} == names
    assert len(rows) == 3 * len(names)


def test_a_transfer_moves_the_student_out_of_the_old_teachers_cohort_view(
    as_role, users, site, teacher, other_site, other_teacher
):
    cohort = CohortFactory(site=site, teaching_artists=[users["teaching_artist"]])
    enrollment = EnrollmentFactory(site=site, teacher=teacher, student__last_name="Mover")
    Participation.objects.create(cohort=cohort, student=enrollment.student, joined_on=date(2026, 9, 14))
    assert roster_names(as_role("teacher"), cohort) == ["Mover"]
    enrollment_transfer(enrollment=enrollment, site=other_site, teacher=other_teacher, on=date(2026, 11, 2))
    assert roster_names(as_role("teacher"), cohort) == []
    assert roster_names(as_role("other_teacher"), cohort) == ["Mover"]
    assert roster_names(as_role("staff"), cohort) == ["Mover"]


def test_the_enrollments_download_shows_a_teacher_their_sites_enrollments_while_the_student_is_there(
    as_role, site, teacher, other_site, other_teacher
):
    staying = EnrollmentFactory(site=site, teacher=teacher, student__last_name="Staying")
    leaving = EnrollmentFactory(site=site, teacher=teacher, student__last_name="Leaving")
    moving = EnrollmentFactory(site=site, teacher=teacher, student__last_name="Moving")
    enrollment_exit(enrollment=leaving, ended_on=date(2026, 11, 2), exit_reason="moved")
    enrollment_transfer(enrollment=moving, site=other_site, teacher=other_teacher, on=date(2026, 11, 2))
    rows = lambda role: sorted(  # noqa: E731
        (row[header(Enrollment, "student__last_name")], row[header(Enrollment, "site__name")])
        for row in download(as_role(role), "enrollments")
    )
    assert rows("teacher") == [("Staying", site.name)]
    assert rows("other_teacher") == [("Moving", other_site.name)]
    assert staying.student.last_name in {name for name, _site in rows("staff")}
    assert len(rows("staff")) == 4  # staying, leaving, and both of moving's


@pytest.mark.parametrize(
    ("role", "may_log"),
    [("staff", True), ("teaching_artist", True), ("teacher", False), ("counselor", False)],
)
def test_the_log_buttons_show_only_to_those_who_may_log(as_role, mixed, role, may_log):
    cohort, _participations = mixed
    client = as_role(role)
    page = client.get(reverse("programs:cohort_detail", kwargs={"pk": cohort.pk})).content.decode()
    log_url = reverse("programs:session_log", kwargs={"pk": cohort.sessions.first().pk})
    assert (log_url in page) is may_log
    assert client.get(log_url).status_code == (200 if may_log else 403)


@pytest.mark.parametrize(
    ("role", "rate"), [("staff", 50), ("teaching_artist", 50), ("teacher", 100), ("other_teacher", 0)]
)
def test_the_cohorts_attendance_counts_the_marks_of_the_students_the_viewer_may_see(
    as_role, mixed, role, rate
):
    cohort, participations = mixed
    Attendance.objects.filter(participation=participations["Ourside"]).update(mark="P")
    response = as_role(role).get(reverse("programs:cohort_detail", kwargs={"pk": cohort.pk}))
    assert response.context["rate"] == rate
