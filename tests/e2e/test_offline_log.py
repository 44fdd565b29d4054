"""A teaching artist logs a session with the network cut, and the marks arrive once when it returns."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from artworx import roles
from programs.models import Attendance, Participation, Session, SessionLogSubmission
from programs.services import session_log_attendance
from tests.factories import CohortFactory, EnrollmentFactory, ProgramFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def todays_session(db):
    """Today's session of an artist's cohort of three."""
    teacher = UserFactory(role=roles.TEACHER)
    artist = UserFactory(username="soto", first_name="Javier", last_name="Soto", role=roles.TEACHING_ARTIST)
    site = SiteFactory(name="Eastside Storefront", teachers=[teacher])
    today = timezone.localdate()
    cohort = CohortFactory(
        program=ProgramFactory(name="Photography 1"),
        site=site,
        teaching_artists=[artist],
        term_starts_on=today - timedelta(days=30),
        term_ends_on=today + timedelta(days=30),
    )
    for name in ["Mateo", "Nayeli", "Omar"]:
        student = EnrollmentFactory(site=site, teacher=teacher, student__first_name=name).student
        Participation.objects.create(cohort=cohort, student=student, joined_on=today - timedelta(days=30))
    return Session.objects.create(cohort=cohort, date=today, starts_at=time(0, 5), duration_minutes=60)


def status(page: Page):
    """What the page says about logs kept on the phone."""
    return page.locator("[data-offline-status]")


def open_my_sessions(page: Page, live_server) -> None:
    """Log in on a phone and open "My sessions" while online: the phone keeps the logs it lists."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("soto")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My sessions")).to_be_visible()
    expect(page.locator("html[data-offline-ready]")).to_have_count(1)
    expect(page.get_by_text("you can log them without a connection")).to_be_visible()


def log_offline(page: Page, context: BrowserContext) -> None:
    """With the network cut, open the kept log, mark everyone and save."""
    context.set_offline(True)
    page.locator(".session-card", has_text="Photography 1").click()
    expect(status(page)).to_contain_text("You are offline.")
    page.get_by_role("button", name="All present").click()
    page.get_by_role("radiogroup", name="Omar").get_by_title("Tardy").click()
    page.get_by_label("Topic").fill("Natural light portraits")
    page.get_by_role("button", name="Save attendance").click()
    expect(status(page)).to_contain_text("Saved on this phone, not yet sent.")


def test_a_log_saved_offline_is_sent_once_when_the_network_returns(page: Page, live_server, todays_session):
    context = page.context
    open_my_sessions(page, live_server)
    log_offline(page, context)
    assert not Attendance.objects.exists()

    context.set_offline(False)
    expect(status(page)).to_contain_text("The logs saved on this phone were sent.")
    marks = dict(Attendance.objects.values_list("participation__student__first_name", "mark"))
    assert marks == {"Mateo": "P", "Nayeli": "P", "Omar": "T"}
    todays_session.refresh_from_db()
    assert todays_session.topic == "Natural light portraits" and todays_session.log_revision == 1

    # Back on "My sessions" (which sends anything still kept): nothing is sent a second time.
    page.goto(f"{live_server.url}/programs/sessions/")
    expect(page.locator(".session-card", has_text="Photography 1")).to_contain_text("Logged")
    assert Attendance.objects.count() == 3
    assert SessionLogSubmission.objects.count() == 1
    todays_session.refresh_from_db()
    assert todays_session.log_revision == 1


def test_the_page_that_sent_a_kept_log_can_correct_it_at_once(page: Page, live_server, todays_session):
    """After sending, the page knows the log's new revision: its own save is no conflict."""
    context = page.context
    open_my_sessions(page, live_server)
    log_offline(page, context)
    context.set_offline(False)
    expect(status(page)).to_contain_text("The logs saved on this phone were sent.")

    page.get_by_role("radiogroup", name="Omar").get_by_title("Present", exact=True).click()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved for Photography 1.")).to_be_visible()
    assert set(Attendance.objects.values_list("mark", flat=True)) == {"P"}
    todays_session.refresh_from_db()
    assert todays_session.log_revision == 2


def test_a_log_staff_changed_meanwhile_is_not_overwritten(page: Page, live_server, todays_session):
    context = page.context
    open_my_sessions(page, live_server)
    log_offline(page, context)
    staff = UserFactory(role=roles.PROGRAM_STAFF)
    participants = Participation.objects.filter(cohort=todays_session.cohort)
    session_log_attendance(
        session=todays_session, marks={p.pk: "U" for p in participants}, topic="Staff's log", by=staff
    )

    context.set_offline(False)
    expect(status(page)).to_contain_text("Someone else saved this log after you opened it")
    assert set(Attendance.objects.values_list("mark", flat=True)) == {"U"}
    todays_session.refresh_from_db()
    assert todays_session.topic == "Staff's log"


def test_the_phone_can_add_artworx_to_its_home_screen(page: Page, live_server, todays_session):
    open_my_sessions(page, live_server)
    manifest_url = page.locator('link[rel="manifest"]').get_attribute("href")
    manifest = page.request.get(f"{live_server.url}{manifest_url}").json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        response = page.request.get(f"{live_server.url}{icon['src']}")
        assert response.ok and response.headers["content-type"] == "image/png"
    registered = page.evaluate("navigator.serviceWorker.getRegistration('/').then(r => !!(r && r.active))")
    assert registered is True
