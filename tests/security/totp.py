"""The authenticator app's side of TOTP (RFC 6238), for tests that sign in with a second factor."""

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value


def current_code(secret: str) -> str:
    """The six digits an authenticator app shows for `secret` now."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))
