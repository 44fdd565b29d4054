"""Cohort terms: dates in range, starting at most a year ahead, lasting at most 18 months."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from programs.models import Cohort, Session
from programs.services import cohort_save
from tests.factories import CohortFactory
from tests.programs.test_services import MONDAY, new_cohort
from tests.programs.test_views import cohort_form

pytestmark = pytest.mark.django_db


def test_a_term_ending_in_9999_is_refused_with_a_message(as_role, site):
    response = as_role("staff").post(
        reverse("programs:cohort_create"), cohort_form(site, term_ends_on="9999-12-31")
    )
    assert response.status_code == 200
    assert "between" in response.context["form"].errors["term_ends_on"][0]
    assert not Cohort.objects.exists() and not Session.objects.exists()


def test_a_term_longer_than_18_months_is_refused_on_its_end(as_role, site):
    too_long = (MONDAY + timedelta(days=600)).isoformat()
    response = as_role("staff").post(
        reverse("programs:cohort_create"), cohort_form(site, term_ends_on=too_long)
    )
    assert response.status_code == 200
    assert "at most 18 months" in response.context["form"].errors["term_ends_on"][0]
    assert not Cohort.objects.exists() and not Session.objects.exists()


def test_a_term_starting_more_than_a_year_ahead_is_refused_on_its_start(as_role, site):
    start = timezone.localdate() + timedelta(days=400)
    data = cohort_form(
        site, term_starts_on=start.isoformat(), term_ends_on=(start + timedelta(days=30)).isoformat()
    )
    response = as_role("staff").post(reverse("programs:cohort_create"), data)
    assert response.status_code == 200
    assert "at most a year ahead" in response.context["form"].errors["term_starts_on"][0]
    assert not Cohort.objects.exists()


def test_the_cohort_service_refuses_a_term_longer_than_18_months(site):
    cohort = new_cohort(site, term_starts_on=MONDAY, term_ends_on=MONDAY + timedelta(days=549))
    with pytest.raises(ValidationError) as refusal:
        cohort_save(cohort=cohort, teaching_artists=[])
    assert refusal.value.error_dict["term_ends_on"][0].code == "term_too_long"
    assert not Cohort.objects.exists() and not Session.objects.exists()


def test_a_term_ending_in_9999_is_refused_in_the_admin(as_role, site, users):
    data = {
        **cohort_form(site, term_ends_on="9999-12-31"),
        "meeting_days": "0,2",
        "participations-TOTAL_FORMS": "0",
        "participations-INITIAL_FORMS": "0",
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
    }
    response = as_role("admin").post(reverse("admin:programs_cohort_add"), data)
    assert response.status_code == 200
    assert "between" in response.content.decode()
    assert not Cohort.objects.exists() and not Session.objects.exists()


def test_the_database_refuses_a_term_dated_past_2100_whoever_writes_it(site):
    with pytest.raises(IntegrityError, match="programs_cohort_term_years_1900_to_2100"), transaction.atomic():
        CohortFactory(site=site, term_ends_on=date(9999, 12, 31))
    assert not Cohort.objects.exists()
