"""A teacher records a guardian's consent to texts and writes to the family from the student page."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from artworx import roles
from families.models import Message
from tests.e2e.signin import sign_in
from tests.factories import EnrollmentFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
MORNING = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


def test_a_teacher_texts_a_spanish_speaking_family_from_a_phone(
    page: Page, live_server, settings, monkeypatch
):
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = ""  # the embedded default: the console
    # Delivery is not this test's subject: the text stays queued in the outbox, off the shared broker.
    monkeypatch.setattr("families.services.deliveries_enqueue", lambda **kwargs: None)
    teacher = UserFactory(username="rivera", first_name="Ana", last_name="Rivera", role=roles.TEACHER)
    site = SiteFactory(name="Eastside Storefront", teachers=[teacher])
    EnrollmentFactory(site=site, teacher=teacher, student__first_name="Mateo", student__last_name="Flores")
    page.set_viewport_size({"width": 390, "height": 844})
    with time_machine.travel(MORNING, tick=True):  # outside quiet hours, whatever the hour of the run
        sign_in(page, live_server, "rivera")
        page.get_by_role("link", name="Mateo Flores").click()
        expect(page.get_by_text("No guardian has agreed to receive text messages yet")).to_be_visible()
        page.get_by_role("link", name="Add guardian").click()
        page.get_by_label("Name").fill("Rosa Flores")
        page.get_by_label("Relationship").select_option(label="Parent")
        page.get_by_label("Mobile phone").fill("213-55-0123")
        page.get_by_label("Language").select_option(label="Spanish")
        page.get_by_label("Accepts text messages").check()
        page.get_by_label("How was consent given or withdrawn?").select_option(label="On a paper form")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#id_phone.is-invalid")).to_be_visible()  # too short: refused, nothing saved
        page.get_by_label("Mobile phone").fill("(213) 555-0123")
        page.get_by_label("Accepts text messages").check()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Guardian added.")).to_be_visible()
        expect(page.get_by_text("(213) 555-0123")).to_be_visible()
        page.get_by_text("Consent history").click()
        expect(page.locator("[data-consent-history]")).to_contain_text("On a paper form")

        page.get_by_label("Message", exact=True).select_option(label="Please call us")
        page.get_by_role("button", name="Send text").click()
        expect(page.get_by_text("Message queued for Rosa Flores.")).to_be_visible()
        expect(page.locator("[data-family-thread]")).to_contain_text("por favor llámenos sobre Mateo")
    assert (
        Message.objects.get().body == "Hola de parte de artworx: por favor llámenos sobre Mateo cuando pueda."
    )
