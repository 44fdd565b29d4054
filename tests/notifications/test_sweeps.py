"""Reminder sweeps: contracts due soon and expired, once per occasion, to the right people, privately."""

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from artworx import roles
from notifications.models import Kind, Notification, ReminderSettings
from notifications.services import notifications_deliver_pending
from notifications.sweeps import run_sweeps
from sites.models import Site
from students.models import Contract, Guardian
from students.reminders import contracts_due_soon, contracts_expired
from students.services import contract_course_resolve, contract_extend, enrollment_transfer
from tests.factories import ClosureFactory, EnrollmentFactory, GuardianFactory, UserFactory
from tests.notifications.conftest import at, day_with_days_left, read

pytestmark = pytest.mark.django_db

DUE_SOON = Kind.CONTRACT_DUE_SOON


def titles(**filters) -> list[str]:
    return [read(n)[0] for n in Notification.objects.filter(**filters).order_by("pk")]


def test_it_reminds_the_teacher_10_5_and_1_instructional_days_before_the_due_date(contract, teacher, when):
    assert contracts_due_soon(now=when(11)) == 0
    assert contracts_due_soon(now=when(10)) == 1
    assert contracts_due_soon(now=when(7)) == 0
    assert contracts_due_soon(now=when(5)) == 1
    assert contracts_due_soon(now=when(1)) == 1
    assert contracts_due_soon(now=when(0)) == 0
    student = contract.student.display_name
    assert titles(recipient=teacher) == [
        f"Contract due in 10 instructional days: {student}",
        f"Contract due in 5 instructional days: {student}",
        f"Contract due in 1 instructional day: {student}",
    ]
    first = Notification.objects.filter(recipient=teacher).first()
    assert first.in_app and not first.by_email
    assert first.link_url == f"/students/contracts/{contract.pk}/"
    assert first.subject == contract


def test_it_writes_one_notification_per_occasion_however_often_it_runs(contract, teacher, when):
    GuardianFactory(student=contract.student, consents_to_messages=True, email="mom@example.org")
    now = when(5)
    assert contracts_due_soon(now=now) == 2
    for _ in range(3):
        assert contracts_due_soon(now=now) == 0
        assert contracts_due_soon(now=now + timedelta(hours=2)) == 0
    assert Notification.objects.count() == 2


def test_a_pass_stopped_before_a_familys_email_was_written_writes_it_on_the_next(contract, teacher, when):
    # Later passes load only the contracts still owed a reminder by someone: the student's and each
    # guardian's keys count as much as the teacher's, so nobody is skipped for the others' sake.
    mom = GuardianFactory(student=contract.student, consents_to_messages=True, email="mom@example.org")
    contract.student.email = "student@example.org"
    contract.student.save()
    now = when(5)
    assert contracts_due_soon(now=now) == 3
    Notification.objects.filter(recipient_email="mom@example.org").delete()  # its batch never committed

    assert contracts_due_soon(now=now) == 1
    assert contracts_due_soon(now=now) == 0
    assert sorted(Notification.objects.values_list("dedupe_key", flat=True)) == sorted(
        f"{DUE_SOON}:students.contract:{contract.pk}:due-{contract.due_on:%Y-%m-%d}:at-5:{holder}"
        for holder in (
            "teacher",
            f"student-{contract.student_id}",
            f"guardian-{mom.pk}",
        )
    )


def test_it_sends_the_reminder_of_the_band_a_late_sweep_finds_the_contract_in(contract, teacher, when):
    # Beat was down on the day 5 days were left: the next sweep, at 4 days left, still reminds once.
    assert contracts_due_soon(now=when(4)) == 1
    assert contracts_due_soon(now=when(3)) == 0
    assert titles() == [f"Contract due in 4 instructional days: {contract.student.display_name}"]


def test_it_counts_instructional_days_skipping_closures(contract, teacher, site):
    due = contract.due_on
    two_weeks_before = due - timedelta(days=14)  # 10 weekdays up to the due date
    ClosureFactory(site=site, starts_on=due - timedelta(days=7), ends_on=due - timedelta(days=1))
    assert contracts_due_soon(now=at(two_weeks_before)) == 1
    assert titles() == [f"Contract due in 5 instructional days: {contract.student.display_name}"]


