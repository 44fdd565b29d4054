"""Sending a text through Twilio's Messaging API (the official `twilio` client), or to the console.

`text_backend()` picks the provider from the environment (config.settings, TWILIO_*): Twilio when an
account, a token and a sending number or messaging service are set, the console otherwise (the embedded
default: the text is logged and the thread marks it "not sent").
"""

import logging
import sys
from dataclasses import dataclass

from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

logger = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"
# Twilio's answers that no retry will change: the number is not a valid (mobile) number, it opted out,
# or it cannot be reached from our number. https://www.twilio.com/docs/api/errors
PERMANENT_ERRORS = {"21211", "21214", "21217", "21407", "21408", "21421", "21610", "21612", "21614", "21635"}


@dataclass(frozen=True)
class Sent:
    """What the provider answered: its id for the message and the status it gave."""

    sid: str
    status: str


class ProviderRefused(Exception):
    """The provider refused the message for good (its error code says why)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


class ProviderUnavailable(OSError):
    """The provider did not take the message now (down, throttling, bad credentials): try again later."""


class RebasedHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client, sending to another address (TWILIO_API_BASE_URL) than api.twilio.com."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


class TwilioBackend:
    """Texts through Twilio's Messaging API."""

    name = "twilio"

    def __init__(self):
        http_client = (
            RebasedHttpClient(settings.TWILIO_API_BASE_URL, timeout=settings.TWILIO_TIMEOUT_SECONDS)
            if settings.TWILIO_API_BASE_URL
            else TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT_SECONDS)
        )
        self.client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)

    def send(self, *, to: str, body: str, status_callback: str) -> Sent:
        """Hand one text to Twilio; ProviderRefused for a final no, ProviderUnavailable to try later."""
        sender = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM_NUMBER}
        )
        try:
            message = self.client.messages.create(to=to, body=body, status_callback=status_callback, **sender)
        except TwilioRestException as error:
            code = str(error.code or "")
            if code in PERMANENT_ERRORS or (error.status == 400 and code):
                raise ProviderRefused(code, str(error.msg)[:250]) from error
            # 401 (credentials), 429 (throttled), 5xx: nothing wrong with the message itself.
            raise ProviderUnavailable(f"Twilio answered {error.status} ({code or 'no code'})") from error
        return Sent(sid=message.sid, status=message.status or "queued")


class ConsoleBackend:
    """No provider configured: the text is printed, and the thread shows it was not sent."""

    name = "console"

    def send(self, *, to: str, body: str, status_callback: str) -> Sent:
        sys.stdout.write(f"[text not sent: no provider configured] to {to}:\n{body}\n")
        return Sent(sid="", status="not_sent")


def text_backend() -> TwilioBackend | ConsoleBackend:
    """The configured provider: Twilio when its settings are complete, the console otherwise."""
    configured = settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN
    if configured and (settings.TWILIO_FROM_NUMBER or settings.TWILIO_MESSAGING_SERVICE_SID):
        return TwilioBackend()
    return ConsoleBackend()
