"""Template context shared by every page."""

from django.http import HttpRequest

from artworx.roles import role_names


def roles(request: HttpRequest) -> dict:
    """The signed-in user's roles, for the navigation bar."""
    names = role_names(request.user) if hasattr(request, "user") else []
    return {"user_roles": names, "user_role_label": ", ".join(names)}
