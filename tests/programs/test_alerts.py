"""Attendance alerts and sessions not logged: who to call, which logs to chase."""

from datetime import date, time, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from programs.models import Attendance, Session
from tests.factories import CohortFactory
from tests.matrix import matrix

pytestmark = pytest.mark.django_db
ALERTS = reverse("programs:attendance_alerts")
UNLOGGED = reverse("programs:unlogged_sessions")


@pytest.mark.parametrize("url", [ALERTS, UNLOGGED])
@pytest.mark.parametrize(
    ("role", "status"), matrix(admin=200, staff=200, counselor=200, teacher=200, other_teacher=200)
)
def test_alert_pages_permissions(as_role, url, role, status):
    assert as_role(role).get(url).status_code == status


def absent_three_times(cohort, participation):
    for n in range(3):
        session, _created = Session.objects.get_or_create(
            cohort=cohort,
            date=date(2026, 10, 5) + timedelta(days=n),
            starts_at=time(15),
            defaults={"duration_minutes": 60, "status": "logged"},
        )
        Attendance.objects.create(session=session, participation=participation, mark="U")


def test_alerts_list_students_absent_in_a_row_only_to_those_who_may_see_them(as_role, cohort, participants):
    absent_three_times(cohort, participants[0])
    rows = as_role("teacher").get(ALERTS).context["rows"]
    assert [r.pk for r in rows] == [participants[0].pk]
    assert as_role("other_teacher").get(ALERTS).context["rows"] == []


def test_unlogged_sessions_are_listed_oldest_first_with_a_site_filter(as_role, cohort, other_site):
    today = timezone.localdate()
    old = Session.objects.create(
        cohort=cohort, date=today - timedelta(days=9), starts_at=time(15), duration_minutes=60
    )
    new = Session.objects.create(
        cohort=cohort, date=today - timedelta(days=2), starts_at=time(15), duration_minutes=60
    )
    Session.objects.create(
        cohort=cohort, date=today + timedelta(days=2), starts_at=time(15), duration_minutes=60
    )
    client = as_role("staff")
    assert list(client.get(UNLOGGED).context["page"]) == [old, new]
    assert list(client.get(UNLOGGED, {"site": other_site.pk}).context["page"]) == []
    assert client.get(UNLOGGED, {"site": "abc"}).status_code == 200


def test_alert_queries_do_not_grow_with_rows(as_role, cohort, participants, site, django_assert_num_queries):
    client = as_role("staff")
    absent_three_times(cohort, participants[0])
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(7) as first:
        client.get(ALERTS)
    other = CohortFactory(site=site)
    for p in participants[1:]:
        p.cohort = other
        p.save()
        absent_three_times(other, p)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(ALERTS)
    assert len(response.context["rows"]) == 3
