"""Rule 10's thresholds: one row of programs, edited in the admin console, carried over by migration."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from programs.models import AbsenceThresholds
from programs.selectors import absence_rules


def test_it_gives_the_saved_thresholds_or_the_defaults(db):
    AbsenceThresholds.objects.all().delete()
    defaults = AbsenceThresholds.current()
    assert defaults.pk is None
    assert (defaults.consecutive_absences, defaults.chronic_absence_percent) == (3, 10)
    assert defaults.chronic_absence_min_sessions == 10
    AbsenceThresholds(chronic_absence_percent=15).save()
    assert AbsenceThresholds.current().chronic_absence_percent == 15


def test_the_thresholds_are_read_once_and_again_when_they_change(db, django_assert_num_queries):
    AbsenceThresholds(chronic_absence_percent=15).save()
    assert absence_rules().chronic_percent == 15
    with django_assert_num_queries(0):
        assert absence_rules().chronic_percent == 15
    AbsenceThresholds(chronic_absence_percent=20).save()
    assert absence_rules().chronic_percent == 20
    AbsenceThresholds.objects.all().delete()
    assert absence_rules().chronic_percent == 10  # the default


def test_it_keeps_one_row_and_refuses_a_line_past_100_percent(db):
    AbsenceThresholds(consecutive_absences=4).save()
    AbsenceThresholds(consecutive_absences=5).save()
    assert list(AbsenceThresholds.objects.values_list("pk", "consecutive_absences")) == [(1, 5)]
    with pytest.raises(IntegrityError):
        AbsenceThresholds.objects.filter(pk=1).update(chronic_absence_percent=101)


def test_administrators_edit_them_and_bad_values_are_refused(as_role):
    client = as_role("admin")
    url = reverse("admin:programs_absencethresholds_change", args=[1])
    data = {"consecutive_absences": 4, "chronic_absence_percent": 12, "chronic_absence_min_sessions": 8}
    assert client.post(url, data).status_code == 302
    assert AbsenceThresholds.current().chronic_absence_percent == 12
    for field, bad in (
        ("chronic_absence_percent", 101),
        ("consecutive_absences", 1),
        ("chronic_absence_percent", 0),
    ):
        response = client.post(url, {**data, field: bad})
        assert response.status_code == 200, (field, bad)
        assert response.context["adminform"].form.errors[field]
    assert AbsenceThresholds.objects.get().history.count() == 1  # one change saved, none refused
    assert as_role("staff").get(url).status_code in (302, 403)  # the console is for administrators
