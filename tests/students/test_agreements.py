"""The written agreement (EC 51747): versions, signatures, links and the start on the last signature."""

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sites.calendar import calendars_for_sites
from students.models import (
    AgreementTemplate,
    AgreementVersion,
    Contract,
    IndependentStudyPolicy,
    Signature,
    SignerRole,
)
from students.services import (
    agreement_send,
    agreement_sign,
    contract_cancel,
    contract_course_add,
    contract_course_resolve,
    contract_extend,
    contract_open,
    enrollment_exit,
    signature_link_read,
    signature_link_token,
)
from students.wording import WORDING
from tests.agreements import at_nine, sign_everyone
from tests.factories import GuardianFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 9, 14)
COURSES = [
    {"subject_area": "english", "title": "English 11A", "credits": Decimal(5)},
    {"subject_area": "math", "title": "Algebra 1B", "credits": Decimal("2.5")},
]


@pytest.fixture
def guardian(student):
    return GuardianFactory(student=student, name="Rosa Flores", email="rosa@example.org", language="es")


def opened(student, *, on=MONDAY - timedelta(days=7), start=MONDAY) -> Contract:
    """A contract opened (a draft) on a day before its planned start."""
    with time_machine.travel(at_nine(on), tick=False):
        return contract_open(student=student, started_on=start, courses=COURSES)


def sent(student, **kwargs) -> AgreementVersion:
    contract = opened(student, **kwargs)
    with time_machine.travel(at_nine(kwargs.get("on", MONDAY - timedelta(days=7))), tick=False):
        return agreement_send(contract=contract, by=contract.teacher)


def sign(version, role, *, on=None, guardian=None, name="Signer", ip="198.51.100.7"):
    contract = version.contract
    kwargs = {
        "version": version,
        "role": role,
        "typed_name": name,
        "language": "es",
        "ip_address": ip,
        "guardian": guardian,
        "user": contract.teacher if role == SignerRole.TEACHER else None,
    }
    if on is None:
        return agreement_sign(**kwargs)
    with time_machine.travel(at_nine(on), tick=False):
        return agreement_sign(**kwargs)


def test_opening_a_contract_drafts_its_agreement_in_english_and_spanish(student, guardian):
    student.support_profile.on_probation = True
    student.support_profile.returning_from_detention = True
    student.support_profile.private_notes = "Court date in October"
    student.support_profile.save()
    contract = opened(student)
    assert contract.status == Contract.Status.DRAFT
    (version,) = contract.agreement_versions.all()
    assert (version.number, version.status, version.requires_guardian) == (1, "draft", True)
    content = version.content
    assert content["student"]["name"] == student.display_name and content["student"]["grade"] == 11
    assert content["site"] == contract.site.name
    assert [c["title"] for c in content["courses"]] == ["English 11A", "Algebra 1B"]
    assert (content["begins_on"], content["ends_on"]) == ("2026-09-14", "2027-01-01")
    assert content["policy"] == {"max_days_to_due": 10, "missed_assignments_for_review": 3}
    spanish = json.dumps(content["text"]["es"], ensure_ascii=False)
    assert "voluntario" in spanish and "10 días escolares" in spanish and "7,5" in spanish
    assert "voluntary" in json.dumps(content["text"]["en"])
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert version.content_hash == hashlib.sha256(canonical.encode()).hexdigest()
    # Support flags and notes are need-to-know: the agreement names none of them. (The note's own words:
    # a generated name may hold "court", as Courtney does.)
    text = json.dumps(content, ensure_ascii=False).lower()
    assert "probation" not in text and "detention" not in text and "court date" not in text


