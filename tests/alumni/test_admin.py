"""The admin console for alumni: created only by graduating; check-ins through the service."""

from datetime import date

import pytest
from django.urls import reverse

from alumni.models import CheckIn

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["admin:alumni_alumnus_changelist", "admin:alumni_checkin_changelist"])
def test_alumni_changelists_open_with_search(as_role, graduate, name):
    assert as_role("admin").get(reverse(name), {"q": "a"}).status_code == 200


def test_alumni_are_not_added_by_hand(as_role):
    assert as_role("admin").get(reverse("admin:alumni_alumnus_add")).status_code == 403


def change(as_role, graduate, users, **fields):
    """Save the graduate's admin page as it shows them, with `fields` changed or added."""
    data = {
        "phone": graduate.phone,
        "email": graduate.email,
        "address": "",
        "language": "en",
        "plans": "",
        "consents_to_contact": "on",
        "staff_contact": users["staff"].pk,
        "diploma": "ged",
        "check_ins-TOTAL_FORMS": "0",
        "check_ins-INITIAL_FORMS": "0",
        **fields,
    }
    response = as_role("admin").post(reverse("admin:alumni_alumnus_change", args=[graduate.pk]), data)
    assert response.status_code == 302
    graduate.refresh_from_db()


def test_a_check_in_added_in_the_admin_follows_the_cadence(as_role, graduate, users):
    change(
        as_role,
        graduate,
        users,
        **{
            "check_ins-TOTAL_FORMS": "1",
            "check_ins-0-date": "2025-07-10",
            "check_ins-0-staff": users["staff"].pk,
            "check_ins-0-method": "call",
            "check_ins-0-reached": "on",
            "check_ins-0-outcome": "trade",
            "check_ins-0-next_due_on": "2025-08-09",
            "check_ins-0-notes": "",
        },
    )
    assert graduate.current_outcome == "trade"
    assert (graduate.outcome_at_6_months, graduate.outcome_at_12_months) == ("trade", "trade")
    assert graduate.next_check_in_on == date(2025, 8, 9)
    assert CheckIn.objects.count() == 1


def test_the_outcomes_kept_by_the_check_ins_are_not_typed_in_the_admin(as_role, graduate, users):
    change(
        as_role,
        graduate,
        users,
        current_outcome="military",
        outcome_at_6_months="military",
        outcome_at_12_months="military",
    )
    assert (graduate.current_outcome, graduate.outcome_at_6_months, graduate.outcome_at_12_months) == (
        "unknown",
        "",
        "",
    )
