"""Signing in: remember in the session whether the person holds a second factor."""

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

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
