"""Program pages: permission matrix, need-to-know, bad input and query counts."""

from datetime import date, time, timedelta
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from artworx import roles
from programs.models import Attendance, Cohort, Participation, Pathway, Program, Session
from programs.services import session_log_attendance
from tests.factories import (
    CohortFactory,
    EnrollmentFactory,
    PartnerFactory,
    ProgramFactory,
    SupportProfileFactory,
    UserFactory,
)
from tests.matrix import matrix
from tests.programs.test_services import MONDAY

pytestmark = pytest.mark.django_db

# Teachers see cohorts at their sites; artists their own cohorts; another site's teacher nothing.
SEES_COHORT = matrix(
    admin=200, staff=200, counselor=200, teacher=200, teaching_artist=200, other_teacher=404, no_role=404
)
MANAGES_COHORT = matrix(
    admin=200, staff=200, counselor=403, teacher=403, teaching_artist=403, other_teacher=404, no_role=404
)


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(admin=200, staff=200, counselor=200, teacher=200, teaching_artist=200, other_teacher=200),
)
def test_program_and_cohort_lists_permissions(as_role, cohort, role, status):
    client = as_role(role)
    assert client.get(reverse("programs:program_list")).status_code == status
    assert client.get(reverse("programs:cohort_list")).status_code == status


@pytest.mark.parametrize(
    "name", ["programs:program_create", "programs:pathway_create", "programs:cohort_create"]
)
@pytest.mark.parametrize(("role", "status"), matrix(admin=200, staff=200))
def test_create_pages_are_for_program_staff(as_role, name, role, status):
    assert as_role(role).get(reverse(name)).status_code == status


@pytest.mark.parametrize(("role", "status"), matrix(admin=200, staff=200))
def test_program_edit_permissions(as_role, role, status):
    program = ProgramFactory()
    assert as_role(role).get(reverse("programs:program_update", args=[program.pk])).status_code == status


@pytest.mark.parametrize(("role", "status"), SEES_COHORT)
def test_cohort_detail_permissions(as_role, cohort, participants, role, status):
    assert as_role(role).get(reverse("programs:cohort_detail", args=[cohort.pk])).status_code == status


@pytest.mark.parametrize(
    "name", ["programs:cohort_update", "programs:participation_create", "programs:session_create"]
)
@pytest.mark.parametrize(("role", "status"), MANAGES_COHORT)
def test_cohort_management_permissions(as_role, cohort, name, role, status):
    assert as_role(role).get(reverse(name, args=[cohort.pk])).status_code == status


@pytest.mark.parametrize(("role", "status"), MANAGES_COHORT)
def test_participation_end_permissions(as_role, participants, role, status):
    url = reverse("programs:participation_end", args=[participants[0].pk])
    assert as_role(role).get(url).status_code == status


@pytest.mark.parametrize("name", ["programs:session_move", "programs:session_cancel"])
@pytest.mark.parametrize(("role", "status"), MANAGES_COHORT)
def test_session_management_permissions(as_role, session, name, role, status):
    assert as_role(role).get(reverse(name, args=[session.pk])).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(
        admin=200, staff=200, counselor=403, teacher=403, teaching_artist=200, other_teacher=404, no_role=404
    ),
)
def test_session_log_permissions(as_role, session, participants, role, status):
    assert as_role(role).get(reverse("programs:session_log", args=[session.pk])).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(admin=200, staff=200, counselor=200, teacher=200, teaching_artist=200, other_teacher=200),
)
def test_my_sessions_permissions(as_role, role, status):
    assert as_role(role).get(reverse("programs:my_sessions")).status_code == status


def test_another_artist_does_not_see_the_cohort(as_role, users, cohort, session, django_user_model):
    stranger = UserFactory(role=roles.TEACHING_ARTIST)
    client = as_role("anonymous")
    client.force_login(stranger)
    assert client.get(reverse("programs:cohort_detail", args=[cohort.pk])).status_code == 404
    assert client.get(reverse("programs:session_log", args=[session.pk])).status_code == 404


def test_complete_cohort_accepts_only_post(as_role, cohort):
    assert as_role("staff").get(reverse("programs:cohort_complete", args=[cohort.pk])).status_code == 405


def test_pages_refuse_other_methods(as_role, cohort, session):
    client = as_role("staff")
    assert client.post(reverse("programs:cohort_detail", args=[cohort.pk])).status_code == 405
    assert client.post(reverse("programs:my_sessions")).status_code == 405
    assert client.delete(reverse("programs:session_log", args=[session.pk])).status_code == 405


# Need to know (rule 13) -------------------------------------------------------------------------


