"""Channels the outbox delivers through besides email: an app above registers the text-message sender.

The outbox knows no domain app and no provider: `families` registers `send_text` at start-up
(`register_text_sender`), and the sender tells the outbox how an attempt went by returning (sent) or
raising one of the exceptions below, or OSError for a provider that did not answer (retried with backoff).
"""

from collections.abc import Callable
from datetime import datetime

TEXT_SENDERS: list[Callable] = []


class DeliveryDeferred(Exception):
    """The message may not go now (quiet hours): the row waits until `until`, with no attempt counted."""

    def __init__(self, until: datetime):
        super().__init__(f"deferred until {until.isoformat()}")
        self.until = until


class DeliveryRefused(Exception):
    """The provider will never deliver this message (invalid or landline number, opted out): no retry."""


def register_text_sender(sender: Callable) -> None:
    """Set the function that sends a text notification (one per process; the last registered wins)."""
    TEXT_SENDERS[:] = [sender]


def send_text(notification) -> None:
    """Send a text notification through the registered sender; without one, nothing can send it."""
    if not TEXT_SENDERS:
        raise DeliveryRefused("No text-message sender is installed.")
    TEXT_SENDERS[0](notification)


# The address a person who does not sign in may be emailed at now, by the app that knows them: given
# the contact's key ("guardian-12", "student-5") and the kind, the current address, or "" once they
# withdrew consent to reminders.
CONTACT_ADDRESSES: list[Callable[[str, str], str | None]] = []


def register_contact_address(lookup: Callable[[str, str], str | None]) -> None:
    """Set the function that reads a contact's address and consent at the moment of sending."""
    CONTACT_ADDRESSES[:] = [lookup]


def contact_address(key: str, kind: str, written: str) -> str:
    """The address to email a contact at now: the registered lookup's answer, or the written one when no
    app knows the key (None)."""
    if not CONTACT_ADDRESSES:
        return written
    current = CONTACT_ADDRESSES[0](key, kind)
    return written if current is None else current
