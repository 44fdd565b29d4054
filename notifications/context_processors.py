"""Template context for the notification bell in the top bar."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.selectors import open_count


def notifications(request: HttpRequest) -> dict:
    """The signed-in user's count of open items, one query, and only when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_open": SimpleLazyObject(lambda: open_count(user=user))}
