"""Template context shared by every page."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from artworx.roles import (
    ADMINISTRATOR,
    ROLE_LABELS,
    is_administrator,
    is_teaching_artist,
    role_names,
    sees_all,
)

# The top bar's links in order: the page, its label, and who sees it (a permission, or a role predicate).
NAVIGATION = (
    ("dashboard:dashboard", _("Dashboard"), "dashboard.view_dashboard"),
    ("students:list", _("Students"), "students.view_student"),
    ("students:contract_list", _("Contracts"), "students.view_contract"),
    ("programs:my_sessions", _("My sessions"), is_teaching_artist),
    ("programs:cohort_list", _("Cohorts"), "programs.view_cohort"),
    ("programs:program_list", _("Programs"), "programs.view_program"),
    ("alumni:list", _("Alumni"), "alumni.view_alumnus"),
    ("students:referral_list", _("Referrals"), sees_all),
    ("sites:list", _("Sites"), "sites.view_site"),
    ("admin:index", _("Admin console"), is_administrator),
)

# The links follow from the roles alone (every permission above is a rule over roles), so each process
# writes them once per set of roles and language. An administrator's model permissions are their own
# (the admin console can grant them one by one): theirs are written on every page.
_written: dict[tuple, str] = {}


def forget_navigation() -> None:
    """Let go of the links this process has written (as a cache is emptied: each test starts from none)."""
    _written.clear()


def navigation_links(user, names: list[str]) -> str:
    """The top bar's links the user may follow, as HTML list items (`names`: their roles, `role_names`)."""
    key = (tuple(names), user.is_active, get_language())
    if ADMINISTRATOR not in names and key in _written:
        return _written[key]
    shown = [
        (reverse(page), label)
        for page, label, who in NAVIGATION
        if (user.has_perm(who) if isinstance(who, str) else who.test(user))
    ]
    html = format_html_join("\n", '<li class="nav-item"><a class="nav-link" href="{}">{}</a></li>', shown)
    if ADMINISTRATOR not in names:
        _written[key] = html
    return html


def roles(request: HttpRequest) -> dict:
    """The signed-in user's roles and top-bar links."""
    user = getattr(request, "user", None)
    names = role_names(user) if user is not None else []
    return {
        "user_roles": names,
        "user_role_label": ", ".join(str(ROLE_LABELS[name]) for name in names),
        # From the roles already read: a `perms` check that fails would ask the database twice more.
        "user_sees_all": bool(names) and sees_all(user),
        "navigation": navigation_links(user, names) if names else "",
    }