def test_the_policy_and_wording_come_from_the_admin_rows(student):
    IndependentStudyPolicy.objects.update_or_create(pk=1, defaults={"max_days_to_due": 5})
    # The migration's row, or the same wording again where a test that flushes the tables ran before.
    template, _created = AgreementTemplate.objects.get_or_create(language="en", defaults=WORDING["en"])
    template.voluntary = "Say no any time, $student."
    template.save()
    version = opened(student).agreement_versions.get()
    sections = {s["body"] for s in version.content["text"]["en"]["sections"]}
    assert f"Say no any time, {student.display_name}." in sections
    assert version.content["policy"]["max_days_to_due"] == 5


def test_a_contract_cannot_start_unsigned(student, guardian):
    version = sent(student)
    contract = version.contract
    assert contract.status == Contract.Status.AWAITING_SIGNATURES
    sign(version, SignerRole.STUDENT, on=MONDAY)
    sign(version, SignerRole.TEACHER, on=MONDAY)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.AWAITING_SIGNATURES  # the guardian has not signed
    assert not Contract.objects.active().exists()
    with pytest.raises(ValidationError) as refusal:
        contract_course_resolve(
            course=contract.courses.first(),
            status="completed",
            grade="A",
            resolved_on=MONDAY,
            by=contract.teacher,
        )
    assert refusal.value.code == "not_started"
    with pytest.raises(ValidationError) as refusal:
        contract_extend(contract=contract, days=5, reason="Illness", by=contract.teacher)
    assert refusal.value.code == "contract_closed"


def test_a_draft_cannot_be_signed_before_it_is_sent(student):
    version = opened(student).agreement_versions.get()
    with pytest.raises(ValidationError) as refusal:
        sign(version, SignerRole.STUDENT)
    assert refusal.value.code == "not_sent"
    assert not Signature.objects.exists()


def test_the_last_signature_starts_the_contract_and_moves_the_due_date(student, guardian):
    version = sent(student)
    sign(version, SignerRole.STUDENT, on=MONDAY + timedelta(days=1))
    sign(version, SignerRole.GUARDIAN, on=MONDAY + timedelta(days=2), guardian=guardian)
    last = date(2026, 9, 21)  # a week after the planned start
    sign(version, SignerRole.TEACHER, on=last)
    contract = Contract.objects.get(pk=version.contract_id)
    calendar = calendars_for_sites([contract.site_id])[contract.site_id]
    assert contract.status == Contract.Status.ACTIVE
    assert contract.started_on == last
    assert contract.due_on == calendar.nth_day(last, 80) == date(2027, 1, 8)
    assert "2026-09-21" in contract.due_note
    version.refresh_from_db()
    assert version.status == "signed" and version.signed_at.date() == last


def test_signed_before_the_planned_start_it_starts_as_planned(student, guardian):
    version = sent(student)
    day_before = MONDAY - timedelta(days=3)
    sign(version, SignerRole.STUDENT, on=day_before)
    sign(version, SignerRole.GUARDIAN, on=day_before, guardian=guardian)
    sign(version, SignerRole.TEACHER, on=day_before)
    contract = Contract.objects.get(pk=version.contract_id)
    assert (contract.status, contract.started_on, contract.due_on) == ("active", MONDAY, date(2027, 1, 1))


def test_a_signature_records_the_servers_time_the_address_and_the_versions_hash(student, guardian):
    version = sent(student)
    with time_machine.travel(at_nine(MONDAY), tick=False):
        signature = sign(version, SignerRole.GUARDIAN, guardian=guardian, name="  Rosa   Flores ")
    assert signature.typed_name == "Rosa Flores"
    assert signature.signed_at == at_nine(MONDAY)
    assert signature.ip_address == "198.51.100.7"
    assert signature.version_hash == version.content_hash
    assert (signature.guardian, signature.language) == (guardian, "es")


