"""Every list and its download show the same rows: same scope, same filters, same order.

The page's rows are read from its context across all its pages; the download is fetched through
the link the page itself renders, so the test also proves the link carries the page's filters.
Each list's filters are tried in turn on the same rows, made once per role.
"""

import csv
import html
import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alumni.models import Alumnus, Outcome
from programs.models import Attendance, Participation, Session
from students.models import Enrollment, ExitReason, Referral
from students.services import enrollment_exit
from tests.factories import (
    CohortFactory,
    EnrollmentFactory,
    PartnerFactory,
    ReferralFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db

PER_PAGE = 2  # small pages, so the page's rows are gathered across several of them


def page_ids(client, url: str, query: dict) -> tuple[list[int], str]:
    """The ids the list shows over all its pages, and the CSV link the first page offers."""
    ids, number, link = [], 1, None
    while True:
        response = client.get(url, {**query, "page": number})
        assert response.status_code == 200
        if link is None:
            link = download_link(response.content.decode())
        page = response.context["page"]
        ids += [row.pk for row in page]
        if not page.has_next():
            return ids, link
        number += 1


def download_link(page: str, name: str | None = None) -> str:
    """The href of the first (or the named list's) CSV download on a page."""
    pattern = rf'href="(/exports/{name or "[a-z]+"}\.csv[^"]*)"'
    return html.unescape(re.search(pattern, page).group(1))


def download_ids(client, link: str) -> list[int]:
    response = client.get(link)
    assert response.status_code == 200
    return [int(row["ID"]) for row in csv.DictReader(io.StringIO(response.content.decode()))]


def assert_parity(client, url: str, query: dict) -> list[int]:
    shown, link = page_ids(client, url, query)
    assert download_ids(client, link) == shown, query
    return shown


# Students -------------------------------------------------------------------------------------


@pytest.fixture
def students(monkeypatch, site, teacher, other_site, other_teacher):
    monkeypatch.setattr("students.views.students.STUDENTS_PER_PAGE", PER_PAGE)
    EnrollmentFactory.create_batch(3, site=site, teacher=teacher, student__grade=10)
    EnrollmentFactory.create_batch(2, site=site, teacher=teacher, student__grade=12)
    EnrollmentFactory.create_batch(3, site=other_site, teacher=other_teacher, student__grade=10)
    StudentFactory(last_name="Nowhere")  # not enrolled anywhere


STUDENT_QUERIES = [{}, {"grade": "10"}, {"status": "enrolled"}, {"status": "not_enrolled"}, {"q": "Nowhere"}]


@pytest.mark.parametrize("role", ["staff", "teacher"])
def test_the_student_list_and_its_download_show_the_same_students(as_role, students, site, role):
    client = as_role(role)
    for query in [*STUDENT_QUERIES, {"site": site.pk}]:
        shown = assert_parity(client, reverse("students:list"), query)
        if query == {}:
            assert len(shown) == (9 if role == "staff" else 5)


# Contracts ------------------------------------------------------------------------------------


@pytest.fixture
def contracts(monkeypatch, open_contract, site, teacher, other_site, other_teacher):
    """Contracts on track, behind and at risk (no credit done yet: pace is days elapsed), at two sites."""
    monkeypatch.setattr("students.views.contracts.CONTRACTS_PER_PAGE", PER_PAGE)
    today = timezone.localdate()
    made = []
    for place, who in ((site, teacher), (other_site, other_teacher)):
        for days_ago in (0, 0, 17, 17, 17, 60, 60):  # on track, behind, at risk
            enrollment = EnrollmentFactory(site=place, teacher=who, started_on=today - timedelta(days=200))
            made.append(open_contract(enrollment.student, today - timedelta(days=days_ago)))
    return made


CONTRACT_QUERIES = [
    {},
    {"pace": "behind"},
    {"pace": "at_risk"},
    {"pace": "on_track"},
    {"status": "active"},
    {"status": "completed"},
    {"due_within": "30"},
]
PACES = {"on_track": 2, "behind": 3, "at_risk": 2}  # per site


@pytest.mark.parametrize("role", ["staff", "teacher"])
def test_the_contract_list_and_its_download_show_the_same_contracts(as_role, contracts, site, role):
    client = as_role(role)
    for query in [*CONTRACT_QUERIES, {"pace": "behind", "site": site.pk}]:
        shown = assert_parity(client, reverse("students:contract_list"), query)
        if "pace" in query:
            sites = 2 if role == "staff" and "site" not in query else 1
            assert len(shown) == PACES[query["pace"]] * sites, query


def test_a_pace_filter_keeps_only_contracts_at_that_pace(as_role, contracts):
    response = as_role("staff").get(reverse("students:contract_list"), {"pace": "behind", "page": 1})
    assert response.context["page"].paginator.count == 6
    assert {contract.pace.status for contract in response.context["page"]} == {"behind"}


# Alumni ---------------------------------------------------------------------------------------


@pytest.fixture
def alumni(monkeypatch, site, teacher, other_site, other_teacher):
    monkeypatch.setattr("alumni.views.ALUMNI_PER_PAGE", PER_PAGE)
    today = timezone.localdate()
    for place, who, years in ((site, teacher, (2024, 2025, 2025)), (other_site, other_teacher, (2025, 2025))):
        for year in years:
            enrollment = EnrollmentFactory(site=place, teacher=who, started_on=date(year - 1, 9, 1))
            enrollment_exit(
                enrollment=enrollment,
                ended_on=date(year, 6, 12),
                exit_reason=ExitReason.GRADUATED,
                diploma="diploma",
            )
    Alumnus.objects.filter(graduated_on__year=2024).update(
        current_outcome=Outcome.values[0], next_check_in_on=today - timedelta(days=3)
    )


ALUMNI_QUERIES = [{}, {"year": "2025"}, {"current_outcome": Outcome.values[0]}, {"overdue": "true"}]


@pytest.mark.parametrize("role", ["staff", "teacher"])
def test_the_alumni_list_and_its_download_show_the_same_alumni(as_role, alumni, site, role):
    client = as_role(role)
    for query in [*ALUMNI_QUERIES, {"site": site.pk}]:
        shown = assert_parity(client, reverse("alumni:list"), query)
        if query == {}:
            assert len(shown) == (5 if role == "staff" else 3)


# Referrals ------------------------------------------------------------------------------------


@pytest.fixture
def referrals(monkeypatch, users, site, teacher):
    monkeypatch.setattr("students.views.referrals.REFERRALS_PER_PAGE", PER_PAGE)
    east, west = PartnerFactory(name="Youth Centre East"), PartnerFactory(name="Youth Centre West")
    ReferralFactory.create_batch(3, source=east, counselor=users["counselor"])
    ReferralFactory.create_batch(
        2, source=west, status=Referral.Status.CONTACTED, contacted_on=date(2026, 11, 3)
    )
    ReferralFactory(source=west)
    # Two youths enrolled at the teacher's site: the only referrals a teacher sees.
    for _ in range(2):
        ReferralFactory(source=east, student=EnrollmentFactory(site=site, teacher=teacher).student)
    return {"east": east, "west": west}


REFERRAL_QUERIES = [
    {},
    {"status": "contacted"},
    {"source": "east"},
    {"counselor": "counselor"},
    {"source": "west", "status": "received"},
    {"counselor": "99999"},
]


@pytest.mark.parametrize("role", ["counselor", "teacher"])
def test_the_referral_list_and_its_download_show_the_same_referrals(as_role, users, referrals, role):
    values = {"east": referrals["east"].pk, "west": referrals["west"].pk, "counselor": users["counselor"].pk}
    client = as_role(role)
    for query in REFERRAL_QUERIES:
        query = {k: values.get(v, v) for k, v in query.items()}
        shown = assert_parity(client, reverse("students:referral_list"), query)
        if query == {}:
            assert len(shown) == (8 if role == "counselor" else 2)


@pytest.mark.parametrize("role", ["counselor", "teacher"])
def test_a_refused_referral_filter_lists_everything_on_the_page_and_refuses_the_download(
    as_role, users, referrals, role
):
    client = as_role(role)
    query = {"status": "nonsense", "source": "x"}
    shown, link = page_ids(client, reverse("students:referral_list"), query)
    # The page ignores the refused values (and says so); the file would hold more than asked: 400.
    assert shown == page_ids(client, reverse("students:referral_list"), {})[0]
    assert client.get(link).status_code == 400


# Sessions and attendance: downloads offered on the cohort list ------------------------------


@pytest.mark.parametrize("role", ["staff", "teacher", "other_teacher", "teaching_artist"])
def test_the_session_and_attendance_downloads_cover_the_cohorts_the_list_shows(
    as_role, users, site, teacher, other_site, role
):
    artist = users["teaching_artist"]
    for place in (site, other_site):
        cohort = CohortFactory(site=place)
        if place == site:
            cohort.teaching_artists.add(artist)
        student = EnrollmentFactory(site=place).student
        participation = Participation.objects.create(
            cohort=cohort, student=student, joined_on=date(2026, 9, 14)
        )
        for day in (date(2026, 10, 5), date(2026, 10, 12)):
            session = Session.objects.create(
                cohort=cohort,
                date=day,
                starts_at=cohort.starts_at,
                duration_minutes=90,
                status=Session.Status.LOGGED,
            )
            Attendance.objects.create(session=session, participation=participation, mark="P")
    client = as_role(role)
    response = client.get(reverse("programs:cohort_list"))
    cohorts = [cohort.pk for cohort in response.context["cohorts"]]
    page = response.content.decode()
    sessions = Session.objects.filter(cohort__in=cohorts)
    assert sorted(download_ids(client, download_link(page, "sessions"))) == sorted(s.pk for s in sessions)
    marks = Attendance.objects.filter(session__in=sessions)
    assert sorted(download_ids(client, download_link(page, "attendance"))) == sorted(m.pk for m in marks)
    assert len(cohorts) == {"staff": 2, "teacher": 1, "other_teacher": 1, "teaching_artist": 1}[role]


# Enrollments: no page of their own; the student list offers them, unfiltered, in the user's scope


@pytest.mark.parametrize("role", ["staff", "teacher", "other_teacher"])
def test_the_enrollment_download_holds_the_enrollments_of_the_users_sites(as_role, users, students, role):
    client = as_role(role)
    page = client.get(reverse("students:list"), {"grade": "10"}).content.decode()
    downloaded = download_ids(client, download_link(page, "enrollments"))
    expected = Enrollment.objects.visible_to(users[role]).order_by("-started_on", "-pk")
    assert downloaded == [e.pk for e in expected]
    assert len(downloaded) == {"staff": 8, "teacher": 5, "other_teacher": 3}[role]
