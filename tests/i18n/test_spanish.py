"""Spanish throughout the teaching artist's pages and the family's messages: nothing left in English.

Each test renders with the Spanish catalogue marking what it translates (tests/i18n/marking.py) and
fails on any text that is neither translated nor data, naming the strings to add to locale/es.
"""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from artworx import roles
from artworx.models import User
from notifications.models import Notification
from notifications.services import notification_deliver, render_notification
from programs.models import Participation, Program, Session
from sites.models import Partner, Site
from students.models import Student
from students.reminders import contracts_due_soon
from students.services import guardian_consent_set
from tests.agreements import open_signed_contract
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory
from tests.i18n.marking import bare_text, spanish_marked
from tests.notifications.conftest import at, day_with_days_left

pytestmark = pytest.mark.django_db


def data_strings() -> list[str]:
    """Names people typed: they stay as typed in any language."""
    values = []
    for user in User.objects.all():
        values += [user.username, user.first_name, user.last_name, user.get_full_name()]
    for student in Student.objects.all():
        values += [student.first_name, student.last_name, student.preferred_name]
    values += list(Site.objects.values_list("name", flat=True))
    values += list(Partner.objects.values_list("name", flat=True))
    values += list(Program.objects.values_list("name", flat=True))
    return values


@pytest.fixture
def artist(db):
    """A Spanish-reading teaching artist with a cohort, three participants and sessions to log."""
    user = UserFactory(
        username="lucia", first_name="Lucía", last_name="Reyes", role=roles.TEACHING_ARTIST, language="es"
    )
    teacher = UserFactory(username="maestra", first_name="Ana", last_name="Ruiz", role=roles.TEACHER)
    today = timezone.localdate()
    cohort = CohortFactory(
        program__name="Fotografía 1",
        site__name="Boyle Heights",
        site__teachers=[teacher],
        teaching_artists=[user],
        term_starts_on=today - timedelta(days=60),
        term_ends_on=today + timedelta(days=60),
    )
    for first in ("Mateo", "Nayeli", "Omar"):
        student = EnrollmentFactory(site=cohort.site, teacher=teacher, student__first_name=first).student
        Participation.objects.create(cohort=cohort, student=student, joined_on=today - timedelta(days=60))
    Session.objects.create(cohort=cohort, date=today, starts_at=time(0, 5), duration_minutes=60)
    Session.objects.create(
        cohort=cohort, date=today - timedelta(days=3), starts_at=time(15, 30), duration_minutes=90
    )
    return user


def assert_spanish(content: str, *, html: bool = True) -> None:
    leftovers = bare_text(content, data_strings(), html=html)
    assert leftovers == [], f"untranslated text (add it to locale/es and `make messages`): {leftovers}"


def artist_pages(artist) -> list[str]:
    session = Session.objects.filter(cohort__teaching_artists=artist).earliest("date")
    return [
        reverse("programs:my_sessions"),
        reverse("programs:session_log", args=[session.pk]),
        reverse("programs:cohort_detail", args=[session.cohort_id]),
        reverse("notifications:list"),
        reverse("notifications:preferences"),
        reverse("password_change"),
        reverse("password_change_done"),
        "/no-such-page/",
        reverse("programs:cohort_create"),  # not for their role: the 403 page
    ]


def test_a_spanish_reading_artist_reads_every_page_in_spanish(client, artist):
    client.force_login(artist)  # no language cookie: the language saved on the account applies
    with spanish_marked():
        for url in artist_pages(artist):
            response = client.get(url, follow=True)
            assert response.status_code in (200, 403, 404), url
            assert 'lang="es"' in response.content.decode(), url
            assert_spanish(response.content.decode())


def test_a_refused_log_explains_itself_in_spanish(client, artist):
    client.force_login(artist)
    session = Session.objects.filter(cohort__teaching_artists=artist).earliest("date")
    with spanish_marked():
        response = client.post(reverse("programs:session_log", args=[session.pk]), {"topic": "x" * 300})
    assert response.status_code == 200
    assert_spanish(response.content.decode())


