"""Template context shared by every page."""

from django.http import HttpRequest

from artworx.roles import ROLE_LABELS, role_names, sees_all


def roles(request: HttpRequest) -> dict:
    """The signed-in user's roles, for the navigation bar."""
    user = getattr(request, "user", None)
    names = role_names(user) if user is not None else []
    return {
        "user_roles": names,
        "user_role_label": ", ".join(str(ROLE_LABELS[name]) for name in names),
        # From the roles already read: a `perms` check that fails would ask the database twice more.
        "user_sees_all": bool(names) and sees_all(user),
    }
