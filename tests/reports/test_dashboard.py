"""The staff dashboard: permission matrix, figures against targets, drill-down links, fixed queries."""

from datetime import date, time, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import (
    Attendance,
    Certification,
    Credential,
    Participation,
    Pathway,
    PathwayStep,
    Session,
)
from programs.services import session_log_attendance
from reports.models import Target, targets
from sites.models import Closure, Site
from students.models import Contract, Referral
from students.pace_turns import turns_write
from students.services import contract_course_resolve
from tests.factories import (
    CohortFactory,
    EnrollmentFactory,
    PartnerFactory,
    ProgramFactory,
    ReferralFactory,
    SiteFactory,
)
from tests.matrix import matrix

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:dashboard")


def figure(response, label):
    return next(f for f in response.context["board"].figures if str(f.label) == label)


@pytest.mark.parametrize(("role", "status"), matrix(admin=200, staff=200, counselor=200))
def test_dashboard_permissions(as_role, role, status):
    assert as_role(role).get(URL).status_code == status


def test_dashboard_refuses_post(as_role):
    assert as_role("staff").post(URL).status_code == 405


@pytest.fixture
def attendance(site, teacher):
    """Ten marks this week at `site`: 9 present, 1 unexcused."""
    cohort = CohortFactory(site=site)
    today = timezone.localdate()
    session = Session.objects.create(
        cohort=cohort,
        date=today - timedelta(days=1),
        starts_at=time(15),
        duration_minutes=60,
        status="logged",
    )
    for n in range(10):
        p = Participation.objects.create(
            cohort=cohort,
            student=EnrollmentFactory(site=site, teacher=teacher).student,
            joined_on=today - timedelta(days=30),
        )
        Attendance.objects.create(session=session, participation=p, mark="U" if n == 0 else "P")
    return cohort


def test_attendance_is_measured_against_its_target(as_role, attendance):
    response = as_role("staff").get(URL)
    card = figure(response, "Attendance")
    assert (card.value, card.target.percent, card.mark) == (90, 90, "green")
    target = Target.objects.get(key="attendance")
    target.percent = 95
    target.save()  # as the admin console does: the cached board sees the change
    assert figure(as_role("staff").get(URL), "Attendance").mark == "amber"


def test_the_site_filter_narrows_every_figure_and_stays_in_the_links(as_role, attendance, other_site):
    response = as_role("staff").get(URL, {"site": other_site.pk})
    assert figure(response, "Attendance").value is None
    assert f"site={other_site.pk}" in figure(response, "Contracts at risk").link
    assert figure(as_role("staff").get(URL, {"site": attendance.site_id}), "Attendance").value == 90


def test_bad_filters_fall_back_to_all_sites_and_the_last_90_days(as_role, attendance):
    response = as_role("staff").get(URL, {"site": "999999", "start": "yesterday", "end": "2026-02-30"})
    assert response.status_code == 200
    assert response.context["site"] is None
    assert response.context["end"] - response.context["start"] == timedelta(days=90)


def test_contract_figures_count_pace_and_due_dates(as_role, open_contract, site, teacher):
    today = timezone.localdate()
    open_contract(
        EnrollmentFactory(site=site, teacher=teacher, started_on=today - timedelta(days=200)).student,
        started_on=today - timedelta(days=110),
    )
    response = as_role("staff").get(URL)
    assert (
        figure(response, "Contracts due in 10 days").value + figure(response, "Contracts at risk").value >= 1
    )
    assert "pace=at_risk" in figure(response, "Contracts at risk").link


def test_every_figure_links_to_the_list_behind_it(as_role, attendance):
    client = as_role("staff")
    for card in client.get(URL).context["board"].figures:
        assert card.link, card.label
        assert client.get(card.link).status_code == 200, card.link


def test_targets_fall_back_to_their_defaults_when_missing():
    Target.objects.all().delete()
    assert targets()["contracts_on_time"].percent == 85
    assert targets()["chronic_absence"].mark(12) == "amber"


