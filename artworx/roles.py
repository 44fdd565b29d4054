"""Roles (Django groups) and the role predicates every app's permission rules are built from.

Each app states its own permissions in its `rules.py` (found at start-up by django-rules), from these
role predicates and its own object predicates. Which rows a user may see is answered by each model's
``visible_to(user)``. An object outside a user's scope is a 404; an action the role may not take is a 403.
"""

import rules
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from artworx.cache import ROLES, kept_for_generations, roles_of

ADMINISTRATOR = "Administrator"
PROGRAM_STAFF = "Program staff"
COUNSELOR = "Counselor"
TEACHER = "Teacher"
TEACHING_ARTIST = "Teaching artist"
ALL_ROLES = (ADMINISTRATOR, PROGRAM_STAFF, COUNSELOR, TEACHER, TEACHING_ARTIST)
# Group names stay as they are in the database; people read their role in their own language.
ROLE_LABELS = {
    ADMINISTRATOR: _("Administrator"),
    PROGRAM_STAFF: _("Program staff"),
    COUNSELOR: _("Counselor"),
    TEACHER: _("Teacher"),
    TEACHING_ARTIST: _("Teaching artist"),
}

# Apps whose model permissions administrators get in the admin console.
ADMIN_CONSOLE_APPS = (
    "artworx",
    "auth",
    "sites",
    "students",
    "programs",
    "families",
    "alumni",
    "dashboard",
    "notifications",
    "retention",  # the retention policy, legal holds, anonymisations and district releases
    "axes",  # failed logins and lockouts, to look into and reset
    "mfa",  # authenticator apps: remove a lost one (the person then sets up a new one)
    "socialaccount",  # single sign-on connections
)

is_administrator = rules.is_superuser | rules.is_group_member(ADMINISTRATOR)
is_program_staff = rules.is_group_member(PROGRAM_STAFF)
is_counselor = rules.is_group_member(COUNSELOR)
is_teacher = rules.is_group_member(TEACHER)
is_teaching_artist = rules.is_group_member(TEACHING_ARTIST)

# DESIGN.md rule 13: program staff, counselors and administrators see every student and site.
sees_all = is_administrator | is_program_staff | is_counselor
manages_sites = is_administrator | is_program_staff
# Program staff run the arts programs: cohorts, participants, sessions, late attendance fixes.
manages_programs = is_administrator | is_program_staff


def role_scope(queryset, user, *, teacher=None, teaching_artist=None):
    """The rows of `queryset` that `user` may see (DESIGN.md rule 13): none signed out, all for the staff
    roles, else the union of the conditions given for each role they hold (functions returning a Q,
    built only for the roles the user has). Filtering by ids keeps the joins from repeating rows."""
    if not user.is_authenticated:
        return queryset.none()
    if sees_all(user):
        return queryset.all()
    scope = Q(pk__in=[])
    if teacher is not None and is_teacher(user):
        scope |= teacher()
    if teaching_artist is not None and is_teaching_artist(user):
        scope |= teaching_artist()
    return queryset.filter(pk__in=queryset.filter(scope).values("pk"))


def people_with(role: str):
    """Active users holding `role`: the only people a place bound to it may be given (a site's teacher,
    a cohort's teaching artist, a referral's counselor). Pickers list these; services check with
    `require_role`."""
    return get_user_model().objects.filter(is_active=True, groups__name=role)


def require_role(users, role: str, *, message: str, code: str) -> None:
    """Refuse (ValidationError) if any of `users` is not an active holder of `role`; one query.

    `message` names them with `%(names)s`.
    """
    users = [user for user in users if user is not None]
    holders = set(people_with(role).filter(pk__in=[user.pk for user in users]).values_list("pk", flat=True))
    refused = [user for user in users if user.pk not in holders]
    if refused:
        raise ValidationError(message % {"names": ", ".join(map(str, refused))}, code=code)


def keep_group_names(user) -> None:
    """Give `user` the names of their groups from the cache, kept per user until their roles or the role
    groups change (artworx.cache generations): every role predicate of the request then reads them
    without a query."""
    if not user.is_authenticated or hasattr(user, "_group_names_cache"):
        return
    names = kept_for_generations(
        f"roles:{user.pk}",
        ROLES,
        roles_of(user.pk),
        compute=lambda: sorted(user.groups.values_list("name", flat=True)),
    )
    user._group_names_cache = set(names)  # where rules.is_group_member looks first


def role_names(user) -> list[str]:
    """The user's roles in the order of ALL_ROLES."""
    if not user.is_authenticated:
        return []
    keep_group_names(user)  # the group names rules.is_group_member reads, kept on the user
    names = set(user._group_names_cache)
    if user.is_superuser:
        names.add(ADMINISTRATOR)
    return [name for name in ALL_ROLES if name in names]


def sync_role_permissions(sender, **kwargs) -> None:
    """Make sure every role group exists and administrators hold the app's model permissions."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ALL_ROLES}
    if sender.label in ADMIN_CONSOLE_APPS:
        groups[ADMINISTRATOR].permissions.add(
            *Permission.objects.filter(content_type__app_label=sender.label)
        )
