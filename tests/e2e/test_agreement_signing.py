"""On a 390-pixel phone a guardian opens the emailed link, reads the agreement in Spanish and signs; the
teacher signs in the app and sees the contract turn active."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from artworx import roles
from students.models import Contract
from students.services import agreement_send, agreement_sign, contract_open
from tests.e2e.signin import sign_in
from tests.factories import EnrollmentFactory, GuardianFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_guardian_signs_in_spanish_on_a_phone_and_the_teacher_sees_the_contract_active(
    browser: Browser, page: Page, live_server, settings
):
    settings.ARTWORX_BASE_URL = live_server.url
    settings.ARTWORX_RUN_TASKS_INLINE = True  # the link is emailed as the transaction commits
    teacher = UserFactory(username="rivera", first_name="Ana", last_name="Rivera", role=roles.TEACHER)
    site = SiteFactory(name="Eastside Storefront", teachers=[teacher])
    student = EnrollmentFactory(
        site=site, teacher=teacher, student__first_name="Mateo", student__last_name="Flores"
    ).student
    GuardianFactory(student=student, name="Rosa Flores", email="rosa@example.org", language="es")
    courses = [{"subject_area": "english", "title": "English 11A", "credits": 5}]
    contract = contract_open(student=student, started_on=timezone.localdate(), courses=courses)
    version = agreement_send(contract=contract, by=teacher)
    agreement_sign(version=version, role="student", typed_name="Mateo Flores", language="en", ip_address=None)
    (email,) = [message for message in mail.outbox if message.to == ["rosa@example.org"]]
    link = re.search(r"http\S+/students/agreements/sign/\S+", email.body).group(0)

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    guardian_page = phone.new_page()
    guardian_page.goto(link)
    heading = guardian_page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Acuerdo escrito de estudio independiente")
    expect(guardian_page.get_by_text("El estudio independiente es voluntario.", exact=False)).to_be_visible()
    assert (
        guardian_page.evaluate("document.documentElement.scrollWidth") <= 390
    )  # nothing wider than the phone
    guardian_page.get_by_label("Escriba su nombre completo").fill("Rosa Flores")
    guardian_page.get_by_label("He leído este acuerdo y estoy de acuerdo.").check()
    guardian_page.get_by_role("button", name="Firmar el acuerdo").click()
    expect(heading).to_have_text("Gracias: su firma quedó registrada.")
    phone.close()

    sign_in(page, live_server, "rivera")
    page.goto(f"{live_server.url}/students/contracts/{contract.pk}/")
    expect(page.locator("#still-to-sign")).to_contain_text("Supervising teacher")
    expect(page.locator("#still-to-sign")).not_to_contain_text("Rosa Flores")
    page.get_by_label("Your full name").fill("Ana Rivera")
    page.get_by_label("I have read this agreement and I agree to it.").check()
    page.get_by_role("button", name="Sign as supervising teacher").click()
    expect(page.get_by_text("Signed: everyone has signed and the contract is active.")).to_be_visible()
    expect(page.locator("[data-agreement-status]")).to_have_text("Signed")
    expect(page.locator("h1 .badge")).to_have_text(re.compile("On track|Behind|At risk"))
    assert Contract.objects.get(pk=contract.pk).status == "active"