def test_it_writes_to_a_consenting_guardian_in_spanish(contract, when):
    guardian = GuardianFactory(
        student=contract.student,
        name="María Pérez",
        language="es",
        consents_to_messages=True,
        email="m@example.org",
    )
    contracts_due_soon(now=when(5))
    notification = Notification.objects.get(recipient_email=guardian.email)
    student = str(contract.student)
    assert not notification.in_app and notification.by_email and notification.recipient is None
    assert notification.language == "es"
    assert notification.title == f"El contrato de {student} vence en 5 días de clases"
    assert notification.body.startswith("Hola, María Pérez:")
    assert "Este es un recordatorio de artworx" in notification.body
    assert "Quedan 5 días de clases después de hoy." in notification.body
    notifications_deliver_pending()
    [email] = [m for m in mail.outbox if m.to == [guardian.email]]
    assert email.subject == notification.title
    assert "vence el" in email.body


def test_it_writes_nothing_to_a_guardian_without_consent_or_without_an_email(contract, teacher, when):
    GuardianFactory(student=contract.student, consents_to_messages=False, email="no@example.org")
    GuardianFactory(student=contract.student, consents_to_messages=True, email="")
    contracts_due_soon(now=when(5))
    assert list(Notification.objects.values_list("recipient", flat=True)) == [teacher.pk]
    notifications_deliver_pending()
    assert mail.outbox == []


def test_it_greets_the_student_by_preferred_name_but_tells_the_family_the_legal_name(contract, when):
    student = contract.student
    student.first_name, student.last_name = "Daniela", "Ortiz"
    student.preferred_name, student.email, student.language = "Zephyr", "z@example.org", "en"
    student.save()
    GuardianFactory(student=student, name="Pat Ortiz", consents_to_messages=True, email="p@example.org")
    contracts_due_soon(now=when(1))
    to_student = Notification.objects.get(recipient_email="z@example.org")
    to_guardian = Notification.objects.get(recipient_email="p@example.org")
    assert to_student.title == "Your contract is due in 1 school day"
    assert to_student.body.startswith("Hello Zephyr,")
    assert "Zephyr" not in to_guardian.title + to_guardian.body
    assert to_guardian.title == "Daniela Ortiz's contract is due in 1 school day"


def test_a_kind_that_is_not_urgent_waits_for_the_digest_even_when_asked_by_email(
    contract, teacher, when, wants_email
):
    wants_email(teacher, DUE_SOON)
    contracts_due_soon(now=when(5))
    assert list(Notification.objects.values_list("in_app", "by_email")) == [(True, False)]
    notifications_deliver_pending()
    assert mail.outbox == []


def test_it_starts_the_reminders_over_when_an_extension_moves_the_due_date(contract, teacher, users, when):
    contracts_due_soon(now=when(5))
    contract = contract_extend(contract=contract, days=10, reason="Family emergency", by=users["staff"])
    assert contracts_due_soon(now=when(10, contract)) == 1
    assert Notification.objects.filter(recipient=teacher).count() == 2


def test_reminders_follow_the_student_to_the_teacher_who_carries_them_now(
    contract, teacher, other_site, other_teacher, users, when
):
    enrollment_transfer(
        enrollment=contract.student.enrollments.get(),
        site=other_site,
        teacher=other_teacher,
        on=date(2026, 10, 1),
    )
    contracts_due_soon(now=when(5))
    run_sweeps(now=at(contract.due_on + timedelta(days=1)))
    recipients = list(Notification.objects.values_list("kind", "recipient"))
    assert (DUE_SOON, other_teacher.pk) in recipients
    assert (Kind.CONTRACT_EXPIRED, other_teacher.pk) in recipients
    assert teacher.pk not in {recipient for _, recipient in recipients}


def test_it_follows_the_days_in_the_reminder_settings(contract, teacher, when):
    ReminderSettings.objects.update_or_create(pk=1, defaults={"contract_due_days": "3"})
    assert contracts_due_soon(now=when(5)) == 0
    assert contracts_due_soon(now=when(3)) == 1


def test_it_writes_nothing_for_a_contract_no_longer_active(contract, teacher, users, when):
    for course in contract.courses.all():
        contract_course_resolve(
            course=course, status="completed", grade="B", resolved_on=date(2026, 10, 1), by=users["staff"]
        )
    assert contracts_due_soon(now=when(5)) == 0


