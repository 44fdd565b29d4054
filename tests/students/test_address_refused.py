"""A guardian's address refused for good reaches the person who can correct it, through a real SMTP
server on loopback that refuses one mailbox (aiosmtpd), and closes when the address is corrected."""

import socket

import pytest
from aiosmtpd.controller import Controller
from django.utils import translation

from notifications.items import item_text
from notifications.models import Kind, Notification
from notifications.services import notification_deliver, notifications_enqueue_many
from notifications.sweeps import contact_draft
from students.services import guardian_save
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
    notifications_enqueue_many(
        drafts=[
            contact_draft(
                kind=Kind.CONTRACT_DUE_SOON,
                subject=guardian.student,
                occasion=occasion,
                key=f"guardian-{guardian.pk}",
                audience="guardian",
                name=guardian.name,
                email=guardian.email,
                language="en",
                context={"student_name": str(guardian.student), "days_left": 5, "site_name": "Watts"},
            )
        ]
    )
    return Notification.objects.get(dedupe_key__endswith=f"{occasion}:guardian-{guardian.pk}").pk


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
