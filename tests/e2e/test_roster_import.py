"""Staff import a roster in the browser: preview, then save, then the students are there."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from artworx import roles
from students.models import Enrollment
from tests.e2e.signin import sign_in
from tests.factories import EnrollmentFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_preview_and_save_a_roster(page: Page, live_server, tmp_path, settings):
    settings.ARTWORX_RUN_TASKS_INLINE = True
    UserFactory(username="staff", role=roles.PROGRAM_STAFF)
    teacher = UserFactory(username="rivera", role=roles.TEACHER)
    SiteFactory(name="Eastside Storefront", teachers=[teacher])
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "district_id,first_name,last_name,date_of_birth,grade,site,teacher,started_on\n"
        "880001,Nayeli,Cruz,2009-03-04,11,Eastside Storefront,rivera,2026-11-02\n"
        "880002,Omar,Flores,2008-07-09,12,Eastside Storefront,rivera,2026-11-02\n"
    )
    sign_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/students/")
    page.get_by_role("link", name="Import a roster").click()
    page.get_by_label("District roster (.csv or .xlsx)").set_input_files(str(roster))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("2 new, 0 updates, 0 with errors.")).to_be_visible()
    page.get_by_role("button", name="Save all 2 rows").click()
    expect(page.get_by_text("2 rows saved.")).to_be_visible()
    page.goto(f"{live_server.url}/students/?q=Nayeli")
    expect(page.get_by_role("link", name="Cruz, Nayeli")).to_be_visible()


def test_a_district_file_names_teachers_as_people_do_and_updates_show_what_changes(
    page: Page, live_server, tmp_path, settings
):
    settings.ARTWORX_RUN_TASKS_INLINE = True
    UserFactory(username="staff", role=roles.PROGRAM_STAFF)
    teacher = UserFactory(username="knguyen", first_name="Kim", last_name="Nguyen", role=roles.TEACHER)
    site = SiteFactory(name="Eastside Storefront", teachers=[teacher])
    EnrollmentFactory(
        site=site,
        teacher=teacher,
        student__district_id="880001",
        student__first_name="Nayeli",
        student__last_name="Cruz",
        student__date_of_birth=date(2009, 3, 4),
        student__grade=11,
    )
    header = "district_id,first_name,last_name,date_of_birth,grade,site,teacher,started_on\n"
    broken = tmp_path / "broken.csv"
    broken.write_text(header + "880002,Omar,Flores,2008-07-09,12,Eastside Storefront,Kim Ngyuen,2026-11-02\n")
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(
        header
        + "880001,Nayeli,Cruz,2009-04-03,11,Eastside Storefront,Kim Nguyen,2026-11-02\n"
        + "880002,Omar,Flores,2008-07-09,12,Eastside Storefront,Kim Nguyen,2026-11-02\n"
    )
    sign_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/students/roster-imports/")
    expect(page.get_by_text("The teacher's full name, email or username.")).to_be_visible()
    page.get_by_label("District roster (.csv or .xlsx)").set_input_files(str(broken))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("no active teacher is called Kim Ngyuen")).to_be_visible()
    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("District roster (.csv or .xlsx)").set_input_files(str(fixed))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("1 new, 1 update, 0 with errors.")).to_be_visible()
    expect(page.get_by_text("Date of birth: 03/04/2009 → 04/03/2009")).to_be_visible()
    page.get_by_role("button", name="Save all 2 rows").click()
    expect(page.get_by_text("2 rows saved.")).to_be_visible()
    assert set(Enrollment.objects.filter(ended_on__isnull=True).values_list("teacher", flat=True)) == {
        teacher.pk
    }
