"""Outbox services: enqueue by dedupe key, deliver once, fail and retry, release, mark read, preferences."""

from datetime import timedelta
from smtplib import SMTPException, SMTPRecipientsRefused

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from notifications import services
from notifications.models import Kind, Notification, NotificationPreference
from notifications.services import (
    MAX_ATTEMPTS,
    notification_deliver,
    notification_enqueue,
    notification_mark_read,
    notification_preferences_save,
    notifications_deliver_pending,
    notifications_mark_all_read,
    notifications_release_stuck,
    notifications_retry,
)
from notifications.sweeps import dedupe_key
from tests.notifications.conftest import read

pytestmark = pytest.mark.django_db

CONTEXT = {
    "student_name": "Dani García",
    "site_name": "Eastside Storefront",
    "teacher_name": "Ana Rivera",
    "due_on": timezone.localdate(),
    "days_left": 5,
    "credits_done": 5,
    "credits_planned": 10,
    "audience": "staff",
    "recipient_name": "Ana",
}


@pytest.fixture
def enqueue(contract, teacher):
    """`enqueue(key="a", **overrides)`: a due-soon notification about `contract`, by email to the teacher."""

    def make(key="occasion", **overrides):
        fields = {
            "kind": Kind.CONTRACT_DUE_SOON,
            "dedupe_key": dedupe_key(Kind.CONTRACT_DUE_SOON, contract, key, f"user-{teacher.pk}"),
            "subject": contract,
            "context": CONTEXT,
            "recipient": teacher,
            "language": "en",
            "in_app": True,
            "by_email": True,
            **overrides,
        }
        return notification_enqueue(**fields)

    return make


def test_it_writes_a_dedupe_key_once(enqueue):
    first, created = enqueue()
    again, created_again = enqueue()
    assert created and not created_again
    assert again.pk == first.pk
    assert Notification.objects.count() == 1
    assert first.title == ""  # a signed-in user's item is rendered when it is read or sent
    assert read(first)[0] == "Contract due in 5 instructional days: Dani García"
    assert first.status == Notification.Status.PENDING


def test_it_returns_the_row_a_concurrent_sweep_wrote_first(enqueue, monkeypatch):
    build = services._build

    def build_after_a_rival_wrote(draft, *, now):
        build(draft, now=now).save()  # a rival sweep wins the race between our check and our insert
        return build(draft, now=now)

    monkeypatch.setattr(services, "_build", build_after_a_rival_wrote)
    notification, created = enqueue()
    assert not created
    assert Notification.objects.get().pk == notification.pk


def test_the_database_refuses_a_second_row_with_the_same_key(enqueue):
    notification, _ = enqueue()
    notification.pk = None
    with pytest.raises(IntegrityError):
        notification.save()