def test_a_saved_log_says_so_in_spanish(client, artist):
    client.force_login(artist)
    session = Session.objects.filter(cohort__teaching_artists=artist).earliest("date")
    marks = {f"mark-{p.pk}": "P" for p in Participation.objects.filter(cohort=session.cohort)}
    with spanish_marked():
        response = client.post(reverse("programs:session_log", args=[session.pk]), marks, follow=True)
    assert response.redirect_chain, "the log was not saved"
    assert_spanish(response.content.decode())


def test_the_login_page_reads_in_spanish_once_chosen(client):
    client.cookies["django_language"] = "es"
    with spanish_marked():
        response = client.get(reverse("login"))
        assert_spanish(response.content.decode())
        refused = client.post(reverse("login"), {"login": "nobody", "password": "wrong"})
        assert_spanish(refused.content.decode())


def test_the_artists_downloads_have_spanish_headers(client, artist):
    client.force_login(artist)
    with spanish_marked():
        for name in ("sessions", "attendance"):
            header = client.get(reverse("export", args=[name, "csv"])).content.decode().splitlines()[0]
            assert_spanish(header.replace(",", " "), html=False)


FAMILY = {
    "due_on": date(2026, 12, 4),
    "days_left": 5,
    "site_name": "Boyle Heights",
    "teacher_name": "Ana Ruiz",
    "student_name": "Mateo Flores",
}


@pytest.mark.parametrize("audience", ["guardian", "student"])
def test_a_familys_reminder_reads_entirely_in_spanish(artist, audience):
    context = {**FAMILY, "audience": audience, "recipient_name": "Rosa Flores"}
    with spanish_marked():
        title, body = render_notification(kind="contract_due_soon", language="es", context=context)
    data = ["Boyle Heights", "Ana Ruiz", "Mateo Flores", "Rosa Flores"]
    leftovers = bare_text(f"{title}\n{body}", data, html=False)
    assert leftovers == [], leftovers


def test_an_artists_reminder_reads_entirely_in_spanish(artist):
    context = {
        "program_name": "Fotografía 1",
        "place_name": "Boyle Heights",
        "session_date": date(2026, 12, 4),
        "starts_at": time(15, 30),
        "audience": "staff",
        "recipient_name": "Lucía",
        "link": "https://artworx.example/programs/sessions/1/log/",
        "escalated": False,
    }
    with spanish_marked():
        title, body = render_notification(kind="attendance_not_logged", language="es", context=context)
    data = ["Fotografía 1", "Boyle Heights", "Lucía", context["link"]]
    assert bare_text(f"{title}\n{body}", data, html=False) == []


def test_a_spanish_reading_guardians_email_reads_entirely_in_spanish(artist):
    """The real message a guardian receives, through the sweep and delivery."""
    student = Student.objects.get(first_name="Mateo")
    guardian = student.guardians.create(
        name="Rosa Flores", relationship="parent", email="rosa@example.org", language="es"
    )
    guardian_consent_set(guardian=guardian, channel="email", granted=True, method="paper")
    contract = open_signed_contract(
        student=student,
        started_on=timezone.localdate() - timedelta(days=30),
        courses=[{"subject_area": "english", "title": "English 10", "credits": Decimal(5)}],
    )
    with spanish_marked():
        contracts_due_soon(now=at(day_with_days_left(contract, 5)))
    # The signing link she was sent when the contract opened is another message (its own test).
    due_soon = Notification.objects.filter(status="pending", kind="contract_due_soon")
    for pk in due_soon.values_list("pk", flat=True):
        notification_deliver(notification_id=pk)
    (message,) = [m for m in mail.outbox if m.to == ["rosa@example.org"]]
    assert bare_text(f"{message.subject}\n{message.body}", [*data_strings(), "Rosa Flores"], html=False) == []
    assert "vence" in message.body
