"""Graduate a student in the browser, follow them as an alumnus, and see them in the outcomes."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from artworx import roles
from tests.e2e.signin import sign_in
from tests.factories import EnrollmentFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_graduate_a_student_and_record_a_check_in(page: Page, live_server):
    UserFactory(username="staff", first_name="Marcus", last_name="Hill", role=roles.PROGRAM_STAFF)
    teacher = UserFactory(role=roles.TEACHER)
    site = SiteFactory(name="Eastside Storefront", teachers=[teacher])
    enrollment = EnrollmentFactory(
        site=site,
        teacher=teacher,
        started_on=date(2024, 9, 3),
        student__first_name="Nayeli",
        student__last_name="Cruz",
    )
    graduation = date(timezone.localdate().year - 1, 6, 12)

    sign_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/students/{enrollment.student_id}/")
    page.get_by_role("link", name="End enrollment").click()
    page.get_by_label("Last day").fill(graduation.isoformat())
    page.get_by_label("Reason").select_option(label="Graduated")
    page.get_by_label("Diploma or equivalency").select_option(label="HiSET")
    page.get_by_role("button", name="End enrollment").click()
    expect(page.get_by_text("Confirm the graduation: it opens an alumni record.")).to_be_visible()
    page.get_by_label("Yes, the student graduated").check()
    page.get_by_role("button", name="End enrollment").click()
    expect(page.get_by_text("Enrollment of Nayeli Cruz ended.")).to_be_visible()

    page.get_by_role("link", name="Alumni", exact=True).first.click()
    page.get_by_role("link", name="Nayeli Cruz").click()
    expect(page.get_by_text("Staff contact: Marcus Hill")).to_be_visible()
    page.get_by_role("link", name="Record check-in").click()
    page.get_by_label("Date").first.fill(date(graduation.year, 8, 1).isoformat())
    page.get_by_label("Method").select_option(label="Call")
    page.get_by_label("Outcome at this point").select_option(label="Creative-industry job")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Check-in saved.")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Creative-industry job")

    page.goto(f"{live_server.url}/alumni/outcomes/")
    section = page.locator("section", has_text=f"Class of {graduation.year}")
    expect(section.get_by_role("row", name="Creative-industry job")).to_contain_text("1 (100%)")
