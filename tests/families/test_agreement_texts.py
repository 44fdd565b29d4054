"""What the agreements tell families by text: a guardian's signing link, and a review of missed work."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from families.models import FamilyNotice, Message
from families.reminders import family_notices
from students.models import IndependentStudyPolicy, SignerRole, SupportProfile
from students.services import (
    agreement_resend,
    agreement_send,
    assignment_create,
    contract_open,
    review_open_if_due,
    signature_link_read,
)
from tests.factories import GuardianFactory

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")
MONDAY = date(2026, 9, 14)
COURSES = [{"subject_area": "english", "title": "English 11A", "credits": Decimal(5)}]


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LA)


@pytest.fixture
def guardians(student):
    student.preferred_name = "Nico"
    student.save()
    texts = GuardianFactory(
        student=student, name="Rosa Flores", phone="(213) 555-0141", language="es", consents_to_messages=True
    )
    no_texts = GuardianFactory(student=student, name="Luis Flores", phone="(213) 555-0142", language="es")
    return texts, no_texts


def notice_texts(guardian) -> list[Message]:
    return list(Message.objects.filter(guardian=guardian, kind=Message.Kind.NOTICE).order_by("pk"))


def link_in(body: str) -> str:
    return next(word for word in body.split() if "/students/agreements/sign/" in word)


def test_a_guardian_who_agreed_to_texts_gets_their_own_signing_link_by_text(student, guardians):
    texts, no_texts = guardians
    with time_machine.travel(at(MONDAY - timedelta(days=7)), tick=False):
        contract = contract_open(student=student, started_on=MONDAY, courses=COURSES)
        agreement_send(contract=contract, by=contract.teacher)
        [text] = notice_texts(texts)
        link = signature_link_read(link_in(text.body).rsplit("/sign/", 1)[1].strip("/"))
    assert "Un acuerdo de Nico necesita su firma" in text.body
    assert (link.role, link.guardian) == (SignerRole.GUARDIAN, texts)
    assert notice_texts(no_texts) == []  # no consent to texts: no text, whatever the number
    assert text.notification.not_before is None  # sent now: 9:00 is outside quiet hours


def test_a_link_resent_the_same_day_waits_for_the_next_days_text(student, guardians):
    texts, _no_texts = guardians
    with time_machine.travel(at(MONDAY - timedelta(days=7)), tick=False):
        contract = contract_open(student=student, started_on=MONDAY, courses=COURSES)
        agreement_send(contract=contract, by=contract.teacher)
    with time_machine.travel(at(MONDAY - timedelta(days=7), 15), tick=False):
        assert agreement_resend(contract=contract, role=SignerRole.GUARDIAN, by=contract.teacher) == [
            "Rosa Flores"
        ]
    assert len(notice_texts(texts)) == 1  # one text a day: the new link waits
    assert FamilyNotice.objects.filter(guardian=texts, message__isnull=True).count() == 1
    with time_machine.travel(at(MONDAY - timedelta(days=6)), tick=False):
        family_notices(now=at(MONDAY - timedelta(days=6)))
    first, second = notice_texts(texts)
    assert link_in(first.body) != link_in(second.body)


def test_a_review_of_missed_work_is_told_to_the_family_without_figures_or_flags(
    student, guardians, open_contract
):
    texts, no_texts = guardians
    SupportProfile.objects.filter(student=student).update(on_probation=True, private_notes="SENTINEL-7731")
    IndependentStudyPolicy.objects.update_or_create(pk=1, defaults={"missed_assignments_for_review": 2})
    contract = open_contract(student, MONDAY)
    course = contract.courses.first()
    with time_machine.travel(at(date(2026, 9, 15)), tick=False):
        for n in range(2):
            assignment_create(
                contract=contract,
                course=course,
                title=f"Essay {n}",
                assigned_on=MONDAY,
                due_on=date(2026, 9, 18),
                by=contract.teacher,
            )
    review_open_if_due(contract=contract, today=date(2026, 9, 21))
    with time_machine.travel(at(date(2026, 9, 21), 10), tick=False):
        family_notices(now=at(date(2026, 9, 21), 10))
    [text] = [t for t in notice_texts(texts) if "revisando" in t.body]
    assert "Nico no entregó tareas" in text.body
    for secret in ("SENTINEL", "probation", "libertad", "2 "):
        assert secret not in text.body
    assert notice_texts(no_texts) == []
