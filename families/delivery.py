"""The outbox's text sender: send one queued family text through the provider, once.

Called by `notifications.services.notification_deliver` on a row it has claimed, so at most one worker
runs this for a notification at a time. It answers the outbox by returning (sent), raising
DeliveryDeferred (quiet hours), DeliveryRefused (a final no: the thread says why) or OSError (the provider
is away: retried with backoff, the row stays pending, nothing is lost).
"""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from families.models import Message
from families.provider import ProviderRefused, text_backend
from families.services import PROVIDER_STATUS, message_send_failed, message_status_record, quiet_hours_end
from notifications.channels import DeliveryDeferred, DeliveryRefused
from notifications.services import MAX_ATTEMPTS

logger = logging.getLogger(__name__)


def status_callback_url(message: Message) -> str:
    """Where the provider reports a message's status (checked against its signature). It names our
    row, so a report that arrives before the provider's answer to the send finds its message."""
    return f"{settings.ARTWORX_BASE_URL}{reverse('families:status_callback')}?message={message.pk}"


def message_send(notification) -> None:
    """Send the family text behind an outbox row now, unless consent or quiet hours say otherwise."""
    message = Message.objects.select_related("guardian").get(notification_id=notification.pk)
    now = timezone.now()
    # Consent is read again at sending time: a STOP after the text was queued wins.
    if message.guardian is None or not message.guardian.sms_opt_in:
        Message.objects.filter(pk=message.pk).update(status=Message.Status.CANCELLED, status_at=now)
        raise DeliveryRefused("The guardian withdrew consent to texts before it was sent.")
    until = quiet_hours_end(now)
    if until is not None:
        raise DeliveryDeferred(until)
    try:
        sent = text_backend().send(
            to=message.phone, body=message.body, status_callback=status_callback_url(message)
        )
    except ProviderRefused as refused:
        message_send_failed(message_id=message.pk, code=refused.code, reason=refused.message)
        raise DeliveryRefused(str(refused)) from refused
    except OSError as error:
        if notification.attempts >= MAX_ATTEMPTS:
            message_send_failed(message_id=message.pk, code="", reason=f"Provider unavailable: {error}")
        raise
    if sent.status == "not_sent":
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.NOT_SENT, status_at=now, updated_at=now
        )
    else:
        # The provider may have reported on it already (a callback faster than its answer): the
        # status only moves forward.
        message_status_record(
            sid=sent.sid,
            status=sent.status if sent.status in PROVIDER_STATUS else "queued",
            message_id=message.pk,
        )
    logger.info("Family text %s handed to the provider (%s).", message.pk, sent.sid or "console")
