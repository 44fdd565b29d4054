"""A staff member opens the dashboard, filters by site and follows a number to its list."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from artworx import roles
from programs.models import Session
from tests.e2e.signin import sign_in
from tests.factories import CohortFactory, ProgramFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_filter_the_dashboard_and_drill_into_sessions_not_logged(page: Page, live_server):
    UserFactory(username="staff", first_name="Marcus", role=roles.PROGRAM_STAFF)
    eastside, watts = SiteFactory(name="Eastside Storefront"), SiteFactory(name="Watts Classroom")
    yesterday = timezone.localdate() - timedelta(days=1)
    for site, name in [(eastside, "Photography 1"), (watts, "Stagecraft 1")]:
        cohort = CohortFactory(site=site, program=ProgramFactory(name=name))
        Session.objects.create(cohort=cohort, date=yesterday, starts_at=time(15), duration_minutes=60)

    sign_in(page, live_server, "staff")
    page.get_by_role("link", name="Dashboard").click()
    card = page.locator(".figure-card", has_text="Sessions not logged")
    expect(card.locator(".fs-3")).to_have_text("2")
    expect(page.locator("canvas[data-chart='attendance']")).to_be_visible()

    page.get_by_label("Site", exact=True).select_option(label="Watts Classroom")
    page.get_by_role("button", name="Show").click()
    # The date boxes hold the period in effect (the last 90 days), so the address carries it.
    today = timezone.localdate()
    period = f"start={(today - timedelta(days=90)).isoformat()}&end={today.isoformat()}"
    expect(page).to_have_url(f"{live_server.url}/dashboard/?site={watts.pk}&{period}")
    expect(card.locator(".fs-3")).to_have_text("1")

    card.click()
    expect(page.get_by_role("heading", name="Sessions not logged")).to_be_visible()
    expect(page.get_by_role("row", name="Stagecraft 1")).to_be_visible()
    expect(page.get_by_text("Photography 1")).to_have_count(0)