def test_dashboard_queries_do_not_grow_with_data(
    as_role, site, teacher, open_contract, django_assert_num_queries
):
    client = as_role("staff")

    def grow(n):
        for _ in range(n):
            extra = SiteFactory()
            extra.teachers.add(teacher)
            open_contract(
                EnrollmentFactory(site=extra, teacher=teacher, started_on=date(2026, 1, 5)).student,
                started_on=date(2026, 9, 14),
            )
            cohort = CohortFactory(site=extra)
            s = Session.objects.create(
                cohort=cohort,
                date=timezone.localdate() - timedelta(days=2),
                starts_at=time(15),
                duration_minutes=60,
                status="logged",
            )
            p = Participation.objects.create(
                cohort=cohort,
                student=EnrollmentFactory(site=extra, teacher=teacher).student,
                joined_on=date(2026, 9, 14),
            )
            Attendance.objects.create(session=s, participation=p, mark="P")

    grow(1)
    turns_write()  # the contracts' turning days, as the quarter-hourly task writes them
    # session, user, groups, the data's version, the bell, site filter choices; then the board from
    # its running totals: every count and sum of the cards with the targets in one query (participants
    # and the chronically absent, unlogged sessions, contracts awaiting, overdue, expired, completed,
    # on time, credits, program completion, the funnel's stages), marks per week, active contracts by
    # pace from their turning days, the pathways' steps with their participants, alumni outcomes,
    # sites with counts and their teachers.
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(13) as first:
        client.get(URL)
    grow(4)
    turns_write()
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        cold = client.get(URL)
    # Nothing changed since: the figures come from the cache after one query for the data's version;
    # the session, the roles, the bell and the site picker (kept beside the board) come from the cache
    # too. The user and the dashboard's version are left.
    with django_assert_num_queries(2):
        warm = client.get(URL)
    values = [(str(f.label), f.value) for f in cold.context["board"].figures]
    assert [(str(f.label), f.value) for f in warm.context["board"].figures] == values
    # A closure of the whole organisation leaves every contract's turning days stale until the
    # quarter-hourly task: their values and their sites' closures are read, two more, and still 15.
    Closure.objects.create(name="Snow day", starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 7))
    cache.clear()
    with django_assert_num_queries(15):
        stale = client.get(URL)
    assert stale.status_code == 200


def test_a_cached_dashboard_follows_an_attendance_save(as_role, attendance, users):
    """Saving a session's marks through the service changes the figures on the next view."""
    client = as_role("staff")
    assert figure(client.get(URL), "Attendance").value == 90
    session = attendance.sessions.get()
    marks = {p.pk: "U" for p in attendance.participations.all()}
    session_log_attendance(session=session, marks=marks, topic="Light", by=users["staff"])
    assert figure(client.get(URL), "Attendance").value == 0


def test_after_a_roll_the_board_is_counted_again_with_the_parts_no_mark_changes(
    as_role, attendance, users, open_contract, site, teacher
):
    """A roll lets the board go; computed again, it reuses the pace, pathways and alumni outcomes kept
    under keys of their own, and counts again only what marks change. A course completed lets the pace
    go too."""
    open_contract(EnrollmentFactory(site=site, teacher=teacher).student, started_on=timezone.localdate())
    client = as_role("staff")
    kept = ("students_contractcredits", "programs_pathwaystudenttotals", "alumni_outcometotals")
    with CaptureQueriesContext(connection) as first:
        assert figure(client.get(URL), "Attendance").value == 90
    read = " ".join(q["sql"] for q in first.captured_queries)
    assert all(table in read for table in kept)

    session = attendance.sessions.get()
    marks = {p.pk: "U" for p in attendance.participations.all()}
    session_log_attendance(session=session, marks=marks, topic="Light", by=users["staff"])
    with CaptureQueriesContext(connection) as after_roll:
        response = client.get(URL)
    assert figure(response, "Attendance").value == 0
    read = " ".join(q["sql"] for q in after_roll.captured_queries)
    assert "programs_cohortabsencetotals" in read  # the cards' counts, again
    for table in kept:
        assert table not in read, table
    assert figure(response, "Contracts on track").value == 1

    contract = Contract.objects.get(status="active")
    contract_course_resolve(
        course=contract.courses.first(),
        status="completed",
        grade="B",
        resolved_on=timezone.localdate(),
        by=teacher,
    )
    with CaptureQueriesContext(connection) as after_course:
        client.get(URL)
    read = " ".join(q["sql"] for q in after_course.captured_queries)
    assert "students_contractcredits" in read  # the pace, counted again
    assert "programs_pathwaystudenttotals" not in read