def test_the_database_refuses_a_second_signature_for_the_same_role(student):
    version = sent(student)
    first = sign(version, SignerRole.STUDENT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(
            version=version,
            role="student",
            typed_name="Again",
            signed_at=first.signed_at,
            version_hash=version.content_hash,
            language="en",
        )
    with pytest.raises(ValidationError) as refusal:
        sign(version, SignerRole.STUDENT)
    assert refusal.value.code == "already_signed"
    assert version.signatures.count() == 1


def test_only_the_supervising_teacher_signs_as_teacher(student, other_teacher):
    version = sent(student)
    with pytest.raises(ValidationError) as refusal:
        agreement_sign(
            version=version,
            role="teacher",
            typed_name="Not me",
            language="en",
            ip_address=None,
            user=other_teacher,
        )
    assert refusal.value.code == "not_teacher"
    assert not Signature.objects.exists()


def test_a_guardian_is_not_asked_for_a_student_of_18_or_more(enrollment, settings):
    student = enrollment.student
    student.date_of_birth = date(2007, 1, 2)  # 19 on the day the version is made
    student.save()
    guardian = GuardianFactory(student=student, email="mum@example.org")
    version = sent(student)
    assert version.requires_guardian is False
    assert version.required_roles == ["student", "teacher"]
    with pytest.raises(ValidationError) as refusal:
        sign(version, SignerRole.GUARDIAN, guardian=guardian)
    assert refusal.value.code == "not_required"
    sign(version, SignerRole.STUDENT, on=MONDAY)
    sign(version, SignerRole.TEACHER, on=MONDAY)
    assert Contract.objects.get(pk=version.contract_id).status == "active"


def test_an_edit_after_signing_makes_a_new_version_that_needs_signing_again(student, open_contract):
    contract = open_contract(student, MONDAY)  # signed by everyone on its start day
    signed = contract.agreement_versions.get()
    before = (signed.content, signed.content_hash, signed.signed_at)
    with time_machine.travel(at_nine(MONDAY + timedelta(days=10)), tick=False):
        contract_course_add(
            contract=contract,
            subject_area="science",
            title="Biology",
            credits=Decimal(5),
            by=contract.teacher,
        )
    signed.refresh_from_db()
    assert (signed.content, signed.content_hash, signed.signed_at) == before  # signed versions never change
    assert signed.hash_matches
    new = contract.agreement_versions.get(number=2)
    assert new.status == "draft" and "Biology" in json.dumps(new.content)
    assert new.content_hash != signed.content_hash
    contract.refresh_from_db()
    assert contract.status == "active" and contract.started_on == MONDAY  # it runs under version 1
    with time_machine.travel(at_nine(MONDAY + timedelta(days=11)), tick=False):
        agreement_send(contract=contract, by=contract.teacher)
        sign_everyone(contract)
    new.refresh_from_db()
    contract.refresh_from_db()
    assert new.status == "signed" and new.signatures.count() == 3
    assert contract.started_on == MONDAY  # a running contract keeps its start


def test_an_extension_after_signing_makes_a_new_version(student, open_contract, users):
    contract = open_contract(student, MONDAY)
    contract = contract_extend(contract=contract, days=5, reason="Illness", by=users["staff"])
    assert contract.agreement_versions.get(number=2).content["ends_on"] == contract.due_on.isoformat()


def test_a_change_while_awaiting_signatures_replaces_the_sent_version(student, guardian):
    version = sent(student)
    sign(version, SignerRole.STUDENT)
    token = signature_link_token(version=version, role="guardian", guardian=guardian)
    contract = version.contract
    contract_course_add(
        contract=contract, subject_area="science", title="Biology", credits=Decimal(5), by=contract.teacher
    )
    version.refresh_from_db()
    contract.refresh_from_db()
    assert version.status == "replaced" and version.signatures.count() == 1  # the record stays
    assert contract.status == "draft"
    assert contract.agreement_versions.get(number=2).status == "draft"
    with pytest.raises(ValidationError) as refusal:
        signature_link_read(token)
    assert refusal.value.code == "link_old_version"
    with pytest.raises(ValidationError) as refusal:
        sign(version, SignerRole.GUARDIAN, guardian=guardian)
    assert refusal.value.code == "old_version"


def test_a_draft_is_rewritten_in_place_until_it_is_sent(student):
    contract = opened(student)
    contract_course_add(
        contract=contract, subject_area="science", title="Biology", credits=Decimal(5), by=contract.teacher
    )
    (version,) = contract.agreement_versions.all()
    assert version.number == 1 and "Biology" in json.dumps(version.content) and version.hash_matches


def test_a_link_opens_for_its_signer_and_not_after_use(student, guardian):
    version = sent(student)
    token = signature_link_token(version=version, role="guardian", guardian=guardian)
    link = signature_link_read(token)
    assert (link.role, link.guardian, link.name, link.language) == ("guardian", guardian, "Rosa Flores", "es")
    sign(version, SignerRole.GUARDIAN, guardian=guardian)
    with pytest.raises(ValidationError) as refusal:
        signature_link_read(token)
    assert refusal.value.code == "link_used"


def test_a_forged_link_is_refused(student, guardian):
    version = sent(student)
    token = signature_link_token(version=version, role="student")
    forged = signing.dumps({"v": version.pk, "r": "guardian", "g": guardian.pk}, salt="another-salt")
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "nonsense"):
        with pytest.raises(ValidationError) as refusal:
            signature_link_read(bad)
        assert refusal.value.code == "link_forged"


