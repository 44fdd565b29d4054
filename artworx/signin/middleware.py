"""Administrators, program staff and counselors reach no page before they hold a second factor."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# Set in the session once the signed-in user is known to hold an authenticator app (artworx.receivers).
SESSION_KEY = "artworx_second_factor"

# What a person who must set up a second factor may still open: the set-up pages, the re-entry of
# their password those pages may ask for, signing out, and the language switch.
OPEN_WITHOUT_SECOND_FACTOR = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_reauthenticate",
    "account_reauthenticate",
    "account_logout",
    "logout",
    "set_language",
    "service_worker",
    "web_app_manifest",
}


def second_factor_required(user) -> bool:
    """Whether the user's role sees students' support profiles and so must use a second factor."""
    if user.is_superuser:
        return True
    # rules.is_group_member caches the group names on the user: the context processors reuse them.
    if not hasattr(user, "_group_names_cache"):
        user._group_names_cache = set(user.groups.values_list("name", flat=True))
    return bool(user._group_names_cache & set(settings.ARTWORX_MFA_REQUIRED_ROLES))


def holds_second_factor(user) -> bool:
    """Whether the user has set up an authenticator app."""
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


class SecondFactorRequiredMiddleware:
    """Send a user whose role requires a second factor and who has none to set one up.

    Signing in with a second factor is allauth's (its login stage asks for the code of anyone who
    holds one); this makes holding one compulsory for the roles in ARTWORX_MFA_REQUIRED_ROLES.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.session.get(SESSION_KEY):
            return None
        if request.resolver_match.url_name in OPEN_WITHOUT_SECOND_FACTOR:
            return None
        if not second_factor_required(user):
            return None
        if holds_second_factor(user):
            request.session[SESSION_KEY] = True
            return None
        messages.warning(
            request,
            _(
                "Your role can see students' support profiles, so your account needs a second factor. "
                "Set up an authenticator app to continue."
            ),
        )
        return redirect("mfa_activate_totp")
