"""A staff member enrolls a student in the browser: a full site is refused, a free one accepted."""

import pytest
from playwright.sync_api import Page, expect

from artworx import roles
from tests.e2e.signin import sign_in
from tests.factories import EnrollmentFactory, SiteFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_enroll_a_student_after_a_full_site_refuses(page: Page, live_server):
    UserFactory(username="staff", role=roles.PROGRAM_STAFF)
    teacher = UserFactory(username="rivera", first_name="Ana", last_name="Rivera", role=roles.TEACHER)
    full = SiteFactory(name="Watts Classroom", capacity=1, teachers=[teacher])
    nguyen = UserFactory(username="nguyen", first_name="Kim", last_name="Nguyen", role=roles.TEACHER)
    SiteFactory(name="Eastside Storefront", capacity=50, teachers=[teacher, nguyen])
    EnrollmentFactory(site=full, teacher=teacher)
    StudentFactory(first_name="Nayeli", last_name="Cruz")

    sign_in(page, live_server, "staff")
    page.get_by_role("link", name="Students", exact=True).first.click()
    page.get_by_label("Search").fill("Nayeli")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Cruz, Nayeli").click()
    page.get_by_role("link", name="Enroll at a site").first.click()

    page.get_by_label("Site").select_option(label="Watts Classroom (full)")
    # Choosing a site narrows the teachers to those who teach there, without a reload.
    expect(page.get_by_label("Teacher").locator("option", has_text="Kim Nguyen")).to_be_disabled()
    page.get_by_label("Teacher").select_option(
        label="Ana Rivera, Eastside Storefront, Watts Classroom (1 of 25 students)"
    )
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_text("Watts Classroom is full: its 1 seat is taken")).to_be_visible()

    page.get_by_label("Site").select_option(label="Eastside Storefront (50 seats left)")
    expect(page.get_by_label("Teacher").locator("option", has_text="Kim Nguyen")).to_be_enabled()
    page.get_by_label("Teacher").select_option(
        label="Ana Rivera, Eastside Storefront, Watts Classroom (1 of 25 students)"
    )
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_text("Nayeli Cruz enrolled at Eastside Storefront.")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Enrolled")


def test_a_teacher_on_a_phone_sees_their_caseload(page: Page, live_server):
    teacher = UserFactory(username="rivera", role=roles.TEACHER)
    site = SiteFactory(name="Eastside Storefront", teachers=[teacher])
    EnrollmentFactory(site=site, teacher=teacher, student__first_name="Mateo", student__last_name="Flores")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "rivera")
    expect(page.get_by_role("link", name="Mateo Flores")).to_be_visible()
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Students", exact=True)).to_be_visible()