def test_it_expires_an_overdue_contract_and_tells_the_teacher_and_the_site_lead_once(
    contract, teacher, users
):
    UserFactory(role=roles.PROGRAM_STAFF)  # program staff without this site: nothing
    Site.objects.filter(pk=contract.site_id).update(lead=users["staff"])
    now = at(contract.due_on + timedelta(days=3))
    assert contracts_expired(now=now) == 2
    assert contracts_expired(now=now) == 0
    assert contracts_expired(now=now + timedelta(days=1)) == 0
    contract.refresh_from_db()
    assert contract.status == Contract.Status.EXPIRED
    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert recipients == {teacher.pk, users["staff"].pk}
    assert titles()[0] == f"Contract expired: {contract.student.display_name}"


def test_it_leaves_contracts_that_expired_long_ago_alone(contract, teacher):
    assert contracts_expired(now=at(contract.due_on + timedelta(days=45))) == 0
    contract.refresh_from_db()
    assert contract.status == Contract.Status.EXPIRED


def test_it_never_puts_support_flags_or_private_notes_in_a_notification(
    contract, teacher, users, when, wants_email, caplog
):
    sentinel = "SENTINEL-PRIVATE-NOTE-7731"
    student = contract.student
    profile = student.support_profile
    for flag in profile.FLAGS:
        setattr(profile, flag, True)
    profile.private_notes = sentinel
    profile.save()
    student.email = "student@example.org"
    student.save()
    GuardianFactory(student=student, consents_to_messages=True, email="g@example.org", language="es")
    wants_email(teacher, DUE_SOON, Kind.CONTRACT_EXPIRED)
    wants_email(users["staff"], Kind.CONTRACT_EXPIRED)
    caplog.set_level("DEBUG")
    run_sweeps(now=when(1))
    run_sweeps(now=at(contract.due_on + timedelta(days=2)))
    notifications_deliver_pending()
    notes = Notification.objects.all()
    texts = [n.title + n.body + "".join(read(n)) + repr(n.context) for n in notes]
    texts += [m.subject + m.body for m in mail.outbox]
    texts.append(caplog.text)
    assert len(mail.outbox) >= 4
    forbidden = [sentinel, *[str(label).lower() for label in profile.active_flags()]]
    for text in texts:
        for word in forbidden:
            assert word.lower() not in text.lower()


def test_it_runs_in_the_same_number_of_queries_for_few_or_many_contracts(site, teacher, open_contract):
    ContentType.objects.get_for_model(Contract)  # cached for the process, as after the first sweep

    def add_contracts(n):
        made = []
        for _ in range(n):
            student = EnrollmentFactory(site=site, teacher=teacher).student
            GuardianFactory(student=student, consents_to_messages=True, email=f"{student.pk}@example.org")
            made.append(open_contract(student, date(2026, 9, 14)))
        return made

    first = add_contracts(2)
    now = at(day_with_days_left(first[0], 5))
    # reminder settings, sites, closures, the contracts' bands, students with an address, reachable
    # guardians, the keys already written; the contracts owed with credits, guardians, open
    # enrollments with their teachers, email opt-ins, closing the older occasions' items, existing
    # dedupe keys, insert
    with CaptureQueriesContext(connection) as few:
        assert contracts_due_soon(now=now) == 4
    add_contracts(10)
    with CaptureQueriesContext(connection) as many:
        assert contracts_due_soon(now=now) == 20
    assert len(few.captured_queries) == len(many.captured_queries) == 14


def test_consent_and_the_address_are_read_when_the_email_is_sent(contract, teacher, when):
    withdrawn = GuardianFactory(student=contract.student, consents_to_messages=True, email="mom@example.org")
    moved = GuardianFactory(student=contract.student, consents_to_messages=True, email="dad@example.org")
    contracts_due_soon(now=when(5))
    # After the sweep wrote the reminders, before they went out: one withdrew consent, one moved.
    Guardian.objects.filter(pk=withdrawn.pk).update(email_opt_in=False)
    Guardian.objects.filter(pk=moved.pk).update(email="dad@new.example.org")
    notifications_deliver_pending()
    assert [m.to for m in mail.outbox] == [["dad@new.example.org"]]
    refused = Notification.objects.get(recipient_email="mom@example.org")
    assert refused.status == Notification.Status.FAILED and "consent" in refused.last_error


def test_a_newer_due_soon_item_replaces_the_older_one_on_the_today_page(contract, teacher, when):
    contracts_due_soon(now=when(10))
    contracts_due_soon(now=when(5))
    open_titles = titles(recipient=teacher, closed_at__isnull=True)
    assert open_titles == [f"Contract due in 5 instructional days: {contract.student.display_name}"]
