"""Screenshots of the main pages for each demo role, on a laptop and on a phone (`make screenshots`).

Signs in as the demo's people through the real sign-in page (the staff roles give the demo
authenticator's code), opens each role's main pages in Chromium and saves one PNG per page and screen
in one folder, so anyone can look at the product without setting it up.
"""

import time
from pathlib import Path

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management.base import BaseCommand, CommandError
from django.test.testcases import LiveServerThread
from django.urls import reverse
from playwright.sync_api import sync_playwright

from artworx.models import User
from devtools.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from programs.models import Cohort, Session
from students.models import Contract, Student

SCREENS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
ROLES = ("admin", "staff", "counselor", "teacher", "artist")


def role_pages(username: str) -> dict[str, str]:
    """Each role's main pages by a short name, from the demo's own objects."""
    user = User.objects.get(username=username)
    if username == "artist":
        cohort = Cohort.objects.filter(teaching_artists=user).order_by("pk").first()
        logged = Session.objects.filter(cohort=cohort, status=Session.Status.LOGGED)
        session = logged.order_by("-date").first()
        return {
            "my-sessions": reverse("programs:my_sessions"),
            "session-log": reverse("programs:session_log", args=[session.pk]),
            "cohort": reverse("programs:cohort_detail", args=[cohort.pk]),
            "programs": reverse("programs:program_list"),
        }
    student = Student.objects.visible_to(user).order_by("last_name", "pk").first()
    contract = Contract.objects.visible_to(user).active().order_by("due_on", "pk").first()
    pages = {
        "home": reverse("home"),
        "students": reverse("students:list"),
        "student": reverse("students:detail", args=[student.pk]),
        "contracts": reverse("students:contract_list"),
        "contract": reverse("students:contract_detail", args=[contract.pk]),
        "cohorts": reverse("programs:cohort_list"),
        "attendance-alerts": reverse("programs:attendance_alerts"),
    }
    if username != "teacher":
        pages |= {
            "dashboard": reverse("dashboard:dashboard"),
            "funder-report": reverse("dashboard:report"),
            "referrals": reverse("students:referral_list"),
            "referral-funnel": reverse("students:referral_funnel"),
            "alumni": reverse("alumni:list"),
            "sites": reverse("sites:list"),
        }
    if username == "admin":
        pages["admin-console"] = reverse("admin:index")
    return pages


class Command(BaseCommand):
    help = "Save screenshots of each demo role's main pages, laptop and phone, into one folder."

    def add_arguments(self, parser):
        parser.add_argument("--out", default="screenshots", help="the folder to write the PNG files into")
        parser.add_argument("--url", help="a running artworx to photograph (default: one served here)")
        parser.add_argument("--roles", nargs="*", choices=ROLES, default=list(ROLES))
        parser.add_argument("--chromium", default="/usr/bin/chromium")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("screenshots signs in with the demo's published password: DEBUG=true only.")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        server = None
        url = options["url"]
        if not url:
            server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
            server.daemon = True
            server.start()
            server.is_ready.wait()
            if server.error:
                raise CommandError(f"could not serve artworx: {server.error}")
            url = f"http://127.0.0.1:{server.port}"
        # Read from the database before Playwright starts: its event loop makes the ORM refuse to run.
        pages = {username: role_pages(username) for username in options["roles"]}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=options["chromium"], args=["--no-sandbox"]
                )
                for username, paths in pages.items():
                    self._photograph(browser, url, username, paths, out)
                browser.close()
        finally:
            if server is not None:
                server.terminate()
        self.stdout.write(f"Screenshots of {', '.join(options['roles'])} written to {out}/")

    def _photograph(self, browser, url: str, username: str, paths: dict[str, str], out: Path) -> None:
        signed_in = browser.new_context(viewport=SCREENS["laptop"])
        page = signed_in.new_page()
        page.goto(f"{url}/login/")
        page.locator("input[name=login]").fill(username)
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        page.locator("main button[type=submit]").first.click()
        page.wait_for_load_state()
        if "/2fa/authenticate/" in page.url:
            page.locator("input[name=code]").fill(_fresh_code())
            page.locator("main button[type=submit]").first.click()
            page.wait_for_load_state()
        if "/login/" in page.url or "/2fa/" in page.url:
            raise CommandError(f"{username} could not sign in (is the demo loaded? `make seed`)")
        state = signed_in.storage_state()
        signed_in.close()
        for screen, viewport in SCREENS.items():
            context = browser.new_context(viewport=viewport, storage_state=state)
            page = context.new_page()
            for name, path in paths.items():
                page.goto(f"{url}{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=out / f"{username}-{screen}-{name}.png", full_page=True)
            context.close()


_used: set[int] = set()


def _fresh_code() -> str:
    """The demo authenticator's code for a period not used yet here (each code works once)."""
    period = mfa_settings.TOTP_PERIOD
    while (int(time.time()) // period) in _used or int(time.time()) % period >= period - 2:
        time.sleep(0.5)
    counter = int(time.time()) // period
    _used.add(counter)
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))
