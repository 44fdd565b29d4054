"""Dates of birth and start dates: one rule each, applied on every path that writes them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from students.models import Enrollment, Referral, Student
from students.roster import roster_import_apply, roster_import_create
from tests.factories import PartnerFactory
from tests.students.test_roster_import import csv_file, row

pytestmark = pytest.mark.django_db

FAR = "9999-12-31"
BAD_BIRTHS = [("0001-01-01", "over 30"), ("2099-01-01", "must be in the past")]


def a_year_and_a_day_ahead() -> str:
    return (timezone.localdate() + timedelta(days=367)).isoformat()


# Date of birth: the model's validator, whichever way the student comes in -------------------


def student_data(born: str) -> dict:
    return {
        "first_name": "Nayeli",
        "last_name": "Cruz",
        "date_of_birth": born,
        "district_id": "555001",
        "grade": "11",
        "language": "es",
        "prior_credits": "95",
    }


@pytest.mark.parametrize(("born", "message"), BAD_BIRTHS)
def test_it_refuses_an_impossible_birth_date_in_the_admin(as_role, born, message):
    response = as_role("admin").post(reverse("admin:students_student_add"), student_data(born))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Student.objects.exists()


def test_it_refuses_a_referral_of_someone_over_30(as_role, users):
    data = {
        "source": PartnerFactory().pk,
        "first_name": "Luz",
        "last_name": "Ortega",
        "date_of_birth": "1950-01-02",
        "received_on": timezone.localdate().isoformat(),
        "recommended_option": "this_program",
    }
    response = as_role("counselor").post(reverse("students:referral_create"), data)
    assert response.status_code == 200
    assert "over 30" in response.context["form"].errors["date_of_birth"][0]
    assert not Referral.objects.exists()


@pytest.mark.parametrize(("born", "message"), BAD_BIRTHS)
def test_the_roster_preview_refuses_an_impossible_birth_date_on_its_row(users, site, teacher, born, message):
    imported = roster_import_create(
        name="r.csv", content=csv_file(row(1), row(2, date_of_birth=born)), by=users["staff"]
    )
    good, bad = imported.results
    assert good["action"] == "new"
    assert bad["action"] == "error"
    assert any(error.startswith("date_of_birth:") and message in error for error in bad["errors"])


@pytest.mark.parametrize(("born", "message"), BAD_BIRTHS)
def test_the_roster_save_refuses_an_impossible_birth_date_and_writes_nothing(
    users, site, teacher, born, message
):
    imported = roster_import_create(
        name="r.csv", content=csv_file(row(1), row(2, date_of_birth=born)), by=users["staff"]
    )
    # Even a preview that somehow passed (an old one, a forged confirm) is refused when applied.
    imported.results = [{**result, "action": "new", "errors": []} for result in imported.results]
    imported.save()
    applied = roster_import_apply(roster_import_id=imported.pk)
    assert applied.status == "failed"
    assert applied.message.startswith("Row 3:") and message in applied.message
    assert not Student.objects.exists() and not Enrollment.objects.exists()


def test_the_roster_preview_refuses_a_start_more_than_a_year_ahead(users, site, teacher):
    imported = roster_import_create(name="r.csv", content=csv_file(row(1, started_on=FAR)), by=users["staff"])
    (result,) = imported.results
    assert result["action"] == "error"
    assert any(error.startswith("started_on:") for error in result["errors"])
