"""A teacher on a phone follows the bell to their Today page, opens an item's message and acts on it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from artworx import roles
from tests.e2e.signin import sign_in
from tests.factories import EnrollmentFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_teacher_acts_on_an_item_from_the_bell_on_a_phone(page: Page, live_server, open_contract):
    teacher = UserFactory(username="rivera", first_name="Ana", last_name="Rivera", role=roles.TEACHER)
    site = SiteFactory(name="Eastside Storefront", teachers=[teacher])
    student = EnrollmentFactory(
        site=site, teacher=teacher, student__first_name="Mateo", student__last_name="Flores"
    ).student
    contract = open_contract(student, length_days=10)
    contract.due_on = timezone.localdate() - timedelta(days=3)  # past: the sweep expires it
    contract.save()
    call_command("send_reminders", "--no-delivery")

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "rivera")
    bell = page.get_by_role("link", name="Today 1 open items")
    expect(bell).to_be_visible()  # outside the collapsed menu: one tap on a phone
    bell.click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Contract expired 1")).to_be_visible()
    page.get_by_text("More").click()
    expect(page.get_by_text("Plan the next step with the student")).to_be_visible()
    page.get_by_role("link", name="Review the contract").click()
    expect(page.locator("h1")).to_contain_text("Mateo Flores")
