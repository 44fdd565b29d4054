"""The daily digest: one email a day per person with their open items, rendered when it is sent."""

from datetime import timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from notifications.items import item_text
from notifications.models import URGENCY, Kind, Notification

# A digest lists this many items at most; the Today page has the rest.
DIGEST_LIMIT = 100


def open_items(*, user, today) -> list[Notification]:
    """The user's open items, most urgent kind first, oldest first within a kind; one query."""
    rank = {kind: index for index, kind in enumerate(URGENCY)}
    items = list(
        Notification.objects.for_recipient(user)
        .open(today=today)
        .exclude(kind=Kind.DIGEST)
        .only("pk", "kind", "title", "body", "link_url", "context", "created_at", "site_ref", "recipient_id")
        .order_by("created_at", "pk")
    )
    items.sort(key=lambda item: rank.get(item.kind, len(rank)))
    return items


def digest_text(*, user) -> tuple[str, str, int]:
    """The digest's subject and body in the user's language now, and how many items it lists."""
    now = timezone.now()
    today = timezone.localdate(now)
    items = open_items(user=user, today=today)
    if not items:
        return "", "", 0
    since = now - timedelta(days=1)
    with translation.override(user.language):
        rows = [
            {
                "title": item_text(item, language=user.language, body=False)[0],
                "link": f"{settings.ARTWORX_BASE_URL}{item.link_url}" if item.link_url else "",
                "new": item.created_at >= since,
            }
            for item in items[:DIGEST_LIMIT]
        ]
        context = {
            "recipient_name": user.first_name or user.username,
            "rows": rows,
            "count": len(items),
            "more": max(0, len(items) - DIGEST_LIMIT),
            "today_link": f"{settings.ARTWORX_BASE_URL}{reverse('notifications:today')}",
        }
        title = render_to_string("notifications/digest_subject.txt", context)
        body = render_to_string("notifications/digest_body.txt", context)
    return " ".join(title.split())[:200], body.strip() + "\n", len(items)
