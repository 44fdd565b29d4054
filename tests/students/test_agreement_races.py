"""Signing on PostgreSQL: two signers at once both count; one link used many times at once signs once."""

from datetime import date

import pytest

from students.models import AgreementVersion, Contract, SignerRole
from students.services import agreement_send, agreement_sign, contract_open
from tests.concurrency import race
from tests.factories import EnrollmentFactory, GuardianFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
COURSES = [{"subject_area": "english", "title": "English 11A", "credits": 5}]


def sent_version() -> tuple[AgreementVersion, object]:
    student = EnrollmentFactory().student
    guardian = GuardianFactory(student=student, email="guardian@example.org")
    contract = contract_open(student=student, started_on=date.today(), courses=COURSES)
    return agreement_send(contract=contract, by=contract.teacher), guardian


def signing(version, role, guardian=None):
    return lambda: agreement_sign(
        version=version,
        role=role,
        typed_name=f"{role} signer",
        language="en",
        ip_address="198.51.100.1",
        guardian=guardian,
        user=version.contract.teacher if role == SignerRole.TEACHER else None,
    )


def test_the_last_two_signers_at_the_same_moment_both_count_and_the_contract_starts_once():
    version, guardian = sent_version()
    signing(version, SignerRole.TEACHER)()
    outcomes = race([signing(version, SignerRole.STUDENT), signing(version, SignerRole.GUARDIAN, guardian)])
    assert outcomes == {"ok": 2}
    version.refresh_from_db()
    assert version.status == "signed" and version.signatures.count() == 3
    assert Contract.objects.get(pk=version.contract_id).status == "active"


def test_one_link_used_many_times_at_once_signs_once():
    version, _guardian = sent_version()
    outcomes = race([signing(version, SignerRole.STUDENT) for _ in range(10)])
    assert outcomes == {"ok": 1, "already_signed": 9}
    assert version.signatures.count() == 1
