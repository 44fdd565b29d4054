"""The main pages pass axe-core's WCAG 2.1 AA rules with no serious or critical violation, in both
languages, and a session can be logged with the keyboard alone.

axe-core is vendored from the npm registry under tests/e2e/vendor/axe-core (it is never served to
users) and injected with `page.evaluate`, which a Content-Security-Policy does not block.
"""

from datetime import date, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from artworx import roles
from notifications.services import notification_enqueue
from programs.models import Attendance, Participation, Session
from programs.services import session_log_attendance
from students.models import Guardian
from tests.e2e.signin import give_code_if_asked, sign_in
from tests.factories import CohortFactory, EnrollmentFactory, ProgramFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page: Page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))",
        WCAG_21_AA,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['targets']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def world(db):
    """A site, a cohort with a logged and an unlogged session, a student with a guardian, a notification."""
    staff = UserFactory(username="staff", first_name="Marcus", role=roles.PROGRAM_STAFF)
    teacher = UserFactory(username="rivera", first_name="Ana", last_name="Rivera", role=roles.TEACHER)
    artist = UserFactory(username="soto", first_name="Javier", last_name="Soto", role=roles.TEACHING_ARTIST)
    site = SiteFactory(name="Eastside Storefront", teachers=[teacher])
    today = timezone.localdate()
    cohort = CohortFactory(
        program=ProgramFactory(name="Photography 1"),
        site=site,
        teaching_artists=[artist],
        term_starts_on=today - timedelta(days=30),
        term_ends_on=today + timedelta(days=30),
    )
    participants = []
    for name in ["Mateo", "Nayeli", "Omar"]:
        student = EnrollmentFactory(site=site, teacher=teacher, student__first_name=name).student
        participants.append(
            Participation.objects.create(cohort=cohort, student=student, joined_on=today - timedelta(days=30))
        )
    Guardian.objects.create(student=participants[0].student, name="Rosa Cruz", relationship="parent")
    past = Session.objects.create(
        cohort=cohort, date=today - timedelta(days=7), starts_at=time(15), duration_minutes=60
    )
    session_log_attendance(session=past, marks={p.pk: "P" for p in participants}, topic="Light", by=staff)
    Session.objects.create(cohort=cohort, date=today, starts_at=time(0, 5), duration_minutes=60)
    notification_enqueue(
        kind="attendance_not_logged",
        dedupe_key="a11y-test",
        subject=past,
        context={
            "program_name": "Photography 1",
            "place_name": site.name,
            "session_date": date(2026, 11, 16),
            "starts_at": time(15),
            "audience": "staff",
            "recipient_name": "Javier",
            "escalated": False,
        },
        recipient=artist,
        link_url=f"/programs/sessions/{past.pk}/log/",
    )
    today_session = Session.objects.last()
    return {"site": site, "cohort": cohort, "student": participants[0].student, "today": today_session}


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_main_pages_have_no_serious_accessibility_violations(page: Page, live_server, world, language):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    found = {}
    page.goto(f"{live_server.url}/login/")
    found["login"] = violations(page)
    page.goto(f"{live_server.url}/accounts/password/reset/")
    found["password reset"] = violations(page)
    # Staff give an authenticator code after the password: that page is checked on the way in.
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=login]").fill("staff")
    page.locator("input[name=password]").fill("correct-horse-battery")
    page.locator("main button[type=submit]").first.click()
    expect(page.locator("input[name=code]")).to_be_visible()
    found["authenticator code"] = violations(page)
    give_code_if_asked(page)
    expect(page.locator("input[name=code]")).to_have_count(0)
    pages = {
        "dashboard": "/dashboard/",
        "student": f"/students/{world['student'].pk}/",
        "site": f"/sites/{world['site'].pk}/",
        "cohort": f"/programs/cohorts/{world['cohort'].pk}/",
        "session log (staff)": f"/programs/sessions/{world['today'].pk}/log/",
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        found[name] = violations(page)
    # The artist on a phone of their own: a browser context with no cookies, and no service worker
    # still keeping the staff's pages (its fetches, answered by the sign-in page, would hand this
    # context a new CSRF cookie in the middle of the artist's sign-in).
    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    sign_in(page, live_server, "soto")
    for name, path in {
        "notifications": "/notifications/",
        "my sessions": "/programs/sessions/",
        "session log": f"/programs/sessions/{world['today'].pk}/log/",
    }.items():
        page.goto(f"{live_server.url}{path}")
        found[name] = violations(page)
    page.get_by_role("button", name="Save attendance" if language == "en" else "Guardar asistencia").click()
    # Wait for the refused log as the server shows it.
    expect(page.locator(".mark-row.has-error").first).to_be_visible()
    found["session log with errors"] = violations(page)
    phone.close()
    assert {name: v for name, v in found.items() if v} == {}


def tab_to(page: Page, target, limit: int = 80) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} cannot be reached with the Tab key")


def test_a_session_can_be_logged_with_the_keyboard_alone(page: Page, live_server, world):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "soto")
    tab_to(page, page.locator(".session-card", has_text="To log"))
    page.keyboard.press("Enter")

    tab_to(page, page.get_by_role("button", name="All present"))
    page.keyboard.press("Enter")
    omar = page.get_by_role("radiogroup", name="Omar")
    tab_to(page, omar.get_by_role("radio", name="Present", exact=True))  # the group's checked mark
    page.keyboard.press("ArrowRight")
    expect(omar.get_by_role("radio", name="Tardy")).to_be_checked()

    tab_to(page, page.get_by_label("Topic"))
    page.keyboard.type("Pinhole cameras")
    tab_to(page, page.get_by_role("button", name="Save attendance"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Attendance saved for Photography 1.")).to_be_visible()
    rows = Attendance.objects.filter(session=world["today"])
    marks = dict(rows.values_list("participation__student__first_name", "mark"))
    assert marks == {"Mateo": "P", "Nayeli": "P", "Omar": "T"}