def test_a_teaching_artist_sees_names_and_attendance_but_no_support_flags_or_contacts(
    as_role, cohort, participants, session
):
    student = participants[0].student
    student.phone = "(323) 555-7777"
    student.save()
    SupportProfileFactory._meta.model.objects.filter(student=student).update(
        on_probation=True, private_notes="SENTINEL-NOTE"
    )
    client = as_role("teaching_artist")
    for url in (
        reverse("programs:cohort_detail", args=[cohort.pk]),
        reverse("programs:session_log", args=[session.pk]),
    ):
        page = client.get(url).content.decode()
        assert student.last_name in page
        for secret in ("SENTINEL-NOTE", "probation", "555-7777", "credits"):
            assert secret not in page
    assert client.get(reverse("students:detail", args=[student.pk])).status_code == 404


# Bad input and the happy paths ------------------------------------------------------------------


def cohort_form(site, **overrides):
    return {
        "program": ProgramFactory().pk,
        "site": site.pk,
        "venue": "",
        "term_starts_on": MONDAY.isoformat(),
        "term_ends_on": (MONDAY + timedelta(days=11)).isoformat(),
        "meeting_days": ["0", "2"],
        "starts_at": "15:30",
        "duration_minutes": "90",
        "capacity": "20",
        **overrides,
    }


