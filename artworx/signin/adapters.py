"""allauth's adapters: no sign-up, SSO only for existing active accounts, second-factor secrets encrypted."""

import base64
import hashlib
import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from artworx.signin.addresses import client_address

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are made by administrators; addresses are read as the lockout reads them."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_address(request)

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        """No username-wide limit on passwords: django-axes counts them per (username, address) and
        per address (artworx.signin.lockout), so a stranger's guesses never lock a person out."""

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        return reverse("password_change_done")


def _refuse(request: HttpRequest, reason: str, message: str) -> None:
    """Stop the single sign-on and send the person back to the sign-in page with `message`."""
    # The reason only: an email address is personal data and has no place in the logs.
    logger.warning("Single sign-on refused: %s.", reason)
    messages.error(request, message)
    raise ImmediateHttpResponse(redirect("login"))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on signs in the active account whose email the provider verified; nobody else."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        if sociallogin.state.get("process", "login") != "login":
            # Connecting a further school account to one's own is not offered (artworx.signin.urls).
            _refuse(request, "not a sign-in", _("Single sign-on only signs you in."))
        verified = {
            address.email.strip().lower()
            for address in sociallogin.email_addresses
            if address.verified and address.email and address.email.strip()
        }
        if not verified:
            _refuse(
                request,
                "no verified email",
                _(
                    "Your school account did not confirm a verified email address, so it cannot sign "
                    "you in here. Sign in with your username and password, or ask an administrator."
                ),
            )
        query = Q()
        for email in verified:
            query |= Q(email__iexact=email)
        matches = list(get_user_model().objects.filter(query))
        active = [user for user in matches if user.is_active]
        if not matches:
            _refuse(
                request,
                "no account with that email",
                _(
                    "No artworx account uses the email address of that school account. Accounts are "
                    "made by administrators: ask one to add you, or to record this email on your account."
                ),
            )
        if not active:
            _refuse(
                request,
                "account inactive",
                _("The artworx account with that email address is no longer active. Ask an administrator."),
            )
        if len(active) > 1:
            _refuse(
                request,
                "email shared by several accounts",
                _(
                    "Several artworx accounts use that email address, so single sign-on cannot tell "
                    "which is yours. Sign in with your username, or ask an administrator."
                ),
            )
        user = active[0]
        if sociallogin.is_existing:
            if sociallogin.user.pk != user.pk:
                _refuse(
                    request,
                    "connected to another account",
                    _("That school account is connected to another artworx account. Ask an administrator."),
                )
            return
        sociallogin.connect(request, user)


def _fernet() -> Fernet:
    key = settings.ARTWORX_MFA_KEY or settings.SECRET_KEY
    digest = hashlib.sha256(f"artworx.mfa:{key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class SecondFactorAdapter(DefaultMFAAdapter):
    """TOTP secrets and the recovery-code seed are kept encrypted in the database."""

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()
