"""A teaching artist on a phone logs a session and sees it marked logged."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from artworx import roles
from programs.models import Attendance, Participation, Session
from tests.factories import CohortFactory, EnrollmentFactory, ProgramFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_artist_logs_todays_session_with_one_thumb(page: Page, live_server):
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
    names = ["Mateo", "Nayeli", "Omar"]
    for name in names:
        student = EnrollmentFactory(site=site, teacher=teacher, student__first_name=name).student
        Participation.objects.create(cohort=cohort, student=student, joined_on=today - timedelta(days=30))
    Session.objects.create(cohort=cohort, date=today, starts_at=time(0, 5), duration_minutes=60)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("soto")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()

    card = page.locator(".session-card", has_text="Photography 1")
    expect(card).to_contain_text("To log")
    card.click()

    # Nothing is pre-selected: saving now is refused and names who is missing.
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Choose a mark for Mateo")).to_be_visible()

    page.get_by_role("button", name="All present").click()
    page.get_by_role("radiogroup", name="Omar").get_by_title("Tardy").click()
    page.get_by_label("Topic").fill("Natural light portraits")
    page.get_by_role("button", name="Save attendance").click()

    expect(page.get_by_text("Attendance saved for Photography 1.")).to_be_visible()
    expect(page.locator(".session-card", has_text="Photography 1")).to_contain_text("Logged")
    assert dict(Attendance.objects.values_list("participation__student__first_name", "mark")) == {
        "Mateo": "P",
        "Nayeli": "P",
        "Omar": "T",
    }
