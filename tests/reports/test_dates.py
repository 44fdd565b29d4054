"""The dashboard's period: a date out of range is explained beside its field, and the default shown."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["dashboard:dashboard", "dashboard:report"])
@pytest.mark.parametrize("query", [{"start": "9999-12-31"}, {"start": "0001-01-01", "end": "9999-12-31"}])
def test_a_period_out_of_range_is_explained_and_the_last_90_days_shown(as_role, name, query):
    response = as_role("staff").get(reverse(name), query)
    assert response.status_code == 200
    assert "between" in " ".join(response.context["filters"].errors["start"])
    today = timezone.localdate()
    assert (response.context["start"], response.context["end"]) == (today - timedelta(days=90), today)
