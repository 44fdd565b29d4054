"""A contract's credits planned and done follow its courses on every write (students/totals.py)."""

from datetime import date
from decimal import Decimal

import pytest

from students.models import Contract, ContractCourse, ContractCredits
from students.services import contract_course_add, contract_course_resolve, contract_course_update
from tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


def credits(contract) -> tuple[Decimal, Decimal]:
    totals = ContractCredits.objects.get(contract=contract)
    return totals.planned, totals.done


def annotated(contract) -> tuple[Decimal, Decimal]:
    row = Contract.objects.with_credits().get(pk=contract.pk)
    return row.credits_planned, row.credits_done


def test_credits_follow_each_course_written_through_the_services(open_contract, site, teacher, users):
    contract = open_contract(EnrollmentFactory(site=site, teacher=teacher).student, credits=(5, 5))
    assert credits(contract) == (10, 0)
    course = contract_course_add(
        contract=contract, subject_area="math", title="Geometry", credits=Decimal("2.5"), by=users["staff"]
    )
    assert credits(contract) == (Decimal("12.5"), 0)
    contract_course_resolve(
        course=course, status="completed", grade="A", resolved_on=date(2026, 11, 2), by=users["staff"]
    )
    assert credits(contract) == (Decimal("12.5"), Decimal("2.5"))
    course.refresh_from_db()
    course.credits = Decimal(4)
    contract_course_update(course=course, by=users["staff"])
    assert credits(contract) == annotated(contract) == (Decimal("14.0"), Decimal("4.0"))


def test_a_course_failed_or_deleted_leaves_credits_done_alone(open_contract, site, teacher, users):
    contract = open_contract(EnrollmentFactory(site=site, teacher=teacher).student, credits=(5, 5))
    first, second = contract.courses.order_by("pk")
    contract_course_resolve(
        course=first, status="not_completed", grade="F", resolved_on=date(2026, 11, 2), by=users["staff"]
    )
    assert credits(contract) == (10, 0)
    ContractCourse.objects.filter(pk=second.pk).delete()  # a raw delete (the admin cannot delete courses)
    assert credits(contract) == annotated(contract) == (5, 0)
