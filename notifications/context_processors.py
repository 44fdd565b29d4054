"""Template context for the notification bell in the top bar."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from artworx.cache import kept_for_generations, person_key
from notifications.selectors import open_count

# The bell is kept per person and day (issue #22), under the generation of the items: any write that
# opens, closes, moves or snoozes an item, by anyone, starts a new one (notifications.models), so a
# roll logged by the artist empties the lead's bell on their next page. A person's own action (any
# POST) also lets their bell go at once (artworx.middleware.RolesMiddleware).
BELL_SECONDS = 15 * 60


def notifications(request: HttpRequest) -> dict:
    """The signed-in user's count of open items, kept until an item changes, read only when a template
    shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        return kept_for_generations(
            person_key("bell", user), "items", compute=lambda: open_count(user=user), timeout=BELL_SECONDS
        )

    return {"notifications_open": SimpleLazyObject(count)}
