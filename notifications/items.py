"""Open items: a notification stays open while its condition holds; closing, moving and reading them.

A kind whose condition can end registers a resolver (`@resolver(kind)`): given the subject ids of its
open items, it answers, in one query, which of them still hold. The sweep closes the others;
a service that ends a condition itself (logging a session, contacting a referral) closes the items
at once with `items_close`. Kinds without a resolver are news: reading them closes them.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.models import Kind, Notification

# kind → function(subject ids of its open items, now) → the ones whose condition still holds.
RESOLVERS: dict[str, Callable[[list[int], datetime], Iterable[int]]] = {}
# The site lead of a site id, registered by the sites' owner (the outbox knows no domain app).
SITE_LEADS: list[Callable[[int], object]] = []


def resolver(kind: str) -> Callable:
    """Register the function that says which subjects of the open items of `kind` still hold."""

    def register(function: Callable[[list[int], datetime], Iterable[int]]):
        RESOLVERS[kind] = function
        return function

    return register


def register_site_lead(function: Callable[[int], object]) -> None:
    """Set the function that returns a site's lead (a User or None) from its id."""
    SITE_LEADS[:] = [function]


# Context values are kept as JSON: dates and times tagged so they come back as themselves and
# render with the reader's date format.
def encode_context(context: dict) -> dict:
    """A template context as JSON-safe values."""
    encoded = {}
    for key, value in context.items():
        if isinstance(value, datetime):
            value = {"$datetime": value.isoformat()}
        elif isinstance(value, date):
            value = {"$date": value.isoformat()}
        elif isinstance(value, time):
            value = {"$time": value.isoformat()}
        elif isinstance(value, Decimal):
            value = {"$decimal": str(value)}
        elif not isinstance(value, str | int | float | bool | type(None)):
            value = str(value)
        encoded[key] = value
    return encoded


def decode_context(encoded: dict) -> dict:
    """The template context back from `encode_context`."""
    decoders = {
        "$datetime": datetime.fromisoformat,
        "$date": date.fromisoformat,
        "$time": time.fromisoformat,
        "$decimal": Decimal,
    }
    context = {}
    for key, value in encoded.items():
        if isinstance(value, dict) and len(value) == 1:
            tag, raw = next(iter(value.items()))
            if tag in decoders:
                value = decoders[tag](raw)
        context[key] = value
    return context


def item_text(
    notification: Notification, *, language: str | None = None, for_email: bool = False, body: bool = True
) -> tuple[str, str]:
    """The item's title and body (left empty when `body` is off: a list of titles renders half as
    much) in `language` (the active one by default), from its stored context.

    On a page the item's button is the link, so the body leaves out the address an email spells out."""
    if not notification.context or notification.kind == Kind.DIGEST:
        return notification.title, notification.body
    language = language or translation.get_language() or "en"
    with translation.override(language):
        context = decode_context(notification.context)
        if not for_email:
            context["link"] = ""
        title = render_to_string(f"notifications/{notification.kind}_subject.txt", context)
        text = render_to_string(f"notifications/{notification.kind}_body.txt", context) if body else ""
    return " ".join(title.split())[:200], text.strip() + "\n" if body else ""


def _subject_filter(kind: str, subject_type: ContentType | None, subject_ids: Iterable[int]) -> dict:
    lookup = {"kind": kind, "subject_id__any": list(subject_ids), "closed_at__isnull": True}
    if subject_type is not None:
        lookup["subject_type"] = subject_type
    return lookup


def items_close(
    *,
    kind: str,
    subject_ids: Iterable[int],
    subject_model: type[models.Model] | None = None,
    recipient_ids: Iterable[int] | None = None,
) -> int:
    """Close the open items of `kind` about these subjects (their condition ended), or only those of
    `recipient_ids` (they are no longer responsible); returns how many."""
    subject_ids = list(subject_ids)
    if not subject_ids:
        return 0
    subject_type = ContentType.objects.get_for_model(subject_model) if subject_model else None
    items = Notification.objects.filter(**_subject_filter(kind, subject_type, subject_ids))
    if recipient_ids is not None:
        items = items.filter(recipient_id__in=list(recipient_ids))
    now = timezone.now()
    return items.update(closed_at=now, updated_at=now)


def items_close_superseded(*, kind: str, subject_ids: Iterable[int], keep_keys: Iterable[str]) -> int:
    """Close the open items of `kind` about these subjects but those with the given keys: a newer
    occasion (5 days left) replaces the older one (10 days left) on the Today page. One query."""
    now = timezone.now()
    return (
        Notification.objects.filter(
            kind=kind, subject_id__in=list(subject_ids), closed_at__isnull=True, in_app=True
        )
        .exclude(dedupe_key__in=list(keep_keys))
        .update(closed_at=now, updated_at=now)
    )


def items_resolve(*, now: datetime) -> int:
    """Close every open item whose condition has ended (`items_close`): three queries per kind with
    open items, the ids sent whole (`__any`). (An anti-join in the database would be one statement,
    but its plan rests on statistics that a sweep's own burst of writes leaves stale for a minute:
    nested loops over thousands of rows.)"""
    closed = 0
    for kind, holds in RESOLVERS.items():
        items = Notification.objects.filter(kind=kind, closed_at__isnull=True, in_app=True)
        subject_ids = set(items.values_list("subject_id", flat=True).order_by())
        if not subject_ids:
            continue
        closed += items_close(kind=kind, subject_ids=subject_ids.difference(holds(list(subject_ids), now)))
    return closed


def items_reassign(*, responsibility: str, to) -> int:
    """Move the open items of a responsibility to the person who holds it now; returns how many."""
    if to is None or not responsibility:
        return 0
    return (
        Notification.objects.filter(responsibility=responsibility, closed_at__isnull=True, in_app=True)
        .exclude(recipient=to)
        .update(recipient=to, read_at=None, updated_at=timezone.now())
    )


def item_snooze(*, notification: Notification, until: date, user) -> Notification:
    """Hide one of the user's open items until a date (today or later, within a year)."""
    today = timezone.localdate()
    if until is None or until <= today:
        raise ValidationError(_("Snooze until a day after today."), code="snooze_past")
    if (until - today).days > 366:
        raise ValidationError(_("Snooze for a year at most."), code="snooze_too_long")
    Notification.objects.for_recipient(user).filter(pk=notification.pk).update(
        snoozed_until=until, updated_at=timezone.now()
    )
    notification.snoozed_until = until
    return notification


@transaction.atomic
def item_hand_back(*, notification: Notification, user):
    """ "Not mine": give one of the user's open items to the site's lead; returns the lead."""
    lead = SITE_LEADS[0](notification.site_ref) if SITE_LEADS and notification.site_ref else None
    if lead is None or not lead.is_active:
        raise ValidationError(
            _("This item has no site lead to hand it back to: ask program staff to name one."),
            code="no_site_lead",
        )
    if lead.pk == user.pk:
        raise ValidationError(_("You are this site's lead: the item stays with you."), code="is_lead")
    now = timezone.now()
    mine = Notification.objects.for_recipient(user).filter(pk=notification.pk, closed_at__isnull=True)
    already = Notification.objects.filter(
        recipient=lead,
        kind=notification.kind,
        subject_type_id=notification.subject_type_id,
        subject_id=notification.subject_id,
        closed_at__isnull=True,
    ).exists()
    if already:
        # The lead has this item already: one copy is enough.
        mine.update(closed_at=now, updated_at=now)
    else:
        mine.update(
            recipient=lead,
            responsibility=f"site-{notification.site_ref}:lead",
            read_at=None,
            snoozed_until=None,
            updated_at=now,
        )
    return lead
