"""A teaching artist's pages fit a 390-pixel phone: nothing wider than the screen, every Log button in reach,
and no link that would answer 403."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from playwright.sync_api import Page, expect

from artworx import roles
from artworx.models import User
from devtools.management.commands.seed_demo import DEMO_PASSWORD
from programs.models import Participation, Pathway, PathwayStep, Session
from tests.e2e.signin import sign_in
from tests.factories import CohortFactory, EnrollmentFactory, ProgramFactory, SiteFactory, UserFactory
from tests.security.crawl import crawl

pytestmark = pytest.mark.django_db(transaction=True)
MONDAY = date(2026, 11, 16)
EVENING = datetime(2026, 11, 16, 19, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


@pytest.fixture
def artists_cohort(db):
    teacher = UserFactory(role=roles.TEACHER)
    artist = UserFactory(username="soto", role=roles.TEACHING_ARTIST)
    site = SiteFactory(name="Boyle Heights Arts Storefront with a long name", teachers=[teacher])
    program = ProgramFactory(name="Stagecraft and Technical Theatre Production 2")
    pathway = Pathway.objects.create(name="Stagecraft Technical Theatre")
    PathwayStep.objects.create(pathway=pathway, program=program, position=1)
    cohort = CohortFactory(
        program=program,
        site=site,
        teaching_artists=[artist],
        term_starts_on=MONDAY - timedelta(days=28),
        term_ends_on=MONDAY + timedelta(days=28),
    )
    for n in range(6):
        student = EnrollmentFactory(site=site, teacher=teacher, student__first_name=f"Maximiliano{n}").student
        Participation.objects.create(cohort=cohort, student=student, joined_on=MONDAY - timedelta(days=28))
    for days_ago in (7, 2, 0):
        Session.objects.create(
            cohort=cohort, date=MONDAY - timedelta(days=days_ago), starts_at=time(15, 30), duration_minutes=90
        )
    return cohort


def fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide"


def test_an_artists_pages_fit_a_phone_with_every_button_in_reach(page: Page, live_server, artists_cohort):
    with time_machine.travel(EVENING, tick=True):
        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(page, live_server, "soto")
        fits_the_screen(page)  # My sessions
        for path in ("/programs/cohorts/", f"/programs/cohorts/{artists_cohort.pk}/", "/programs/"):
            page.goto(f"{live_server.url}{path}")
            fits_the_screen(page)
            for link in page.locator("main a[href]").all():
                href = link.get_attribute("href")
                if href.startswith("/") and not href.startswith("/exports/"):
                    assert page.request.get(f"{live_server.url}{href}").status != 403, href
        page.goto(f"{live_server.url}/programs/cohorts/{artists_cohort.pk}/")
        log_buttons = page.get_by_role("link", name="Log")
        expect(log_buttons).to_have_count(3)
        for button in log_buttons.all():
            box = button.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        page.goto(f"{live_server.url}/programs/")
        expect(page.get_by_text("Stagecraft Technical Theatre", exact=True)).to_be_visible()
        expect(page.get_by_role("link", name="Stagecraft Technical Theatre")).to_have_count(0)


def test_every_page_a_teaching_artist_reaches_in_the_demo_fits_a_phone(page: Page, live_server, demo):
    """Crawled as the demo's artist follows links and filters (tests/security/crawl.py), then each page
    is opened in Chromium at 390 pixels: none is wider than the screen, in either language."""
    artist = User.objects.get(username="artist")
    client = Client()
    client.force_login(artist)
    pages = [url for url, seen in crawl(client, ["/"]).items() if seen.status == 200 and seen.html]
    assert len(pages) >= 10, pages  # the crawl reached the artist's pages, not only the home page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "artist", DEMO_PASSWORD)
    too_wide = {}
    for language in ("en", "es"):
        User.objects.filter(pk=artist.pk).update(language=language)
        for path in pages:
            page.goto(f"{live_server.url}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                too_wide[f"{path} ({language})"] = width
    assert not too_wide, f"pages wider than a 390-pixel phone: {too_wide}"
