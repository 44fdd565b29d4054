"""The outbox's constraints and the reminder settings."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError

from notifications.models import Notification, ReminderSettings

pytestmark = pytest.mark.django_db


def row(contract, **fields) -> Notification:
    values = {
        "kind": "contract_expired",
        "subject_type": ContentType.objects.get_for_model(contract),
        "subject_id": contract.pk,
        "dedupe_key": "k",
        "title": "t",
        "body": "b",
        **fields,
    }
    return Notification(**values)


@pytest.mark.parametrize(
    "fields",
    [
        {"recipient": None, "recipient_email": "", "in_app": False, "by_email": True},  # nobody
        {"recipient": None, "recipient_email": "a@example.org", "in_app": True},  # in-app, no user
        {"in_app": False, "by_email": False},  # no channel
        {"status": "sent"},  # sent without a time
        {"status": "sending"},  # sending, never claimed
    ],
)
def test_the_database_refuses_an_impossible_notification(contract, teacher, fields):
    with pytest.raises(IntegrityError):
        row(contract, **{"recipient": teacher, **fields}).save()


def test_the_settings_getter_gives_the_saved_row_or_the_defaults():
    assert ReminderSettings.current().contract_due_day_list == [10, 5, 1]
    ReminderSettings.objects.all().delete()
    defaults = ReminderSettings.current()
    assert defaults.pk is None
    assert (defaults.attendance_remind_after_hours, defaults.attendance_escalate_after_hours) == (2, 48)
    assert defaults.referral_no_contact_days == 3


def test_there_is_only_one_settings_row():
    ReminderSettings(contract_due_days="7").save()
    assert ReminderSettings.objects.count() == 1
    assert ReminderSettings.current().contract_due_day_list == [7]
    with pytest.raises(IntegrityError):
        ReminderSettings.objects.bulk_create([ReminderSettings(id=2)])