@pytest.mark.parametrize(("role", "status"), matrix(admin=200, staff=200, counselor=200))
def test_funder_report_permissions(as_role, role, status):
    assert as_role(role).get(reverse("dashboard:report")).status_code == status


def test_the_funder_report_carries_the_same_figures_and_the_filters(as_role, attendance):
    client = as_role("staff")
    report = client.get(reverse("dashboard:report"), {"site": attendance.site_id})
    assert figure(report, "Attendance").value == 90
    assert report.context["site"] == attendance.site
    assert f"site={attendance.site_id}" in client.get(URL, {"site": attendance.site_id}).content.decode()


def test_the_referral_funnel_is_a_figure_and_a_chart(as_role, users):
    source = PartnerFactory(kind="youth_centre")
    for n in range(4):
        Referral.objects.create(
            source=source,
            first_name=f"Y{n}",
            last_name="Z",
            date_of_birth=date(2008, 1, 1),
            received_on=date(2026, 10, 1),
            counselor=users["counselor"],
            **({"contacted_on": date(2026, 10, 2)} if n < 2 else {}),
        )
    response = as_role("staff").get(URL)
    card = figure(response, "Referrals enrolled")
    assert (card.value, str(card.detail)) == (0, "0 of 4 referred")
    assert response.context["board"].charts["funnel"]["counts"] == [4, 2, 0, 0]


def test_pathway_figures_count_completion_graduation_and_certification(as_role, site, teacher):
    level1, level2 = ProgramFactory(name="Stagecraft 1"), ProgramFactory(name="Stagecraft 2", level=2)
    pathway = Pathway.objects.create(name="Stagecraft Technical Theatre")
    PathwayStep.objects.create(pathway=pathway, program=level1, position=1)
    PathwayStep.objects.create(pathway=pathway, program=level2, position=2)
    certification = Certification.objects.create(name="OSHA 10", issuer="OSHA")
    certification.pathways.add(pathway)
    finisher, starter = (EnrollmentFactory(site=site, teacher=teacher).student for _ in range(2))
    for program in (level1, level2):
        Participation.objects.create(
            cohort=CohortFactory(site=site, program=program),
            student=finisher,
            joined_on=date(2026, 1, 5),
            status="completed",
            ended_on=date(2026, 6, 1),
        )
    Participation.objects.create(
        cohort=CohortFactory(site=site, program=level1), student=starter, joined_on=date(2026, 9, 14)
    )
    Credential.objects.create(student=finisher, certification=certification, earned_on=date(2026, 6, 2))
    response = as_role("staff").get(URL)
    assert figure(response, "Pathway completion").value == 50
    assert figure(response, "Certification of pathway students").value == 50
    assert figure(response, "Graduation of pathway students").value == 0


def test_the_date_boxes_show_the_period_in_effect_and_the_links_carry_it(as_role, site):
    today = timezone.localdate()
    default = as_role("staff").get(reverse("dashboard:dashboard"))
    assert default.context["filters"]["start"].value() == (today - timedelta(days=90)).isoformat()
    assert default.context["filters"]["end"].value() == today.isoformat()
    chosen = as_role("staff").get(
        reverse("dashboard:dashboard"), {"site": site.pk, "start": "2026-09-01", "end": "2026-10-31"}
    )
    period = "start=2026-09-01&end=2026-10-31"
    assert figure(chosen, "Attendance").link == f"{reverse('sites:detail', args=[site.pk])}?{period}"
    assert figure(chosen, "Program completion").link == f"{reverse('programs:cohort_list')}?site={site.pk}"
    assert figure(chosen, "Referrals enrolled").link == f"{reverse('students:referral_funnel')}?{period}"
    assert chosen.context["query"] == f"site={site.pk}&{period}"


