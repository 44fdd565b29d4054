"""Fixtures for alumni: a graduate of `site` carried by the program staff user."""

from datetime import date

import pytest

from alumni.models import Alumnus
from students.models import ExitReason
from students.services import enrollment_exit
from tests.factories import EnrollmentFactory


@pytest.fixture
def enrollment(site, teacher):
    """A student enrolled at `site` since 2024, so graduations in 2025 and 2026 can be recorded."""
    return EnrollmentFactory(site=site, teacher=teacher, started_on=date(2024, 9, 3))


@pytest.fixture
def graduate(users, enrollment):
    """The `enrollment` student, graduated on 2025-06-12; their staff contact is `users['staff']`."""
    staff, _ = users["staff"], users["counselor"]  # the two people who can carry alumni
    enrollment_exit(
        enrollment=enrollment, ended_on=date(2025, 6, 12), exit_reason=ExitReason.GRADUATED, diploma="ged"
    )
    alumnus = Alumnus.objects.get(student=enrollment.student)
    alumnus.staff_contact = staff
    alumnus.email, alumnus.phone = "grad@example.org", "(323) 555-4242"
    alumnus.save()
    return alumnus