def test_a_link_expires(student, settings):
    settings.ARTWORX_SIGNATURE_LINK_MAX_AGE = 3600
    version = sent(student, on=MONDAY)
    with time_machine.travel(at_nine(MONDAY), tick=False):
        token = signature_link_token(version=version, role="student")
    with (
        time_machine.travel(at_nine(MONDAY) + timedelta(hours=2), tick=False),
        pytest.raises(ValidationError) as refusal,
    ):
        signature_link_read(token)
    assert refusal.value.code == "link_expired"


def test_sending_emails_each_signer_their_link_in_their_language(
    student, guardian, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.ARTWORX_RUN_TASKS_INLINE = True  # sent in the request, as on the embedded default
    student.email, student.language = "student@example.org", "en"
    student.save()
    contract = opened(student)
    with django_capture_on_commit_callbacks(execute=True):
        agreement_send(contract=contract, by=contract.teacher)
    by_address = {message.to[0]: message for message in mailoutbox}
    assert set(by_address) == {"student@example.org", "rosa@example.org"}
    assert by_address["rosa@example.org"].subject.startswith("Por favor firme el acuerdo")
    assert "fírmelo en su teléfono" in by_address["rosa@example.org"].body
    assert "/students/agreements/sign/" in by_address["rosa@example.org"].body
    assert "sign it on your phone" in by_address["student@example.org"].body


def test_cancelling_before_the_start_closes_the_contract_and_its_links(student, users):
    version = sent(student)
    token = signature_link_token(version=version, role="student")
    contract = contract_cancel(contract=version.contract, reason="Chose the classroom", by=users["staff"])
    assert contract.status == "cancelled" and contract.closed_on is None
    with pytest.raises(ValidationError):
        signature_link_read(token)
    assert opened(student).status == "draft"  # a new contract may be opened


def test_leaving_the_programme_cancels_a_contract_not_started(student, enrollment):
    version = sent(student)
    enrollment_exit(enrollment=enrollment, ended_on=MONDAY, exit_reason="moved", notes="")
    contract = Contract.objects.get(pk=version.contract_id)
    version.refresh_from_db()
    assert contract.status == "cancelled" and version.status == "replaced"


def test_a_second_open_contract_is_refused_by_the_database(student):
    contract = opened(student)
    other = Contract(
        student=student,
        site=contract.site,
        teacher=contract.teacher,
        started_on=MONDAY,
        length_days=80,
        due_on=date(2027, 1, 1),
        status="awaiting_signatures",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()
