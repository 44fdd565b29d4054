"""Each person's Today page in a browser: an item closes when someone else ends its condition, and a
seat freed at a full site says so on the page that freed it."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from artworx import roles
from notifications.sweeps import run_sweeps
from programs.models import Participation, Session
from tests.e2e.signin import sign_in
from tests.factories import (
    CohortFactory,
    EnrollmentFactory,
    ProgramFactory,
    SiteFactory,
    UserFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_artist_logs_a_session_and_the_leads_today_page_no_longer_lists_it(
    page: Page, browser: Browser, live_server
):
    lead = UserFactory(username="lead", first_name="Rosa", role=roles.PROGRAM_STAFF)
    teacher = UserFactory(role=roles.TEACHER)
    artist = UserFactory(username="soto", first_name="Javier", role=roles.TEACHING_ARTIST)
    site = SiteFactory(name="Eastside Storefront", teachers=[teacher], lead=lead)
    today = timezone.localdate()
    cohort = CohortFactory(
        program=ProgramFactory(name="Photography 1"),
        site=site,
        teaching_artists=[artist],
        term_starts_on=today - timedelta(days=30),
        term_ends_on=today + timedelta(days=30),
    )
    student = EnrollmentFactory(site=site, teacher=teacher, student__first_name="Mateo").student
    Participation.objects.create(cohort=cohort, student=student, joined_on=today - timedelta(days=30))
    # Three days ago and never logged: past the 48 hours, so the site's lead has the item too.
    session = Session.objects.create(
        cohort=cohort, date=today - timedelta(days=3), starts_at=time(10), duration_minutes=60
    )
    run_sweeps(now=timezone.now())

    sign_in(page, live_server, "lead")
    page.goto(f"{live_server.url}{reverse('notifications:today')}")
    item = page.locator(".today-item", has_text="Photography 1")
    expect(item).to_have_count(1)
    expect(page.locator(".notification-bell .badge")).to_contain_text("1")

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    artist_page = phone.new_page()
    sign_in(artist_page, live_server, "soto")
    artist_page.goto(f"{live_server.url}{reverse('programs:session_log', args=[session.pk])}")
    artist_page.get_by_role("button", name="All present").click()
    artist_page.get_by_role("button", name="Save attendance").click()
    expect(artist_page.get_by_text("Attendance saved for Photography 1.")).to_be_visible()
    phone.close()

    page.reload()
    expect(page.locator(".today-item", has_text="Photography 1")).to_have_count(0)
    expect(page.get_by_text("Nothing open for you today.")).to_be_visible()
    expect(page.locator(".notification-bell .badge")).to_have_count(0)


def test_a_seat_freed_at_a_full_site_shows_the_waitlist_prompt_on_the_same_page(page: Page, live_server):
    lead = UserFactory(username="lead", first_name="Rosa", role=roles.PROGRAM_STAFF)
    teacher = UserFactory(role=roles.TEACHER)
    site = SiteFactory(name="Watts Classroom", capacity=1, teachers=[teacher], lead=lead)
    leaving = EnrollmentFactory(site=site, teacher=teacher, student__first_name="Omar")
    WaitlistEntryFactory(site=site, student__first_name="Nayeli", student__last_name="Cruz")
    WaitlistEntryFactory(site=site)

    sign_in(page, live_server, "lead")
    page.goto(f"{live_server.url}{reverse('students:exit', args=[leaving.pk])}")
    page.get_by_label("Last day").fill(timezone.localdate().isoformat())
    page.get_by_label("Reason").select_option("moved")
    page.get_by_role("button", name="End enrollment").click()

    expect(
        page.get_by_text("A seat is open at Watts Classroom: 2 waiting; enroll Nayeli Cruz")
    ).to_be_visible()
    page.get_by_role("link", name="Open the waitlist").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('students:waitlist', args=[site.pk])}")
    # ...and the item is open for the site's lead, without waiting for a sweep.
    page.goto(f"{live_server.url}{reverse('notifications:today')}")
    expect(page.locator(".today-item", has_text="Watts Classroom")).to_have_count(1)
    expect(page.get_by_role("link", name="Enroll from the waitlist")).to_be_visible()


def test_switching_to_spanish_reads_the_today_page_and_its_dates_in_spanish(page: Page, live_server):
    lead = UserFactory(username="lead", first_name="Rosa", role=roles.PROGRAM_STAFF)
    site = SiteFactory(name="Eastside Storefront", teachers=[UserFactory(role=roles.TEACHER)], lead=lead)
    today = timezone.localdate()
    cohort = CohortFactory(
        program=ProgramFactory(name="Photography 1"),
        site=site,
        teaching_artists=[UserFactory(role=roles.TEACHING_ARTIST)],
        term_starts_on=today - timedelta(days=30),
        term_ends_on=today + timedelta(days=30),
    )
    day = today - timedelta(days=3)
    Session.objects.create(cohort=cohort, date=day, starts_at=time(10), duration_minutes=60)
    run_sweeps(now=timezone.now())

    sign_in(page, live_server, "lead")
    page.goto(f"{live_server.url}{reverse('notifications:today')}")
    item = page.locator(".today-item", has_text="Photography 1")
    expect(item).to_contain_text(f"Still not logged after 48 hours: Photography 1, {day:%m/%d/%Y}")
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", name="Hoy")).to_be_visible()
    expect(item).to_contain_text(f"Sin registrar después de 48 horas: Photography 1, {day:%d/%m/%Y}")
    expect(page.locator(".notification-bell .badge")).to_contain_text("1")
