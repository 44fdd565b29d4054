"""Signing in a browser as a person does: the password, then the authenticator code the staff roles give."""

import re
import time

from allauth.mfa import app_settings as mfa_settings
from playwright.sync_api import Page, expect

from tests.factories import TOTP_SECRET  # the demo's secret is the same (seed_demo.DEMO_TOTP_SECRET)
from tests.security.totp import current_code

_used: set[tuple[str, int]] = set()  # codes given in this test: the server refuses one given twice


def forget_used_codes() -> None:
    _used.clear()


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


def sign_in(page: Page, live_server, username: str, password: str = "correct-horse-battery") -> None:
    """Sign in on the login page (by field names, so in either language) and wait to be past it."""
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main button[type=submit]").first.click()
    give_code_if_asked(page)
    expect(page.locator("input[name=password]")).to_have_count(0)
    expect(page).not_to_have_url(re.compile(r"/login/"))  # signed in, not refused (a refusal stays here)
