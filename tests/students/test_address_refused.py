"""A guardian's or a student's address refused for good reaches the person who can correct it, through
a real SMTP server on loopback that refuses one mailbox (aiosmtpd), and closes when it is corrected."""

import socket

import pytest
from aiosmtpd.controller import Controller
from django.utils import translation

from notifications.items import item_text
from notifications.models import Kind, Notification
from notifications.services import notification_deliver, notifications_enqueue_many
from notifications.sweeps import contact_draft
from students.services import guardian_save, student_save
from tests.factories import GuardianFactory

pytestmark = pytest.mark.django_db

REFUSED = "nobody@families.example"


class Mailbox:
    """Takes every recipient but REFUSED, which it answers with a permanent 550."""

    def __init__(self):
        self.received: list[list[str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    yield box
    controller.stop()


def email_guardian(guardian, occasion: str) -> int:
    """A reminder by email to the guardian, written as the sweeps write them; returns its id."""
    return email_contact(guardian.student, occasion, f"guardian-{guardian.pk}", guardian.name, guardian.email)


def email_contact(student, occasion: str, key: str, name: str, email: str) -> int:
    """A contract reminder by email to a guardian or the student ("guardian-3", "student-7")."""
    notifications_enqueue_many(
        drafts=[
            contact_draft(
                kind=Kind.CONTRACT_DUE_SOON,
                subject=student,
                occasion=occasion,
                key=key,
                audience=key.split("-")[0],
                name=name,
                email=email,
                language="en",
                context={"student_name": str(student), "days_left": 5, "site_name": "Watts"},
            )
        ]
    )
    return Notification.objects.get(dedupe_key__endswith=f"{occasion}:{key}").pk


@pytest.fixture
def guardian(student):
    return GuardianFactory(student=student, name="Rosa Flores", email=REFUSED, consents_to_messages=True)


def refusals():
    return Notification.objects.filter(kind=Kind.ADDRESS_REFUSED)


def test_a_refused_address_is_put_before_the_students_teacher_once(mailbox, guardian, teacher):
    assert notification_deliver(notification_id=email_guardian(guardian, "first")) is False
    assert Notification.objects.get(kind=Kind.CONTRACT_DUE_SOON).status == Notification.Status.FAILED
    assert mailbox.received == []
    item = refusals().get()
    assert item.recipient == teacher and item.closed_at is None
    title, body = item_text(item)
    assert title == "Email to Rosa Flores was refused: check the address"
    assert REFUSED in body and item.link_url == f"/students/{guardian.student_id}/"
    # Refused again at the same address: still one item. Nobody else hears of it.
    notification_deliver(notification_id=email_guardian(guardian, "second"))
    assert refusals().count() == 1
    teacher.language = "es"
    teacher.save(update_fields=["language"])
    with translation.override("es"):
        assert item_text(refusals().get())[0] == "El correo a Rosa Flores fue rechazado: revise la dirección"


def test_correcting_the_address_closes_the_item_and_the_next_email_goes(mailbox, guardian, teacher):
    notification_deliver(notification_id=email_guardian(guardian, "first"))
    guardian.email = "rosa@families.example"
    guardian_save(guardian=guardian, consents={}, method="phone", by=teacher)
    assert refusals().get().closed_at is not None
    assert notification_deliver(notification_id=email_guardian(guardian, "second")) is True
    assert mailbox.received == [["rosa@families.example"]]


def test_a_mail_server_that_is_down_is_not_a_refusal(settings, guardian):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]  # nothing listens there once the probe closes
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    with pytest.raises(OSError):
        notification_deliver(notification_id=email_guardian(guardian, "first"))
    assert Notification.objects.get(kind=Kind.CONTRACT_DUE_SOON).status == Notification.Status.PENDING
    assert not refusals().exists()


def test_a_students_own_refused_address_goes_to_their_teacher_and_closes_when_corrected(
    mailbox, student, teacher
):
    student.email = REFUSED
    student.save()
    reminder = email_contact(student, "first", f"student-{student.pk}", student.first_name, REFUSED)

    assert notification_deliver(notification_id=reminder) is False
    item = refusals().get()
    assert item.recipient == teacher and item.subject == student
    title, body = item_text(item)
    assert title == f"Email to {student.display_name} was refused: check the address"
    assert f"{REFUSED}, {student.display_name}'s own address" in body
    assert "family" not in body

    student.email = "student@school.example"
    student_save(student=student)
    assert refusals().get().closed_at is not None
    assert notification_deliver(
        notification_id=email_contact(
            student, "second", f"student-{student.pk}", student.first_name, student.email
        )
    )
    assert mailbox.received == [["student@school.example"]]


def test_saving_a_student_without_changing_the_address_leaves_the_item_open(mailbox, student, teacher):
    student.email = REFUSED
    student.save()
    notification_deliver(
        notification_id=email_contact(student, "first", f"student-{student.pk}", "Ana", REFUSED)
    )
    student.address = "1 Main St, Los Angeles"
    student_save(student=student)
    assert refusals().get().closed_at is None
