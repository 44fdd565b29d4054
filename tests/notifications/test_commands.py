"""`send_reminders` (sweep and delivery without a broker) and the sweep benchmark."""

import ast
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notifications.models import DigestSchedule, Notification
from programs.models import Session
from students.models import Contract

pytestmark = pytest.mark.django_db


def test_send_reminders_writes_and_sends_in_process_and_only_once(open_contract, student, teacher):
    # The digest hour has come whatever the suite's moment: the teacher's one email is the digest.
    DigestSchedule.objects.create(user=teacher, hour=0)
    contract = open_contract(student, length_days=10)
    Contract.objects.filter(pk=contract.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "contracts_expired: 1 notification(s) written" in out.getvalue()
    assert "digests: 1 notification(s) written" in out.getvalue()
    assert "1 email(s) sent, 0 failed" in out.getvalue()
    call_command("send_reminders", stdout=StringIO())
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [teacher.email]
    assert Notification.objects.get(kind="digest").status == "sent"
    assert Notification.objects.get(kind="contract_expired").closed_at is None  # still open: in the bell


def test_the_sweep_benchmark_measures_and_leaves_nothing_behind():
    out = StringIO()
    call_command("bench_sweep", contracts=40, sites=4, sessions=80, stdout=out)
    text = out.getvalue()
    assert "first pass (writes the reminders):" in text and "second pass (nothing new):" in text
    second = text[text.index("second pass") :].splitlines()[0]
    written = ast.literal_eval(second[second.index("{") : second.index("}") + 1])
    assert set(written) >= {"contracts_expired", "contracts_due_soon", "attendance_not_logged", "absences"}
    assert set(written.values()) == {0}
    assert not Contract.objects.exists() and not Notification.objects.exists()
    assert not Session.objects.exists()
