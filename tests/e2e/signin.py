"""Signing in a browser: the authenticator code the staff roles give after their password."""

import time

from allauth.mfa import app_settings as mfa_settings
from playwright.sync_api import Page

from tests.factories import TOTP_SECRET  # the demo's secret is the same (seed_demo.DEMO_TOTP_SECRET)
from tests.security.totp import current_code

_used: set[tuple[str, int]] = set()


def give_code_if_asked(page: Page, secret: str = TOTP_SECRET) -> None:
    """On the second-factor page, type the authenticator's code (a fresh one: each works once)."""
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" not in page.url:
        return
    period = mfa_settings.TOTP_PERIOD
    # A code read in a period's last seconds may be stale on arrival; one already used is refused.
    while int(time.time()) % period >= period - 3 or (secret, int(time.time()) // period) in _used:
        time.sleep(0.5)
    _used.add((secret, int(time.time()) // period))
    page.locator("input[name=code]").fill(current_code(secret))
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state()
