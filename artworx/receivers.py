"""Signing in: remember in the session whether the person holds a second factor; people and roles
that change let go of what the cache keeps about them."""

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from artworx.cache import PEOPLE, ROLES, bump_now_and_at_commit, roles_of
from artworx.signin.middleware import SESSION_KEY, holds_second_factor


@receiver(user_logged_in, dispatch_uid="artworx_second_factor_on_login")
def second_factor_on_login(sender, request, user, **kwargs) -> None:
    """Look up once, at sign-in, what SecondFactorRequiredMiddleware would otherwise ask on every page."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = holds_second_factor(user)


@receiver(authenticator_added, dispatch_uid="artworx_second_factor_added")
@receiver(authenticator_reset, dispatch_uid="artworx_second_factor_reset")
def second_factor_added(sender, request=None, authenticator: Authenticator | None = None, **kwargs) -> None:
    """The authenticator app just set up lets the person on."""
    if request is not None and authenticator is not None and authenticator.type == Authenticator.Type.TOTP:
        request.session[SESSION_KEY] = True


@receiver(authenticator_removed, dispatch_uid="artworx_second_factor_removed")
def second_factor_removed(sender, request=None, authenticator: Authenticator | None = None, **kwargs) -> None:
    """Removing the authenticator app sends a person of a staff role back to set one up."""
    if request is not None and authenticator is not None and authenticator.type == Authenticator.Type.TOTP:
        request.session.pop(SESSION_KEY, None)


# Who holds which role, and the names people are listed by, leave no history row: a change starts a new
# generation (artworx.cache) of "people", which the filter bars' pickers include in their keys, and of
# the roles of each person it touches, which their cached roles include.


def people_bump(*names: str) -> None:
    """New generations of the people and of `names`, now and again at commit."""
    bump_now_and_at_commit(PEOPLE, *names)


# Fields of a user the roles and pickers read; a sign-in's `last_login` or a language switch is not one.
PEOPLE_FIELDS = {"username", "first_name", "last_name", "is_active", "is_superuser"}


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="artworx_people_user_saved")
def user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """A user's name or standing changed: their kept roles and the pickers are let go."""
    if update_fields is None or PEOPLE_FIELDS & set(update_fields):
        people_bump(roles_of(instance.pk))


@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="artworx_people_user_deleted")
def user_deleted(sender, instance, **kwargs) -> None:
    people_bump(roles_of(instance.pk))


@receiver(post_save, sender=Group, dispatch_uid="artworx_people_group_saved")
@receiver(post_delete, sender=Group, dispatch_uid="artworx_people_group_deleted")
def group_changed(sender, **kwargs) -> None:
    """A role group was renamed or removed: everyone's kept roles are let go."""
    people_bump(ROLES)


@receiver(m2m_changed, sender=Group.user_set.through, dispatch_uid="artworx_people_roles_changed")
def roles_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """Someone was given or lost a role, from either side (`user.groups` or `group.user_set`)."""
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:  # user.groups.add(...): one person
        people_bump(roles_of(instance.pk))
    elif pk_set:  # group.user_set.add(...): these people
        people_bump(*(roles_of(pk) for pk in pk_set))
    else:  # group.user_set.clear(): whoever held it
        people_bump(ROLES)