def test_staff_open_a_cohort_and_its_sessions_appear(as_role, site, users):
    data = cohort_form(site, teaching_artists=[users["teaching_artist"].pk])
    response = as_role("staff").post(reverse("programs:cohort_create"), data)
    cohort = Cohort.objects.get()
    assert response.url == reverse("programs:cohort_detail", args=[cohort.pk])
    assert cohort.sessions.count() == 4


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"capacity": "26"}, "less than or equal to 25"),
        ({"meeting_days": []}, "This field is required"),
        ({"term_ends_on": (MONDAY - timedelta(days=1)).isoformat()}, "The term cannot end before it starts"),
        ({"venue": "placeholder"}, "not both"),
        ({"starts_at": "25:00"}, "Enter a valid time"),
        ({"teaching_artists": ["999999"]}, "Select a valid choice"),
    ],
)
def test_a_bad_cohort_is_refused_and_nothing_written(as_role, site, overrides, message):
    if overrides.get("venue") == "placeholder":
        overrides["venue"] = PartnerFactory().pk
    response = as_role("staff").post(reverse("programs:cohort_create"), cohort_form(site, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Cohort.objects.exists() and not Session.objects.exists()


def test_staff_add_a_student_and_a_full_cohort_says_so(as_role, site, teacher):
    cohort = CohortFactory(site=site, capacity=1)
    first, second = (EnrollmentFactory(site=site, teacher=teacher).student for _ in range(2))
    url = reverse("programs:participation_create", args=[cohort.pk])
    client = as_role("staff")
    assert client.post(url, {"student": first.pk, "joined_on": "2026-09-14"}).status_code == 302
    response = client.post(url, {"student": second.pk, "joined_on": "2026-09-14"})
    assert "is full: all 1 places are taken" in response.content.decode()
    assert cohort.participations.count() == 1


def test_a_student_of_another_site_is_not_offered(as_role, cohort, other_site, other_teacher):
    outsider = EnrollmentFactory(site=other_site, teacher=other_teacher).student
    url = reverse("programs:participation_create", args=[cohort.pk])
    response = as_role("staff").post(url, {"student": outsider.pk, "joined_on": "2026-09-14"})
    assert "Select a valid choice" in response.content.decode()
    assert not Participation.objects.exists()


def test_the_prerequisite_refusal_tells_staff_how_to_waive_it(as_role, site, student):
    level1 = ProgramFactory(name="Photography 1")
    cohort = CohortFactory(
        site=site, program=ProgramFactory(name="Photography 2", level=2, prerequisite=level1)
    )
    url = reverse("programs:participation_create", args=[cohort.pk])
    response = as_role("staff").post(url, {"student": student.pk, "joined_on": "2026-09-14"})
    assert "has not completed Photography 1" in response.content.decode()
    response = as_role("staff").post(
        url, {"student": student.pk, "joined_on": "2026-09-14", "override_reason": "Portfolio"}
    )
    assert response.status_code == 302


def log_data(participants, mark="P", **extra):
    return {**{f"mark-{p.pk}": mark for p in participants}, "topic": "Light and shadow", **extra}


def test_an_artist_logs_a_session_and_returns_to_the_list(as_role, session, participants):
    response = as_role("teaching_artist").post(
        reverse("programs:session_log", args=[session.pk]), log_data(participants)
    )
    assert response.url == reverse("programs:my_sessions")
    session.refresh_from_db()
    assert (session.status, session.topic) == ("logged", "Light and shadow")
    assert Attendance.objects.filter(session=session, mark="P").count() == 3


def test_a_log_with_a_participant_unmarked_is_refused_with_their_name(as_role, session, participants):
    data = log_data(participants)
    del data[f"mark-{participants[0].pk}"]
    response = as_role("teaching_artist").post(reverse("programs:session_log", args=[session.pk]), data)
    assert response.status_code == 200
    assert f"Choose a mark for {participants[0].student.display_name}" in response.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("bad", ["duplicate", "stranger", "unknown"])
def test_a_tampered_log_is_refused(as_role, session, participants, bad):
    pairs = list(log_data(participants).items())
    if bad == "duplicate":
        pairs.append((f"mark-{participants[0].pk}", "U"))
    elif bad == "stranger":
        pairs.append(("mark-999999", "P"))
    else:
        pairs[0] = (pairs[0][0], "ZZ")
    client = as_role("teaching_artist")
    response = client.post(
        reverse("programs:session_log", args=[session.pk]),
        urlencode(pairs),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Attendance.objects.exists()


def test_a_cancelled_session_cannot_be_logged(as_role, session, participants):
    Session.objects.filter(pk=session.pk).update(status="cancelled", cancel_reason="Rain")
    response = as_role("teaching_artist").post(
        reverse("programs:session_log", args=[session.pk]), log_data(participants)
    )
    assert "was cancelled" in response.content.decode()
    assert not Attendance.objects.exists()


def test_staff_move_and_cancel_a_session(as_role, cohort):
    session = Session.objects.create(
        cohort=cohort, date=date(2030, 1, 7), starts_at=time(15, 30), duration_minutes=90
    )
    client = as_role("staff")
    moved = client.post(
        reverse("programs:session_move", args=[session.pk]),
        {"date": "2030-01-08", "starts_at": "16:00", "duration_minutes": "60"},
    )
    assert moved.status_code == 302
    assert (
        client.post(reverse("programs:session_cancel", args=[session.pk]), {"reason": ""}).status_code == 200
    )
    assert (
        client.post(reverse("programs:session_cancel", args=[session.pk]), {"reason": "Holiday"}).status_code
        == 302
    )
    session.refresh_from_db()
    assert (session.date, session.status, session.cancel_reason) == (date(2030, 1, 8), "cancelled", "Holiday")


def test_staff_complete_the_cohort_at_the_end_of_term(as_role, cohort, participants):
    response = as_role("staff").post(reverse("programs:cohort_complete", args=[cohort.pk]))
    assert response.status_code == 302
    assert set(Participation.objects.values_list("status", flat=True)) == {"completed"}


def test_staff_define_a_pathway_in_order(as_role):
    first, second = ProgramFactory(name="Stagecraft 1"), ProgramFactory(name="Stagecraft 2", level=2)
    data = {
        "name": "Stagecraft Technical Theatre",
        "description": "",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "1",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-position": "1",
        "steps-0-program": first.pk,
        "steps-1-position": "2",
        "steps-1-program": second.pk,
    }
    assert as_role("staff").post(reverse("programs:pathway_create"), data).status_code == 302

    assert [s.program.name for s in Pathway.objects.get().steps.all()] == ["Stagecraft 1", "Stagecraft 2"]


def test_a_forged_step_count_is_refused_without_building_the_forms(as_role, django_assert_max_num_queries):
    program = ProgramFactory()
    data = {
        "name": "Forged",
        "steps-TOTAL_FORMS": "1000000",
        "steps-INITIAL_FORMS": "0",
        "steps-0-position": "1",
        "steps-0-program": program.pk,
    }
    client = as_role("staff")
    client.get(reverse("programs:pathway_create"))  # signed in before counting
    # Each step form shown lists the programs in a query of its own: 12 forms at most, not thousands.
    with django_assert_max_num_queries(30):
        response = client.post(reverse("programs:pathway_create"), data)
    assert response.status_code == 200
    assert "Please submit at most 12 forms." in response.content.decode()
    assert not Pathway.objects.exists()


def test_a_program_cannot_require_itself(as_role):
    program = ProgramFactory()
    data = {"name": program.name, "discipline": "photography", "level": "1", "prerequisite": program.pk}
    response = as_role("staff").post(reverse("programs:program_update", args=[program.pk]), data)
    assert response.status_code == 200
    assert Program.objects.get().prerequisite is None


# Query counts -----------------------------------------------------------------------------------


def grow(cohort, teacher, n):
    for _ in range(n):
        p = Participation.objects.create(
            cohort=cohort,
            student=EnrollmentFactory(site=cohort.site, teacher=teacher).student,
            joined_on=date(2026, 9, 14),
        )
        for s in cohort.sessions.all():
            Attendance.objects.create(session=s, participation=p, mark="P")


def test_cohort_page_queries_do_not_grow_with_rows(as_role, cohort, teacher, django_assert_num_queries):
    for day in (14, 16, 21):
        Session.objects.create(
            cohort=cohort, date=date(2026, 9, day), starts_at=time(15), duration_minutes=60, status="logged"
        )
    grow(cohort, teacher, 2)
    client = as_role("staff")
    url = reverse("programs:cohort_detail", args=[cohort.pk])
    # session, user, groups, cohort, artists, roster, thresholds, figures (the rate is summed from
    # them), sessions, the history of the cohort and its participants (one query), the bell
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(11) as first:
        client.get(url)
    grow(cohort, teacher, 10)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


@pytest.mark.parametrize(
    ("role", "logs", "schedules"),
    [("staff", True, True), ("teaching_artist", True, False), ("teacher", False, False)],
)
def test_the_session_table_says_each_sessions_state_and_offers_what_the_role_may_do(
    as_role, users, cohort, participants, role, logs, schedules
):
    today = timezone.localdate()

    def add(days: int, **fields) -> Session:
        day = today + timedelta(days=days)
        return Session.objects.create(
            cohort=cohort, date=day, starts_at=time(15), duration_minutes=60, **fields
        )

    held, cancelled = add(-9), add(-8, status="cancelled", cancel_reason="Field <trip> & rain")
    missed, coming = add(-7), add(7)
    session_log_attendance(
        session=held, marks={p.pk: "P" for p in participants}, topic="Collage", by=users["staff"]
    )
    page = as_role(role).get(reverse("programs:cohort_detail", args=[cohort.pk])).content.decode()
    sessions_table = page.split('<h2 class="h4 mt-4">Sessions</h2>')[1].split("</tbody>")[0]
    row = dict(zip((held, cancelled, missed, coming), sessions_table.split("<tr")[2:], strict=True))

    def links(session: Session) -> set[str]:
        names = ("programs:session_log", "programs:session_move", "programs:session_cancel")
        return {name for name in names if reverse(name, args=[session.pk]) in row[session]}

    log = {"programs:session_log"} if logs else set()
    schedule = {"programs:session_move", "programs:session_cancel"} if schedules else set()
    assert f"{held.date:%a} {held.date:%m/%d/%Y}" in row[held] and "3 p.m." in row[held]
    assert "Logged · 3 marks" in row[held]
    assert links(held) == log
    assert (">View log</a>" in row[held]) is logs
    assert "Cancelled · Field &lt;trip&gt; &amp; rain" in row[cancelled]
    assert links(cancelled) == set()
    assert row[missed].startswith(' class="table-danger"')
    assert "Scheduled · <strong>not logged</strong>" in row[missed]
    assert links(missed) == log | schedule
    assert (">Log</a>" in row[missed]) is logs
    assert "table-danger" not in row[coming] and "not logged" not in row[coming]
    assert links(coming) == schedule


def test_my_sessions_queries_do_not_grow_with_sessions(as_role, cohort, users, django_assert_num_queries):
    client = as_role("teaching_artist")
    Session.objects.create(cohort=cohort, date=date(2026, 10, 5), starts_at=time(15), duration_minutes=60)
    # session, user, groups, sessions, cohorts with attendance, the bell
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(6) as first:
        client.get(reverse("programs:my_sessions"))
    for other in (
        CohortFactory(site=cohort.site, teaching_artists=[users["teaching_artist"]]) for _ in range(3)
    ):
        for day in (5, 7, 12):
            Session.objects.create(
                cohort=other, date=date(2026, 10, day), starts_at=time(15), duration_minutes=60
            )
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("programs:my_sessions"))
    assert len(response.context["to_log"]) == 10


def test_cohort_list_queries_do_not_grow_with_cohorts(as_role, site, django_assert_num_queries):
    client = as_role("staff")
    CohortFactory(site=site)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(6) as first:  # 5 for the page, 1 for the notification bell
        client.get(reverse("programs:cohort_list"))
    CohortFactory.create_batch(5, site=site)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("programs:cohort_list"))


def test_my_sessions_shows_the_artists_cohorts_with_their_attendance(
    as_role, cohort, session, participants, all_present, users
):
    Cohort.objects.filter(pk=cohort.pk).update(term_ends_on=timezone.localdate() + timedelta(days=30))
    marks = all_present | {participants[0].pk: "U"}
    session_log_attendance(session=session, marks=marks, topic="", by=users["teaching_artist"])
    (row,) = as_role("teaching_artist").get(reverse("programs:my_sessions")).context["cohorts"]
    assert (row.pk, row.rate) == (cohort.pk, 67)
