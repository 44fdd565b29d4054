"""Contracts whose agreement is signed through the services, on a chosen day (the tests' fixed dates)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import time_machine

from students.models import Contract, SignerRole
from students.services import agreement_send, agreement_sign, contract_open

LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def at_nine(day: date) -> datetime:
    """Nine in the morning in Los Angeles on a day: inside the school day, whatever the runner's clock."""
    return datetime.combine(day, time(9), tzinfo=LOS_ANGELES)


def sign_everyone(contract: Contract, *, ip_address: str = "203.0.113.9") -> Contract:
    """Sign the version out for signatures as each required signer (a guardian is added if needed)."""
    version = contract.agreement_versions.get(status="sent")
    student = contract.student
    for role in version.required_roles:
        guardian = None
        if role == SignerRole.GUARDIAN:
            guardian = student.guardians.first() or student.guardians.create(
                name="Ana Guardian", relationship="parent", email="ana@example.org"
            )
        name = {"student": student.display_name, "guardian": getattr(guardian, "name", ""), "teacher": "T"}
        agreement_sign(
            version=version,
            role=role,
            typed_name=name[role] or "Signer",
            language="en",
            ip_address=ip_address,
            guardian=guardian,
            user=contract.teacher if role == SignerRole.TEACHER else None,
        )
    contract.refresh_from_db()
    return contract


def open_signed_contract(*, student, started_on: date, courses: list[dict], length_days=None) -> Contract:
    """Open a contract, send its agreement and have everyone sign it on its start day: it is active
    from `started_on`, as a contract opened before the agreement rule was."""
    with time_machine.travel(at_nine(started_on), tick=False):
        contract = contract_open(
            student=student, started_on=started_on, courses=courses, length_days=length_days
        )
        agreement_send(contract=contract, by=contract.teacher)
        return sign_everyone(contract)
