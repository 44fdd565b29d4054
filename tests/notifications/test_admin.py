"""The outbox, reminder settings and preferences in the admin console."""

import pytest
from django.urls import reverse

from notifications.models import Kind, Notification, ReminderSettings
from notifications.services import notification_enqueue
from notifications.sweeps import dedupe_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(contract, teacher):
    notification, _ = notification_enqueue(
        kind=Kind.CONTRACT_EXPIRED,
        dedupe_key=dedupe_key(Kind.CONTRACT_EXPIRED, contract, "expired", f"user-{teacher.pk}"),
        subject=contract,
        context={"student_name": "Dani", "due_on": contract.due_on, "audience": "staff"},
        recipient=teacher,
        by_email=True,
    )
    Notification.objects.filter(pk=notification.pk).update(status="failed", attempts=10, last_error="OSError")
    return notification


@pytest.mark.parametrize(
    "name",
    [
        "admin:notifications_notification_changelist",
        "admin:notifications_notificationpreference_changelist",
        "admin:notifications_remindersettings_changelist",
    ],
)
def test_every_changelist_opens_with_search_for_administrators_only(as_role, failed, name):
    assert as_role("admin").get(reverse(name), {"q": "a"}).status_code == 200
    assert as_role("staff").get(reverse(name)).status_code == 302


def test_the_outbox_filters_by_status_and_shows_a_row_read_only(as_role, failed):
    client = as_role("admin")
    response = client.get(reverse("admin:notifications_notification_changelist"), {"status__exact": "failed"})
    assert list(response.context["cl"].result_list) == [failed]
    assert client.get(reverse("admin:notifications_notification_change", args=[failed.pk])).status_code == 200
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403


def test_retry_puts_failed_notifications_back_for_the_next_sweep(as_role, failed):
    response = as_role("admin").post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "retry", "_selected_action": [failed.pk]},
        follow=True,
    )
    assert "1 failed notification will be sent by the next sweep." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)


def test_reminder_settings_are_edited_and_bad_day_lists_refused(as_role):
    client = as_role("admin")
    url = reverse("admin:notifications_remindersettings_change", args=[1])
    data = {
        "attendance_remind_after_hours": 3,
        "attendance_escalate_after_hours": 24,
        "contract_due_days": "15,5",
        "referral_no_contact_days": 3,
        "digest_hour": 7,
    }
    assert client.post(url, data).status_code == 302
    assert ReminderSettings.objects.get().contract_due_day_list == [15, 5]
    for bad in ("10,,5", "5,5", "0", "200", "ten"):
        response = client.post(url, {**data, "contract_due_days": bad})
        assert response.status_code == 200, bad
        assert response.context["adminform"].form.errors["contract_due_days"]
    response = client.post(url, {**data, "attendance_escalate_after_hours": 1})
    assert response.status_code == 200
    assert "Escalation comes after the first reminder." in response.content.decode()
    assert ReminderSettings.objects.get().contract_due_day_list == [15, 5]
