"""The main pages run under the strict Content-Security-Policy without a single violation."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from alumni.models import Alumnus
from programs.models import Cohort
from sites.models import Site
from students.models import Contract, Referral, Student
from tests.e2e.signin import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_main_pages_report_no_content_security_policy_violation(page: Page, live_server, demo):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    staff_pages = [
        reverse("home"),
        reverse("dashboard:dashboard"),
        reverse("dashboard:report"),
        reverse("sites:list"),
        reverse("sites:detail", args=[Site.objects.first().pk]),
        reverse("students:list"),
        reverse("students:detail", args=[Student.objects.first().pk]),
        reverse("students:contract_detail", args=[Contract.objects.first().pk]),
        reverse("students:referral_list"),
        reverse("students:referral_funnel"),
        reverse("students:referral_detail", args=[Referral.objects.first().pk]),
        reverse("programs:cohort_list"),
        reverse("programs:cohort_detail", args=[Cohort.objects.first().pk]),
        reverse("alumni:list"),
        reverse("alumni:outcomes"),
        reverse("alumni:detail", args=[Alumnus.objects.first().pk]),
        reverse("notifications:list"),
    ]
    sign_in(page, live_server, "staff", password="artworx-demo-2026")
    for url in staff_pages:
        # `goto` returns on the load event: every script has run and every stylesheet and image is in.
        # These pages fetch nothing after it (only the teaching artists' offline log does, below).
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        policy = {part.strip() for part in response.headers["content-security-policy"].split(";")}
        assert {"script-src 'self'", "style-src 'self'"} <= policy
    page.context.clear_cookies()  # sign out

    sign_in(page, live_server, "artist", password="artworx-demo-2026")
    page.goto(f"{live_server.url}{reverse('programs:my_sessions')}")
    page.locator("a[href*='/log/']").first.click()
    expect(page.get_by_role("button", name="All present")).to_be_visible()
    page.get_by_role("button", name="All present").click()
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()

    # Setting up an authenticator app: the password again, then the QR code, an image (no script).
    sign_in(page, live_server, "teacher", password="artworx-demo-2026")
    page.goto(f"{live_server.url}{reverse('mfa_index')}")
    page.goto(f"{live_server.url}{reverse('mfa_activate_totp')}")
    page.locator("input[name=password]").fill("artworx-demo-2026")
    page.locator("main button[type=submit]").first.click()
    expect(page.locator("img.totp-qr")).to_be_visible()
    assert page.evaluate("() => document.querySelector('img.totp-qr').naturalWidth") > 0
    page.wait_for_load_state("networkidle")
    assert violations == []
    # The listener does hear violations: an inline script added now is refused, and reported.
    with page.expect_console_message(
        lambda message: "inline script" in message.text or "script-src" in message.text
    ):
        page.evaluate(
            "() => { const s = document.createElement('script'); s.text = '1'; document.body.append(s); }"
        )
    assert any("inline script" in v or "script-src" in v for v in violations), violations
