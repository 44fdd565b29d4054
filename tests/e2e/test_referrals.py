"""A referral converted into a full site waits on its waitlist, then is enrolled from it when a seat frees."""

import pytest
from playwright.sync_api import Page, expect

from artworx import roles
from students.models import Enrollment
from tests.e2e.signin import sign_in
from tests.factories import EnrollmentFactory, ReferralFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_referral_joins_a_full_sites_waitlist_and_is_enrolled_from_it(page: Page, live_server):
    UserFactory(username="counselor", role=roles.COUNSELOR)
    teacher = UserFactory(username="rivera", first_name="Ana", last_name="Rivera", role=roles.TEACHER)
    full = SiteFactory(name="Watts Classroom", capacity=1, teachers=[teacher])
    taken = EnrollmentFactory(site=full, teacher=teacher)
    ReferralFactory(first_name="Keisha", last_name="Brown", district_id="")

    sign_in(page, live_server, "counselor")
    page.get_by_role("link", name="Referrals", exact=True).first.click()
    page.get_by_role("link", name="Keisha Brown").click()
    page.get_by_role("link", name="Enroll at a site").click()
    page.get_by_label("Site").select_option(label="Watts Classroom (full)")
    page.get_by_label("Teacher").select_option(label="Ana Rivera, Watts Classroom (1 of 25 students)")
    page.get_by_label("Grade").select_option(label="10th grade")
    page.get_by_role("button", name="Enroll").click()

    expect(page.get_by_text("Watts Classroom is full: Keisha Brown is on its waitlist.")).to_be_visible()
    expect(page.get_by_role("heading", name="Waitlist of Watts Classroom")).to_be_visible()
    expect(page.get_by_text("0 seats open now.")).to_be_visible()

    # The student holding the seat leaves; the seat is Keisha's.
    Enrollment.objects.filter(pk=taken.pk).update(ended_on=taken.started_on, exit_reason="moved")
    page.reload()
    expect(page.get_by_text("1 seat open now.")).to_be_visible()
    page.get_by_role("link", name="Enroll Keisha Brown").click()
    page.get_by_label("Teacher").select_option(label="Ana Rivera, Watts Classroom (0 of 25 students)")
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_text("Keisha Brown enrolled at Watts Classroom.")).to_be_visible()
    expect(page.get_by_text("Nobody is waiting.")).to_be_visible()
