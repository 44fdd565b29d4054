"""Reminder sweeps: each asks the database what is due now and writes notifications by dedupe key.

A sweep is `sweep(*, now) -> int` (notifications written), defined in its app's `reminders.py` and
registered here with `@sweep`; this app knows no domain app. A sweep is set-based: a constant number of
queries however many rows are due, and safe to run any number of times, because every notification has
a unique dedupe key (kind + subject + occasion + recipient).

Adding a kind of reminder: add it to `Kind`, write its two templates
(`templates/notifications/<kind>_subject.txt` and `_body.txt`), and write its sweep in the app that owns
the subject, decorated with `@sweep`.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from notifications.items import items_resolve
from notifications.models import URGENT_KINDS, Notification
from notifications.services import NotificationDraft, absolute_url, digests_write

SWEEPS: list[Callable[..., int]] = []


def sweep(function: Callable[..., int]) -> Callable[..., int]:
    """Register a reminder sweep; sweeps run in the order their apps are installed, then defined."""
    if function.__name__ in {registered.__name__ for registered in SWEEPS}:
        raise ValueError(f"A sweep named {function.__name__!r} is already registered.")
    SWEEPS.append(function)
    return function


def dedupe_key(kind: str, subject: models.Model, occasion: str, recipient: str) -> str:
    """The unique key of one reminder: kind + subject + occasion + recipient."""
    return _key(kind, subject._meta.label_lower, subject.pk, occasion, recipient)


def _key(kind: str, label: str, pk: int, occasion: str, recipient: str) -> str:
    return f"{kind}:{label}:{pk}:{occasion}:{recipient}"


def still_owed(
    *,
    kind: str,
    model: type[models.Model],
    occasions: dict[int, str],
    holders: tuple[str, ...] | dict[int, tuple[str, ...]],
) -> set[int]:
    """The subjects (pk → occasion) still owed an item by one of the responsibilities `holders` names
    ("teacher", "lead"; or per subject, "student-7" and "guardian-9" for the people reached by email):
    the ones an earlier pass wrote for all of them need not be loaded or drafted again, so a sweep's
    later passes cost a few key lookups. (A responsibility nobody holds is never written, so its
    subjects are drafted each pass, and `responsible_drafts` skips them.)"""
    label = model._meta.label_lower
    wanted = {
        pk: [
            _key(kind, label, pk, occasion, holder)
            for holder in (holders if isinstance(holders, tuple) else holders.get(pk, ()))
        ]
        for pk, occasion in occasions.items()
    }
    written = Notification.objects.keys_written(key for keys in wanted.values() for key in keys)
    return {pk for pk, keys in wanted.items() if not written.issuperset(keys)}


# What a drafted item reads of its recipient (`user_draft`, `responsible_drafts`, their names).
RECIPIENT_FIELDS = ("first_name", "last_name", "username", "email", "language", "is_active")


def recipients(user_ids: Iterable[int]) -> dict[int, models.Model]:
    """The people with these ids (id → user), loaded with what drafting their items reads."""
    users = get_user_model().objects.filter(pk__any=list(user_ids)).only(*RECIPIENT_FIELDS)
    return {user.pk: user for user in users}


def links(view_name: str) -> Callable[[int], str]:
    """`reverse(view_name, args=[pk])` for many pks, resolved once: a sweep links thousands of items, and
    each `reverse` costs a tenth of a millisecond."""
    marker = 987654321
    head, tail = reverse(view_name, args=[marker]).split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def user_draft(
    user,
    *,
    kind: str,
    subject: models.Model,
    occasion: str,
    context: dict,
    opt_ins: set[int],
    link_url: str,
    responsibility: str = "",
    site_id: int | None = None,
) -> NotificationDraft:
    """An item for a signed-in user: in the app (Today page, digest), and by email at once only for an
    urgent kind the user asked for.

    With a `responsibility` ("site-3:lead"), the dedupe key names the responsibility, not the person:
    reassigning it moves the item, and the next sweep does not write a second one for the new holder.
    """
    holder = responsibility.rsplit(":", 1)[-1] if responsibility else f"user-{user.pk}"
    return NotificationDraft(
        kind=kind,
        dedupe_key=dedupe_key(kind, subject, occasion, holder),
        subject=subject,
        context={
            **context,
            "audience": "staff",
            "recipient_name": user.first_name or user.username,
            "link": absolute_url(link_url),
        },
        recipient=user,
        language=user.language,
        in_app=True,
        by_email=user.pk in opt_ins and kind in URGENT_KINDS and bool(user.email),
        link_url=link_url,
        responsibility=responsibility,
        site_ref=site_id,
    )


def responsible_drafts(people: list[tuple[str, object]], **draft) -> list[NotificationDraft]:
    """One item per responsible person, given as (responsibility, user) pairs in order of precedence:
    a person holding two responsibilities for the same subject gets one item; nobody, no item."""
    seen: set[int] = set()
    drafts = []
    for responsibility, user in people:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        drafts.append(user_draft(user, responsibility=responsibility, **draft))
    return drafts


def contact_draft(
    *,
    kind: str,
    subject: models.Model,
    occasion: str,
    key: str,
    audience: str,
    name: str,
    email: str,
    language: str,
    context: dict,
) -> NotificationDraft:
    """A notification by email to a person who does not sign in (a student or a guardian)."""
    return NotificationDraft(
        kind=kind,
        dedupe_key=dedupe_key(kind, subject, occasion, key),
        subject=subject,
        context={**context, "audience": audience, "recipient_name": name},
        recipient_email=email,
        recipient_name=name,
        language=language,
        in_app=False,
        by_email=True,
    )


def run_sweeps(*, now: datetime) -> dict[str, int]:
    """Run every registered sweep, then close the items whose condition ended; returns the counts."""
    written = {function.__name__: function(now=now) for function in SWEEPS}
    written["closed"] = items_resolve(now=now)
    written["digests"] = digests_write(now=now)
    return written
