"""The admin console for programs goes through the same services."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from programs.models import Attendance, Cohort, Participation
from programs.services import session_log_attendance
from tests.factories import CohortFactory, EnrollmentFactory, ProgramFactory
from tests.programs.test_services import MONDAY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "admin:programs_program_changelist",
        "admin:programs_pathway_changelist",
        "admin:programs_cohort_changelist",
        "admin:programs_participation_changelist",
        "admin:programs_session_changelist",
        "admin:programs_attendance_changelist",
    ],
)
def test_every_programs_changelist_opens_with_search(as_role, participants, name):
    assert as_role("admin").get(reverse(name), {"q": "a"}).status_code == 200


def test_a_cohort_added_in_the_admin_gets_its_sessions(as_role, site, users):
    data = {
        "program": ProgramFactory().pk,
        "site": site.pk,
        "venue": "",
        "term_starts_on": MONDAY.isoformat(),
        "term_ends_on": (MONDAY + timedelta(days=11)).isoformat(),
        "meeting_days": "0,2",
        "starts_at": "15:30",
        "duration_minutes": "90",
        "capacity": "20",
        "teaching_artists": [users["teaching_artist"].pk],
        "participations-TOTAL_FORMS": "0",
        "participations-INITIAL_FORMS": "0",
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
    }
    response = as_role("admin").post(reverse("admin:programs_cohort_add"), data)
    assert response.status_code == 302
    assert Cohort.objects.get().sessions.count() == 4


def test_the_admin_cannot_overfill_a_cohort(as_role, site, teacher):
    cohort = CohortFactory(site=site, capacity=1)
    first, second = (EnrollmentFactory(site=site, teacher=teacher).student for _ in range(2))
    Participation.objects.create(cohort=cohort, student=first, joined_on=date(2026, 9, 14))
    data = {"cohort": cohort.pk, "student": second.pk, "joined_on": "2026-09-14", "override_reason": ""}
    response = as_role("admin").post(reverse("admin:programs_participation_add"), data, follow=True)
    assert "is full" in response.content.decode()
    assert cohort.participations.count() == 1


def test_an_attendance_correction_in_the_admin_is_kept_in_history(
    as_role, session, participants, all_present, users
):
    session_log_attendance(session=session, marks=all_present, topic="", by=users["teaching_artist"])
    marks = list(session.attendance.order_by("pk"))
    data = {
        "topic": "Corrected",
        "activities": "",
        "notes": "",
        "attendance-TOTAL_FORMS": "3",
        "attendance-INITIAL_FORMS": "3",
        "attendance-MIN_NUM_FORMS": "0",
        "attendance-MAX_NUM_FORMS": "1000",
    }
    for n, mark in enumerate(marks):
        data.update(
            {
                f"attendance-{n}-id": mark.pk,
                f"attendance-{n}-session": session.pk,
                f"attendance-{n}-mark": "U" if n == 0 else "P",
            }
        )
    response = as_role("admin").post(reverse("admin:programs_session_change", args=[session.pk]), data)
    assert response.status_code == 302
    corrected = Attendance.objects.get(pk=marks[0].pk)
    assert corrected.mark == "U"
    assert corrected.history.first().history_user == users["admin"]


def test_attendance_marks_cannot_be_deleted_in_the_admin(as_role, session, all_present, users):
    session_log_attendance(session=session, marks=all_present, topic="", by=users["teaching_artist"])
    mark = Attendance.objects.first()
    assert (
        as_role("admin")
        .post(reverse("admin:programs_attendance_delete", args=[mark.pk]), {"post": "yes"})
        .status_code
        == 403
    )
