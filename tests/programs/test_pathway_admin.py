"""Certifications, credentials, placements, hours and targets in the admin console."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Placement, PlacementHours
from programs.services import placement_create
from reports.models import Target
from tests.factories import PartnerFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["certification", "credential", "placement", "placementhours"])
def test_changelists_open_with_search_for_administrators_only(as_role, users, model):
    url = reverse(f"admin:programs_{model}_changelist")
    assert as_role("admin").get(url, {"q": "a"}).status_code == 200
    assert as_role("staff").get(url).status_code == 302


def test_the_default_pathway_targets_are_data():
    saved = dict(Target.objects.values_list("key", "percent"))
    assert {k: saved[k] for k in ("pathway_completion", "pathway_graduation", "pathway_certification")} == {
        "pathway_completion": 95,
        "pathway_graduation": 100,
        "pathway_certification": 95,
    }


def test_hours_added_in_the_admin_go_through_the_service(as_role, users):
    placement = placement_create(
        student=StudentFactory(),
        partner=PartnerFactory(),
        kind=Placement.Kind.MENTORSHIP,
        supervisor_name="Pat",
        starts_on=date(2026, 10, 1),
        planned_hours=10,
    )
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    data = {"placement": placement.pk, "date": future, "hours": "2", "supervisor_approval": "Timesheet"}
    response = as_role("admin").post(reverse("admin:programs_placementhours_add"), data, follow=True)
    assert "future date" in response.content.decode()
    assert not PlacementHours.objects.exists()
    as_role("admin").post(reverse("admin:programs_placementhours_add"), {**data, "date": "2026-10-02"})
    assert PlacementHours.objects.get().hours == 2
