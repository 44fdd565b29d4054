"""Closures in range and at most a year long; the attendance period answers bad dates with a message."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from sites.models import Closure
from sites.services import closure_save
from students.models import Contract

pytestmark = pytest.mark.django_db


def test_an_endless_closure_is_refused_in_the_admin(as_role):
    data = {"name": "Forever", "site": "", "starts_on": "2026-12-01", "ends_on": "9999-12-31"}
    response = as_role("admin").post(reverse("admin:sites_closure_add"), data)
    assert response.status_code == 200
    assert "between" in response.content.decode()
    assert not Closure.objects.exists()


def test_a_closure_may_last_a_year_and_not_a_day_more_in_the_admin(as_role):
    data = {"name": "Sabbatical", "site": "", "starts_on": "2026-12-01", "ends_on": "2027-12-01"}
    response = as_role("admin").post(reverse("admin:sites_closure_add"), data)
    assert response.status_code == 200
    assert "at most a year: it ends 11/30/2027 at the latest" in response.content.decode()
    assert not Closure.objects.exists()
    response = as_role("admin").post(reverse("admin:sites_closure_add"), {**data, "ends_on": "2027-11-30"})
    assert response.status_code == 302
    assert Closure.objects.get().ends_on == date(2027, 11, 30)


def test_an_endless_closure_is_refused_in_the_sites_admin_page(as_role, site):
    data = {
        "name": site.name,
        "address": site.address,
        "capacity": "50",
        "is_active": "on",
        "closures-TOTAL_FORMS": "1",
        "closures-INITIAL_FORMS": "0",
        "closures-0-name": "Forever",
        "closures-0-starts_on": "2026-12-01",
        "closures-0-ends_on": "9999-12-31",
    }
    response = as_role("admin").post(reverse("admin:sites_site_change", args=[site.pk]), data)
    assert response.status_code == 200
    assert "between" in response.content.decode()
    assert not Closure.objects.exists()


def test_the_closure_service_refuses_a_closure_longer_than_a_year(student, open_contract):
    contract = open_contract(student, date(2026, 9, 14))
    due = contract.due_on
    with pytest.raises(ValidationError) as refusal:
        closure_save(closure=Closure(name="Long", starts_on=date(2026, 12, 1), ends_on=date(2027, 12, 1)))
    assert refusal.value.error_dict["ends_on"][0].code == "closure_too_long"
    assert not Closure.objects.exists()
    assert Contract.objects.get(pk=contract.pk).due_on == due


@pytest.mark.parametrize("query", [{"start": "9999-12-31"}, {"start": "0001-01-01", "end": "9999-12-31"}])
def test_a_period_out_of_range_is_explained_and_the_last_30_days_shown(as_role, site, query):
    response = as_role("staff").get(reverse("sites:detail", args=[site.pk]), query)
    assert response.status_code == 200
    page = response.content.decode()
    assert "between" in page and "Showing the last 30 days." in page


def test_the_database_refuses_a_closure_dated_past_2100_whoever_writes_it():
    with pytest.raises(IntegrityError, match="sites_closure_years_1900_to_2100"), transaction.atomic():
        Closure.objects.create(name="Forever", starts_on=date(2026, 12, 1), ends_on=date(9999, 12, 31))
    assert not Closure.objects.exists()
