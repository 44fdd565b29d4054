"""A staff member downloads the filtered student list as CSV from the browser."""

from pathlib import Path

import pytest
from playwright.sync_api import Page

from artworx import roles
from tests.e2e.signin import sign_in
from tests.factories import EnrollmentFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_download_the_filtered_student_list(page: Page, live_server):
    UserFactory(username="staff", role=roles.PROGRAM_STAFF)
    teacher = UserFactory(role=roles.TEACHER)
    site = SiteFactory(name="Eastside Storefront", teachers=[teacher])
    EnrollmentFactory(site=site, teacher=teacher, student__first_name="Nayeli", student__last_name="Cruz")
    EnrollmentFactory(site=site, teacher=teacher, student__first_name="Omar", student__last_name="Flores")
    sign_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/students/?q=Nayeli")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download students as CSV").click()
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    assert download.suggested_filename.startswith("artworx-students-")
    assert "Nayeli" in text and "Omar" not in text