def test_referrals_and_the_enrollment_chart_follow_the_filters(as_role, site, other_site):
    ReferralFactory(received_on=date(2026, 9, 15))
    ReferralFactory(received_on=date(2026, 3, 2))
    september = as_role("staff").get(
        reverse("dashboard:dashboard"), {"start": "2026-09-01", "end": "2026-09-30"}
    )
    assert figure(september, "Referrals enrolled").detail == "0 of 1 referred"
    whole_year = as_role("staff").get(
        reverse("dashboard:dashboard"), {"start": "2026-01-01", "end": "2026-12-31"}
    )
    assert figure(whole_year, "Referrals enrolled").detail == "0 of 2 referred"
    one_site = as_role("staff").get(reverse("dashboard:dashboard"), {"site": other_site.pk})
    assert one_site.context["board"].charts["enrollment_by_site"]["labels"] == [other_site.name]
    assert [s.name for s in one_site.context["board"].sites] == [other_site.name]
    funnel = as_role("staff").get(
        reverse("students:referral_funnel"), {"start": "2026-09-01", "end": "2026-09-30"}
    )
    assert funnel.context["totals"]["received"] == 1
    assert as_role("staff").get(reverse("students:referral_funnel")).context["totals"]["received"] == 2


def test_the_credits_and_pathway_cards_open_their_lists_with_the_site_and_period(
    as_role, site, other_site, teacher, open_contract
):
    september, march = (
        open_contract(
            EnrollmentFactory(site=site, teacher=teacher, started_on=date(2026, 1, 5)).student,
            started_on=date(2026, 1, 5),
        )
        for _ in range(2)
    )
    for contract, day in ((september, date(2026, 9, 20)), (march, date(2026, 3, 2))):
        contract_course_resolve(
            course=contract.courses.first(), status="completed", grade="B", resolved_on=day, by=teacher
        )
    client = as_role("staff")
    board = client.get(URL, {"site": site.pk, "start": "2026-09-01", "end": "2026-09-30"})
    credits = figure(board, "Credits earned")
    assert credits.value == 5
    listed = client.get(credits.link).context["page"].object_list
    assert [c.pk for c in listed] == [september.pk]

    program = ProgramFactory(name="Stagecraft 1")
    pathway = Pathway.objects.create(name="Stagecraft Technical Theatre")
    PathwayStep.objects.create(pathway=pathway, program=program, position=1)
    here, there = (
        EnrollmentFactory(site=site, teacher=teacher).student,
        EnrollmentFactory(site=other_site).student,
    )
    for student, place in ((here, site), (there, other_site)):
        Participation.objects.create(
            cohort=CohortFactory(site=place, program=program), student=student, joined_on=date(2026, 9, 14)
        )
    card = figure(board, "Pathway completion")
    assert card.link == f"{reverse('programs:program_list')}?site={site.pk}#pathways"
    programs = client.get(card.link.split("#")[0])
    assert f"Only {site.name} is shown" in programs.content.decode()
    detail = client.get(f"{reverse('programs:pathway_detail', args=[pathway.pk])}?site={site.pk}")
    assert [s.pk for s in detail.context["students"]] == [here.pk]
    everywhere = client.get(reverse("programs:pathway_detail", args=[pathway.pk]))
    assert {s.pk for s in everywhere.context["students"]} == {here.pk, there.pk}


def test_across_many_sites_the_board_shows_the_fullest_and_says_so(as_role, site, teacher):
    for n in range(14):
        SiteFactory(name=f"Storefront {n:02d}")
    EnrollmentFactory(site=site, teacher=teacher)
    response = as_role("staff").get(reverse("dashboard:dashboard"))
    board = response.context["board"]
    total = Site.objects.count()
    assert (len(board.sites), board.sites_total, board.sites[0].name) == (12, total, site.name)
    assert board.charts["enrollment_by_site"]["labels"] == [s.name for s in board.sites]
    assert f"The 12 fullest of {total} sites." in response.content.decode()
    report = as_role("staff").get(reverse("dashboard:report")).content.decode()
    assert f"The 12 fullest of {total} sites." in report
