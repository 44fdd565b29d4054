"""Alumni dates: check-ins due within the bounds, and a graduation-year filter that answers bad years."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alumni.models import CheckIn
from alumni.services import check_in_record

pytestmark = pytest.mark.django_db


def test_a_check_in_due_next_in_9999_is_refused_with_a_message(as_role, graduate):
    data = {
        "date": "2025-07-10",
        "method": "call",
        "reached": "on",
        "outcome": "college",
        "next_due_on": "9999-12-31",
    }
    response = as_role("staff").post(reverse("alumni:check_in_create", args=[graduate.pk]), data)
    assert response.status_code == 200
    assert "between" in response.context["form"].errors["next_due_on"][0]
    assert not CheckIn.objects.exists()


def test_the_check_in_service_refuses_a_next_date_out_of_range(graduate, users):
    with pytest.raises(ValidationError) as refusal:
        check_in_record(
            alumnus=graduate,
            date=date(2025, 7, 10),
            staff=users["staff"],
            method="call",
            reached=True,
            outcome="college",
            next_due_on=date(9999, 12, 31),
        )
    assert refusal.value.code == "date_out_of_range"
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("year", ["0", "99999", "2025.5"])
def test_a_graduation_year_out_of_range_is_explained(as_role, graduate, year):
    response = as_role("staff").get(reverse("alumni:list"), {"year": year})
    assert response.status_code == 200
    assert response.context["filter"].errors["year"]
