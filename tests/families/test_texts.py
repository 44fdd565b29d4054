"""Family texts through Twilio's real client against a local server: once, with consent, never at night."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from twilio.request_validator import RequestValidator

from families.models import Message
from families.services import family_text_queue
from notifications.models import Kind, Notification
from notifications.services import notification_deliver, notifications_deliver_pending
from students.models import GuardianConsent
from students.services import guardian_consent_set
from tests.concurrency import race_measured
from tests.factories import EnrollmentFactory, GuardianFactory
from tests.families.conftest import AUTH_TOKEN
from tests.matrix import matrix
from tests.notifications.conftest import read

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")
MORNING = datetime(2026, 11, 30, 10, 0, tzinfo=LA)
NIGHT = datetime(2026, 11, 30, 21, 30, tzinfo=LA)


@pytest.fixture
def family(teacher, site):
    enrollment = EnrollmentFactory(site=site, teacher=teacher, student__preferred_name="Nico")
    guardian = GuardianFactory(
        student=enrollment.student, phone="(213) 555-0123", language="es", consents_to_messages=True
    )
    return enrollment.student, guardian


def queue(student, guardian, body="Hola", occasion="test", **kwargs):
    return family_text_queue(
        student=student, guardian=guardian, body=body, kind=Message.Kind.STAFF, occasion=occasion, **kwargs
    )


def signed(client, path, params, token=AUTH_TOKEN, base="https://artworx.example"):
    signature = RequestValidator(token).compute_signature(base + path, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


@time_machine.travel(MORNING, tick=False)
def test_it_sends_a_text_once_through_the_provider_however_often_delivery_runs(twilio, family):
    student, guardian = family
    message = queue(student, guardian)
    assert queue(student, guardian) == message  # the same occasion: the same message
    for _ in range(3):
        notifications_deliver_pending()
        notification_deliver(notification_id=message.notification_id)
    assert len(twilio.sent) == 1
    assert (twilio.sent[0]["To"], twilio.sent[0]["Body"]) == ("+12135550123", "Hola")
    callback = f"https://artworx.example/families/twilio/status/?message={message.pk}"
    assert twilio.sent[0]["StatusCallback"] == callback
    message.refresh_from_db()
    assert (message.status, message.provider_sid) == ("queued", twilio.sent[0]["sid"])
    assert Notification.objects.get().status == Notification.Status.SENT


@time_machine.travel(MORNING, tick=False)
def test_it_refuses_a_text_without_consent_and_writes_nothing(twilio, family):
    student, _guardian = family
    other = GuardianFactory(student=student, phone="(213) 555-0124")
    with pytest.raises(ValidationError) as refused:
        queue(student, other)
    assert refused.value.code == "no_consent"
    assert not Message.objects.exists() and not Notification.objects.exists()


def test_a_text_due_in_quiet_hours_waits_until_eight(twilio, family):
    student, guardian = family
    with time_machine.travel(NIGHT, tick=False):
        message = queue(student, guardian)
        assert message.notification.not_before == datetime(2026, 12, 1, 8, 0, tzinfo=LA)
        notifications_deliver_pending()
    with time_machine.travel(datetime(2026, 12, 1, 7, 59, tzinfo=LA), tick=False):
        notifications_deliver_pending()
    assert twilio.sent == []
    with time_machine.travel(datetime(2026, 12, 1, 8, 0, tzinfo=LA), tick=False):
        notifications_deliver_pending()
    assert len(twilio.sent) == 1


@time_machine.travel(MORNING, tick=False)
def test_a_landline_is_refused_for_good_and_shown_on_the_student_page(twilio, as_role, family):
    student, guardian = family
    guardian.phone = "(323) 555-0000"
    guardian.save()
    message = queue(student, guardian)
    assert notification_deliver(notification_id=message.notification_id) is False
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", "21614")
    notification = Notification.objects.get(kind=Kind.FAMILY_TEXT)
    assert notification.status == Notification.Status.FAILED and "21614" in notification.last_error
    # The teacher, who can correct the number, has an item saying so.
    refused = Notification.objects.get(kind=Kind.ADDRESS_REFUSED)
    assert refused.recipient.username == "teacher" and refused.closed_at is None
    assert "+13235550000" in read(refused)[1]
    notifications_deliver_pending()
    assert twilio.sent == []
    page = as_role("teacher").get(reverse("students:detail", args=[student.pk])).content.decode()
    assert 'data-message-status="failed"' in page and "21614" in page


@time_machine.travel(MORNING, tick=False)
def test_a_provider_outage_delays_the_text_and_loses_nothing(twilio, family):
    student, guardian = family
    message = queue(student, guardian)
    twilio.down = True
    with pytest.raises(OSError):
        notification_deliver(notification_id=message.notification_id)
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts) == (Notification.Status.PENDING, 1)
    twilio.down = False
    assert notification_deliver(notification_id=message.notification_id)
    assert len(twilio.sent) == 1


@time_machine.travel(MORNING, tick=False)
def test_a_stop_after_queueing_cancels_the_text(twilio, family):
    student, guardian = family
    message = queue(student, guardian)
    guardian_consent_set(guardian=guardian, channel="sms", granted=False, method="text")
    notifications_deliver_pending()
    message.refresh_from_db()
    assert message.status == "cancelled" and twilio.sent == []


@time_machine.travel(MORNING, tick=False)
def test_without_a_provider_the_text_is_written_to_the_console_and_marked_not_sent(settings, family, capsys):
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = ""
    student, guardian = family
    message = queue(student, guardian, body="Hola familia")
    notifications_deliver_pending()
    message.refresh_from_db()
    assert message.status == "not_sent"
    assert "not sent" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
@time_machine.travel(MORNING, tick=True)
def test_a_status_reported_before_the_providers_answer_finds_its_message(twilio, live_family):
    twilio.call_back_first = True  # "sent" arrives while the row has no provider id yet
    message = queue(*live_family)
    notifications_deliver_pending()
    assert twilio.callbacks == [("sent", 204)]
    message.refresh_from_db()
    # The answer to the send ("queued") came after the report and does not move the status back.
    assert (message.status, message.provider_sid) == ("sent", twilio.sent[0]["sid"])


@time_machine.travel(MORNING, tick=False)
def test_a_callback_naming_another_row_cannot_take_its_message(twilio, client, family):
    student, guardian = family
    message = queue(student, guardian)
    notifications_deliver_pending()
    sid = twilio.sent[0]["sid"]
    other = signed(
        client, f"{STATUS}?message={message.pk}", {"MessageSid": "SM" + "8" * 32, "MessageStatus": "failed"}
    )
    assert other.status_code == 404  # the row has its provider id: a report for another id is refused
    message.refresh_from_db()
    assert (message.provider_sid, message.status) == (sid, "queued")
    for bad in ("abc", "9" * 40, "-1"):
        response = signed(client, f"{STATUS}?message={bad}", {"MessageSid": sid, "MessageStatus": "sent"})
        assert response.status_code == 204  # the id in the address is a hint; the provider id decides


# Webhooks ---------------------------------------------------------------------------------------------

STATUS = reverse("families:status_callback")
INBOUND = reverse("families:inbound")


@time_machine.travel(MORNING, tick=False)
def test_status_callbacks_update_the_thread_in_order(twilio, client, family):
    student, guardian = family
    message = queue(student, guardian)
    notifications_deliver_pending()
    sid = twilio.sent[0]["sid"]
    assert signed(client, STATUS, {"MessageSid": sid, "MessageStatus": "delivered"}).status_code == 204
    assert signed(client, STATUS, {"MessageSid": sid, "MessageStatus": "sent"}).status_code == 204
    message.refresh_from_db()
    assert message.status == "delivered"


@time_machine.travel(MORNING, tick=False)
def test_an_undelivered_callback_keeps_the_providers_error_code(twilio, client, family):
    student, guardian = family
    message = queue(student, guardian)
    notifications_deliver_pending()
    params = {"MessageSid": twilio.sent[0]["sid"], "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert signed(client, STATUS, params).status_code == 204
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("undelivered", "30003")


@pytest.mark.parametrize("path", [STATUS, INBOUND])
def test_a_forged_webhook_is_refused(twilio, client, family, path):
    params = {
        "MessageSid": "SM" + "1" * 32,
        "MessageStatus": "delivered",
        "From": "+12135550123",
        "Body": "STOP",
    }
    assert signed(client, path, params, token="not-the-token").status_code == 403
    assert client.post(path, params).status_code == 403
    tampered = signed(client, path, params)
    assert tampered.status_code != 403  # the right signature passes...
    signature = RequestValidator(AUTH_TOKEN).compute_signature("https://artworx.example" + path, params)
    assert (
        client.post(path, {**params, "Body": "START"}, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 403
    )


def test_webhooks_refuse_everything_without_a_configured_token(settings, client):
    settings.TWILIO_AUTH_TOKEN = ""
    assert signed(client, STATUS, {"MessageSid": "SMx", "MessageStatus": "sent"}, token="").status_code == 403


def test_a_callback_for_an_unknown_message_answers_404(twilio, client):
    response = signed(client, STATUS, {"MessageSid": "SM" + "9" * 32, "MessageStatus": "delivered"})
    assert response.status_code == 404


def test_a_callback_with_an_unknown_status_answers_400(twilio, client, family):
    Message.objects.create(
        student=family[0],
        guardian=family[1],
        direction="out",
        kind="staff",
        body="x",
        status="queued",
        provider_sid="SMknown",
    )
    assert signed(client, STATUS, {"MessageSid": "SMknown", "MessageStatus": "teleported"}).status_code == 400


def test_stop_opts_out_within_the_request_and_confirms_once(twilio, client, family):
    _student, guardian = family
    params = {"MessageSid": "SM" + "a" * 32, "From": "+12135550123", "To": "+12135550000", "Body": " alto "}
    response = signed(client, INBOUND, params)
    assert response.status_code == 200
    assert "<Message>" in response.content.decode()
    guardian.refresh_from_db()
    assert not guardian.sms_opt_in
    consent = guardian.consents.first()
    assert (consent.granted, consent.method, consent.note) == (False, GuardianConsent.Method.TEXT, "ALTO")
    again = signed(client, INBOUND, {**params, "MessageSid": "SM" + "b" * 32, "Body": "STOP"})
    assert "<Message>" not in again.content.decode()
    assert guardian.consents.filter(granted=False).count() == 1
    back = signed(client, INBOUND, {**params, "MessageSid": "SM" + "c" * 32, "Body": "INICIAR"})
    assert "<Message>" in back.content.decode()
    guardian.refresh_from_db()
    assert guardian.sms_opt_in


def test_a_reply_lands_on_the_thread_and_tells_the_teacher(twilio, client, family, teacher):
    student, guardian = family
    params = {
        "MessageSid": "SM" + "d" * 32,
        "From": "+12135550123",
        "To": "+12135550000",
        "Body": "Está enfermo",
    }
    assert signed(client, INBOUND, params).status_code == 200
    assert signed(client, INBOUND, params).status_code == 200  # the provider retried: nothing doubled
    received = Message.objects.get(direction="in")
    assert (received.student, received.guardian, received.body) == (student, guardian, "Está enfermo")
    notice = Notification.objects.get(kind=Kind.FAMILY_REPLY)
    assert notice.recipient == teacher and "Está enfermo" not in "".join(read(notice)) + repr(notice.context)


def test_a_text_from_an_unknown_number_is_kept(twilio, client):
    params = {"MessageSid": "SM" + "e" * 32, "From": "+13105550199", "To": "+12135550000", "Body": "hi"}
    assert signed(client, INBOUND, params).status_code == 200
    assert Message.objects.get().student is None


def test_an_inbound_text_without_a_number_is_refused_clearly(twilio, client):
    assert signed(client, INBOUND, {"MessageSid": "SMx", "From": "garbage", "Body": "hi"}).status_code == 400


@pytest.mark.slow
@pytest.mark.untraced  # a load test: the code it drives is measured by the tests above
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_thousand_inbound_texts_at_once_are_all_kept(twilio, family, capsys):
    """A thousand webhooks from one family's number in flight together (40 at a time, as workers of a
    server take them): each answered 200, each kept once, each its teacher told of."""

    def text(n):
        def job():
            params = {
                "MessageSid": f"SM{n:032d}",
                "From": "+12135550123",
                "To": "+12135550000",
                "Body": f"msg {n}",
            }
            status = signed(Client(), INBOUND, params).status_code
            assert status == 200, f"answered {status}"

        return job

    result = race_measured([text(n) for n in range(1000)])
    with capsys.disabled():
        print(f"\n1,000 inbound texts: {result.outcomes}, at most {result.peak} at once, {result.seconds} s")
    assert result.outcomes == {"ok": 1000}
    assert result.peak > 1
    assert Message.objects.filter(direction="in").count() == 1000
    assert Notification.objects.filter(kind=Kind.FAMILY_REPLY).count() == 1000


# Staff write from the student page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(default=302, anonymous=302, teaching_artist=404, other_teacher=404, no_role=404),
)
@time_machine.travel(MORNING, tick=False)
def test_staff_text_a_family_from_the_student_page(twilio, as_role, family, role, status):
    student, guardian = family
    url = reverse("families:message_create", args=[student.pk])
    response = as_role(role).post(url, {"guardian": guardian.pk, "template": "call_us"})
    assert response.status_code == status
    sent = Message.objects.filter(kind="staff").exists()
    assert sent is (role not in {"anonymous", "teaching_artist", "other_teacher", "no_role"})
    if sent:
        assert response.url == reverse("students:detail", args=[student.pk])


def test_composing_is_post_only(as_role, family):
    url = reverse("families:message_create", args=[family[0].pk])
    assert as_role("teacher").get(url).status_code == 405


@time_machine.travel(MORNING, tick=False)
def test_a_template_goes_in_the_guardians_language_and_free_text_as_written(twilio, as_role, family):
    student, guardian = family
    client = as_role("teacher")
    url = reverse("families:message_create", args=[student.pk])
    client.post(url, {"guardian": guardian.pk, "template": "call_us"})
    spanish = "Hola de parte de artworx: por favor llámenos sobre Nico cuando pueda."
    assert Message.objects.get().body == spanish
    client.post(url, {"guardian": guardian.pk, "text": "See you Monday"})
    assert Message.objects.filter(body="See you Monday").exists()
    empty = client.post(url, {"guardian": guardian.pk, "text": "  "}, follow=True)
    assert Message.objects.count() == 2 and empty.status_code == 200


@pytest.fixture
def live_family(twilio, live_server, settings, monkeypatch, teacher, site):
    """A guardian who takes texts, with the provider calling back this test's live server."""
    # Committed for real here: delivery runs in the test's process, not through the shared broker.
    monkeypatch.setattr("families.services.deliveries_enqueue", lambda **kwargs: None)
    settings.ARTWORX_BASE_URL = live_server.url
    enrollment = EnrollmentFactory(site=site, teacher=teacher)
    return enrollment.student, GuardianFactory(student=enrollment.student, consents_to_messages=True)


@pytest.mark.django_db(transaction=True)
@time_machine.travel(MORNING, tick=True)
def test_the_provider_calls_back_the_status_webhook_with_a_real_signature(twilio, live_family):
    twilio.call_back = True
    message = queue(*live_family)
    notifications_deliver_pending()
    deadline = time.monotonic() + 10
    while len(twilio.callbacks) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert twilio.callbacks == [("sent", 204), ("delivered", 204)]
    message.refresh_from_db()
    assert message.status == "delivered"
