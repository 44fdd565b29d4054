"""A refused roll call on a phone says so where the artist is looking, and a session is logged once begun.

The clock is fixed (a Monday at 4 p.m. in Los Angeles) so what is checked does not depend on the hour
the suite runs at.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from artworx import roles
from programs.models import Attendance, Participation, Session
from tests.e2e.signin import sign_in
from tests.factories import CohortFactory, EnrollmentFactory, ProgramFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
MONDAY = date(2026, 11, 16)
FOUR_PM = datetime(2026, 11, 16, 16, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
NAMES = [f"Student{n:02d}" for n in range(1, 19)]  # 18 rows: the last ones are below a phone's fold


@pytest.fixture
def roll(db):
    teacher = UserFactory(role=roles.TEACHER)
    UserFactory(username="soto", role=roles.TEACHING_ARTIST)
    site = SiteFactory(name="Eastside Storefront", teachers=[teacher])
    cohort = CohortFactory(
        program=ProgramFactory(name="Photography 1"),
        site=site,
        teaching_artists=[roles.people_with(roles.TEACHING_ARTIST).get()],
        term_starts_on=MONDAY - timedelta(days=28),
        term_ends_on=MONDAY + timedelta(days=28),
    )
    for name in NAMES:
        student = EnrollmentFactory(site=site, teacher=teacher, student__first_name=name).student
        Participation.objects.create(cohort=cohort, student=student, joined_on=MONDAY - timedelta(days=28))
    held = Session.objects.create(cohort=cohort, date=MONDAY, starts_at=time(15, 30), duration_minutes=90)
    later = Session.objects.create(cohort=cohort, date=MONDAY, starts_at=time(18, 0), duration_minutes=60)
    return held, later


def test_an_unmarked_student_below_the_fold_is_brought_into_view_with_a_summary(
    page: Page, live_server, roll
):
    held, _later = roll
    with time_machine.travel(FOUR_PM, tick=True):
        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(page, live_server, "soto")
        page.goto(f"{live_server.url}/programs/sessions/{held.pk}/log/")
        counter = page.locator("[data-marked-count]")
        expect(counter).to_have_text("0 of 18 marked")
        for name in NAMES[:-1]:
            page.get_by_role("radiogroup", name=name).get_by_title("Present", exact=True).click()
        expect(counter).to_have_text("17 of 18 marked")
        page.get_by_role("button", name="Save attendance").click()

        summary = page.locator("#unmarked-summary")
        expect(summary).to_contain_text("Nothing was saved: 1 student has no mark yet.")
        expect(summary.get_by_role("link", name=NAMES[-1])).to_be_visible()
        last_row = page.locator(".mark-row", has_text=NAMES[-1])
        expect(last_row).to_be_in_viewport()
        expect(last_row.locator('input[type="radio"]').first).to_be_focused()
        expect(counter).to_have_text("17 of 18 marked")  # the marks given are kept
        assert not Attendance.objects.exists()

        page.keyboard.press("Space")  # the focused first mark: Present
        expect(counter).to_have_text("18 of 18 marked")
        page.get_by_role("button", name="Save attendance").click()
        expect(page.get_by_text("Attendance saved for Photography 1.")).to_be_visible()
    assert Attendance.objects.filter(session=held, mark="P").count() == 18


def test_a_session_that_has_not_begun_says_when_it_can_be_logged(page: Page, live_server, roll):
    _held, later = roll
    with time_machine.travel(FOUR_PM, tick=True):
        sign_in(page, live_server, "soto")
        page.goto(f"{live_server.url}/programs/sessions/{later.pk}/log/")
        expect(page.get_by_role("status")).to_contain_text("log it once it has begun")
        page.get_by_role("button", name="All present").click()
        page.get_by_role("button", name="Save attendance").click()
        expect(page.get_by_role("alert")).to_contain_text("log it once it has begun")
    assert not Attendance.objects.filter(session=later).exists()
