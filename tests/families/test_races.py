"""Family texts on PostgreSQL: STOPs and retried webhooks arriving together change things once."""

import threading

import pytest

from families.models import Message
from families.services import inbound_text_receive
from students.models import Guardian, GuardianConsent
from tests.concurrency import race
from tests.factories import EnrollmentFactory, GuardianFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
NUMBER = "+12135550177"


@pytest.fixture
def guardian():
    student = EnrollmentFactory().student
    return GuardianFactory(student=student, phone=NUMBER, language="es", consents_to_messages=True)


def test_stops_arriving_together_opt_out_once_and_confirm_once(guardian):
    replies, lock = [], threading.Lock()

    def stop(n):
        def job():
            reply = inbound_text_receive(sid=f"SM{n:032d}", from_number=NUMBER, body=("STOP", "ALTO")[n % 2])
            with lock:
                replies.append(reply)

        return job

    assert race([stop(n) for n in range(8)]) == {"ok": 8}
    assert len([reply for reply in replies if reply]) == 1  # one confirmation, as carriers require
    assert not Guardian.objects.get(pk=guardian.pk).sms_opt_in
    opt_outs = GuardianConsent.objects.filter(guardian=guardian, channel="sms", granted=False)
    assert opt_outs.count() == 1
    assert Message.objects.filter(direction="in").count() == 8  # each text is on the thread
    assert Message.objects.filter(kind=Message.Kind.KEYWORD).count() == 1


def test_one_webhook_delivered_many_times_at_once_is_recorded_once(guardian):
    jobs = [
        lambda: inbound_text_receive(sid="SM" + "4" * 32, from_number=NUMBER, body="Gracias")
        for _ in range(8)
    ]
    assert race(jobs) == {"ok": 8}
    assert Message.objects.filter(direction="in", provider_sid="SM" + "4" * 32).count() == 1