def test_an_in_app_only_notification_is_delivered_by_being_written(enqueue):
    notification, _ = enqueue(by_email=False)
    assert notification.status == Notification.Status.SENT and notification.sent_at
    assert notification_deliver(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_it_delivers_an_email_once_however_often_it_is_asked(enqueue, teacher):
    notification, _ = enqueue()
    assert notification_deliver(notification_id=notification.pk) is True
    assert notification_deliver(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [teacher.email]
    notification.refresh_from_db()
    assert mail.outbox[0].subject == notification.title == "Contract due in 5 instructional days: Dani García"
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1 and notification.sent_at is not None


def test_a_failed_send_goes_back_to_pending_with_the_error(enqueue, monkeypatch):
    notification, _ = enqueue()

    def refuse(self, fail_silently=False):
        raise SMTPException("server said no")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(SMTPException):
        notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 1
    assert notification.last_error == "SMTPException: server said no"
    monkeypatch.undo()
    assert notification_deliver(notification_id=notification.pk) is True
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT and notification.last_error == ""


def test_an_outage_delays_a_message_however_many_attempts_it_takes(enqueue, monkeypatch):
    notification, _ = enqueue()
    Notification.objects.filter(pk=notification.pk).update(attempts=MAX_ATTEMPTS + 5)
    monkeypatch.setattr(
        "django.core.mail.EmailMessage.send", lambda *a, **k: (_ for _ in ()).throw(OSError("down"))
    )
    with pytest.raises(OSError):
        notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    # Still pending, marked as in the broker's hands so the sweep starts no second retry chain.
    assert notification.status == Notification.Status.PENDING and notification.queued_at is not None
    monkeypatch.undo()
    assert notification_deliver(notification_id=notification.pk) is True


def test_a_refused_address_ends_the_message_as_failed(enqueue, monkeypatch):
    notification, _ = enqueue()

    def refuse(*args, **kwargs):
        raise SMTPRecipientsRefused({"x@example.org": (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert notification_deliver(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED and "no such user" in notification.last_error


def test_email_turned_off_after_the_item_was_written_is_not_sent(enqueue, teacher):
    notification, _ = enqueue()
    NotificationPreference.objects.create(user=teacher, kind=Kind.CONTRACT_DUE_SOON, by_email=False)
    assert notification_deliver(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT and mail.outbox == []


def test_the_email_speaks_the_language_the_person_reads_when_it_is_sent(enqueue, teacher):
    notification, _ = enqueue()
    teacher.language = "es"
    teacher.save(update_fields=["language"])
    assert notification_deliver(notification_id=notification.pk) is True
    notification.refresh_from_db()
    assert mail.outbox[0].subject == notification.title
    assert notification.language == "es" and "vence" in notification.title.lower()


def test_it_marks_failed_a_notification_to_a_user_without_an_email_address(enqueue, teacher):
    notification, _ = enqueue()
    teacher.email = ""
    teacher.save()
    assert notification_deliver(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert mail.outbox == []


def test_it_puts_back_only_rows_stuck_in_sending_longer_than_the_limit(enqueue):
    stuck, _ = enqueue("a")
    recent, _ = enqueue("b")
    exhausted, _ = enqueue("c")
    now = timezone.now()
    Notification.objects.filter(pk=stuck.pk).update(status="sending", claimed_at=now - timedelta(minutes=20))
    Notification.objects.filter(pk=recent.pk).update(status="sending", claimed_at=now - timedelta(minutes=1))
    Notification.objects.filter(pk=exhausted.pk).update(
        status="sending", claimed_at=now - timedelta(minutes=20), attempts=MAX_ATTEMPTS
    )
    assert notifications_release_stuck(older_than=now - timedelta(minutes=15)) == 2
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses == {stuck.pk: "pending", recent.pk: "sending", exhausted.pk: "failed"}


def test_retry_gives_failed_notifications_a_fresh_start(enqueue):
    failed, _ = enqueue("a")
    sent, _ = enqueue("b", by_email=False)
    Notification.objects.filter(pk=failed.pk).update(status="failed", attempts=MAX_ATTEMPTS)
    assert notifications_retry(notification_ids=[failed.pk, sent.pk]) == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert notifications_deliver_pending() == (1, 0)


def test_deliver_pending_keeps_going_past_a_failure_and_counts_it(enqueue, monkeypatch):
    enqueue("a")
    enqueue("b")
    calls = []

    def flaky(self, fail_silently=False):
        calls.append(self.subject)
        if len(calls) == 1:
            raise OSError("connection reset")
        return 1

    monkeypatch.setattr("django.core.mail.EmailMessage.send", flaky)
    assert notifications_deliver_pending() == (1, 1)
    assert Notification.objects.filter(status="pending").count() == 1


def test_a_user_marks_only_their_own_notifications_read(enqueue, teacher, other_teacher):
    notification, _ = enqueue()
    assert notification_mark_read(notification=notification, user=other_teacher) is False
    notification.refresh_from_db()
    assert notification.read_at is None
    assert notification_mark_read(notification=notification, user=teacher) is True
    assert notification_mark_read(notification=notification, user=teacher) is False
    enqueue("other")
    assert notifications_mark_all_read(user=other_teacher) == 0
    assert notifications_mark_all_read(user=teacher) == 1


def test_preferences_save_one_row_per_kind_and_update_in_place(teacher):
    notification_preferences_save(user=teacher, email_kinds={Kind.CONTRACT_EXPIRED})
    notification_preferences_save(user=teacher, email_kinds={Kind.CONTRACT_DUE_SOON})
    rows = dict(NotificationPreference.objects.filter(user=teacher).values_list("kind", "by_email"))
    assert rows == {kind: kind == Kind.CONTRACT_DUE_SOON for kind in Kind.values}


def test_preferences_refuse_an_unknown_kind(teacher):
    with pytest.raises(ValidationError) as refused:
        notification_preferences_save(user=teacher, email_kinds={"lottery_win"})
    assert refused.value.code == "unknown_kind"
    assert not NotificationPreference.objects.exists()
