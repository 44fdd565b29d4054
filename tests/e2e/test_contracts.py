"""A teacher runs a contract's life cycle in the browser: open, sign, record results, see it complete."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from artworx import roles
from students.models import AgreementVersion
from students.services import agreement_sign
from tests.e2e.signin import sign_in
from tests.factories import EnrollmentFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_teacher_opens_a_contract_and_completes_it(page: Page, live_server):
    teacher = UserFactory(username="rivera", first_name="Ana", last_name="Rivera", role=roles.TEACHER)
    site = SiteFactory(name="Eastside Storefront", teachers=[teacher])
    enrollment = EnrollmentFactory(
        site=site,
        teacher=teacher,
        student__first_name="Mateo",
        student__last_name="Flores",
        student__prior_credits=100,
    )

    sign_in(page, live_server, "rivera")
    page.get_by_role("link", name="Mateo Flores").click()
    page.get_by_role("link", name="Open a contract").click()
    today = timezone.localdate().isoformat()
    page.get_by_label("Start date").fill(today)
    page.get_by_label("Subject area 1").select_option(label="English")
    page.get_by_label("Title 1").fill("English 11A")
    page.get_by_label("Credits 1").fill("5")
    page.get_by_label("Subject area 2").select_option(label="Mathematics")
    page.get_by_label("Title 2").fill("Algebra 1B")
    page.get_by_label("Credits 2").fill("5")
    page.get_by_role("button", name="Open contract").click()
    expect(page.get_by_text("Contract opened as a draft")).to_be_visible()
    page.get_by_role("button", name="Send for signatures").click()
    expect(page.get_by_text("The agreement was sent for signatures.")).to_be_visible()
    # The student and a guardian sign from their links (their own test); the teacher signs here.
    version = AgreementVersion.objects.get(status="sent")
    agreement_sign(version=version, role="student", typed_name="Mateo", language="en", ip_address=None)
    guardian = enrollment.student.guardians.create(name="Rosa Flores", relationship="parent")
    agreement_sign(
        version=version, role="guardian", typed_name="Rosa", language="es", ip_address=None, guardian=guardian
    )
    page.reload()
    page.get_by_label("Your full name").fill("Ana Rivera")
    page.get_by_label("I have read this agreement and I agree to it.").check()
    page.get_by_role("button", name="Sign as supervising teacher").click()
    expect(page.get_by_text("the contract is active")).to_be_visible()

    for title in ("English 11A", "Algebra 1B"):
        page.get_by_role("row", name=title).get_by_role("link", name="Record result").click()
        page.get_by_label("Completed", exact=True).check()
        page.get_by_label("Grade").select_option("B")
        page.get_by_label("Date").fill(today)
        page.get_by_role("button", name="Record result").click()
        expect(page.get_by_text(f"{title} recorded.")).to_be_visible()

    expect(page.locator("h1 .badge")).to_have_text("Completed")
    page.get_by_role("link", name="Student page").click()
    expect(page.get_by_text("110 of 210 credits earned toward graduation.")).to_be_visible()
