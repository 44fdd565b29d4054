"""Template context for the notification bell in the top bar."""

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from artworx.cache import person_key
from notifications.selectors import open_count

# The bell is kept this long per person and day (issue #22): items are written by the quarter-hourly
# sweep and by other people's actions, and reach the bell within this time; a person's own action
# (any POST: reading, closing, snoozing, logging a roll) lets their bell go at once
# (artworx.middleware.RolesMiddleware).
BELL_SECONDS = 60


def notifications(request: HttpRequest) -> dict:
    """The signed-in user's count of open items, kept a minute, read only when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        key = person_key("bell", user)
        value = cache.get(key)
        if value is None:
            value = open_count(user=user)
            cache.set(key, value, BELL_SECONDS)
        return value

    return {"notifications_open": SimpleLazyObject(count)}
