"""Waitlist entries and referrals in the admin console: searchable, and written through the services."""

import pytest
from django.urls import reverse

from students.models import Referral, WaitlistEntry
from tests.factories import PartnerFactory, ReferralFactory, WaitlistEntryFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["admin:students_referral_changelist", "admin:students_waitlistentry_changelist"]
)
def test_changelists_open_with_search_and_filters_for_administrators_only(as_role, users, name):
    ReferralFactory()
    WaitlistEntryFactory()
    assert as_role("admin").get(reverse(name), {"q": "a", "status__exact": "waiting"}).status_code == 200
    assert as_role("counselor").get(reverse(name)).status_code == 302


def test_adding_a_duplicate_waitlist_entry_in_the_admin_is_refused(as_role, users):
    entry = WaitlistEntryFactory()
    response = as_role("admin").post(
        reverse("admin:students_waitlistentry_add"),
        {"student": entry.student_id, "site": entry.site_id, "added_on": "2026-11-09"},
        follow=True,
    )
    assert "already on the waitlist" in response.content.decode()
    assert WaitlistEntry.objects.count() == 1


def test_a_referral_added_in_the_admin_has_its_credits_checked(as_role, users):
    data = {
        "source": PartnerFactory().pk,
        "first_name": "Luz",
        "last_name": "Ortega",
        "date_of_birth": "2008-01-02",
        "received_on": "2026-11-02",
        "credits_held": '{"english": 250, "math": 60}',
        "recommended_option": "",
    }
    response = as_role("admin").post(reverse("admin:students_referral_add"), data, follow=True)
    assert "at most 300" in response.content.decode()
    assert not Referral.objects.exists()
    as_role("admin").post(reverse("admin:students_referral_add"), {**data, "credits_held": '{"english": 25}'})
    assert Referral.objects.get().credits_total == 25
