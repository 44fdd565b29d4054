"""Fixtures for arts programs: a cohort at `site` led by the `users` teaching artist."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from programs.models import Participation, Session
from tests.factories import CohortFactory, EnrollmentFactory


@pytest.fixture
def cohort(users, site):
    return CohortFactory(site=site, teaching_artists=[users["teaching_artist"]])


@pytest.fixture
def participants(cohort, teacher):
    """Three students enrolled at the cohort's site and in the cohort."""
    return [
        Participation.objects.create(
            cohort=cohort,
            student=EnrollmentFactory(site=cohort.site, teacher=teacher).student,
            joined_on=date(2026, 9, 14),
        )
        for _ in range(3)
    ]


@pytest.fixture
def session(cohort):
    """A session of the cohort that happened on Monday of last week, whatever moment the suite runs at."""
    today = timezone.localdate()
    return Session.objects.create(
        cohort=cohort,
        date=today - timedelta(days=today.weekday() + 7),
        starts_at=time(15, 30),
        duration_minutes=90,
    )


@pytest.fixture
def all_present(participants):
    return {p.pk: "P" for p in participants}
