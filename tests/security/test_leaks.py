"""No support flag, private note, guardian or student contact or referral detail leaks to people without need.

Every text field that must stay need-to-know gets a distinct sentinel ("zqsent-…") on the demo data of
`teacher`'s site, support flags are all set, and then every page of the URL table, every export, the
admin, the notifications, the reminder emails, the log records and the Celery payloads are scanned.
"""

import io
import logging
from unittest import mock

import pytest
from celery.app.task import Task
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from alumni.models import Alumnus
from artworx.exports import EXPORTS
from notifications.items import item_text
from notifications.models import Notification
from notifications.services import notification_deliver
from notifications.tasks import sweep_reminders
from students.models import Guardian, Referral, Student, SupportProfile
from tests.security.url_table import GET, URLS

# A sweep of the whole application for one property: untraced when coverage is measured (README, "Coverage").
pytestmark = pytest.mark.untraced

MARK = "zqsent"
ADMIN_PAGES = [
    "/admin/",
    "/admin/students/student/",
    "/admin/students/supportprofile/",
    "/admin/students/guardian/",
    "/admin/students/referral/",
    "/admin/alumni/alumnus/",
]
FORMATS = ("csv", "xlsx")
FLAG_LABELS = [str(SupportProfile._meta.get_field(name).verbose_name) for name in SupportProfile.FLAGS]


def tag(kind: str):
    """A distinct sentinel per row: zqsent-<kind>-<pk>."""
    return Concat(Value(f"{MARK}-{kind}-"), Cast("pk", CharField()))


def tag_email(kind: str):
    return Concat(Value(f"{MARK}-{kind}-"), Cast("pk", CharField()), Value("@example.org"))


@pytest.fixture(scope="module")
def sentinels(world, django_db_blocker) -> dict[str, list[str]]:
    """Write the sentinels on the records of `teacher`'s site; returns them by kind."""
    with django_db_blocker.unblock():
        students = Student.objects.filter(enrollments__site=world.site, enrollments__ended_on__isnull=True)
        Student.objects.filter(pk__in=students).update(
            phone=tag("student-phone"), email=tag_email("student-email"), address=tag("student-address")
        )
        profiles = SupportProfile.objects.filter(student__in=students)
        profiles.update(private_notes=tag("note"), **dict.fromkeys(SupportProfile.FLAGS, True))
        Guardian.objects.filter(student__in=students).update(
            phone=tag("guardian-phone"), email=tag_email("guardian-email")
        )
        referrals = Referral.objects.filter(Q(student__isnull=True) | Q(student__in=students))
        referrals.update(
            phone=tag("referral-phone"),
            email=tag_email("referral-email"),
            notes=tag("referral-notes"),
            last_school=tag("referral-school"),
        )
        Alumnus.objects.filter(student__enrollments__site=world.site).update(
            phone=tag("alumnus-phone"), email=tag_email("alumnus-email"), address=tag("alumnus-address")
        )
        values = {
            "private notes": list(profiles.values_list("private_notes", flat=True)),
            "contacts": [
                *Student.objects.filter(pk__in=students).values_list("phone", "email", "address"),
                *Guardian.objects.filter(student__in=students).values_list("phone", "email"),
                *referrals.values_list("phone", "email", "notes", "last_school"),
                *Alumnus.objects.filter(phone__startswith=MARK).values_list("phone", "email", "address"),
            ],
        }
    values["contacts"] = [value for row in values["contacts"] for value in row]
    assert len(values["private notes"]) >= 20 and len(values["contacts"]) >= 100
    return values


def documents(client: Client, world) -> dict[str, str]:
    """Every page of the URL table (GET), every export in every format and the admin pages, as text."""
    docs = {}
    for name, row in URLS.items():
        if row.method == GET:
            url = reverse(name, kwargs=row.kwargs(world))
            response = client.get(url)
            if response.get("Content-Type") == "application/pdf":  # the printable agreement, read as text
                docs[url] = "\n".join(
                    page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
                )
            else:
                docs[url] = response.content.decode()
    for name in EXPORTS:
        for fmt in FORMATS:
            url = reverse("export", kwargs={"name": name, "fmt": fmt})
            response = client.get(url)
            if fmt == "xlsx" and response.status_code == 200:
                sheet = load_workbook(io.BytesIO(response.content)).active
                docs[url] = "\n".join(
                    ",".join(str(c) for c in row) for row in sheet.iter_rows(values_only=True)
                )
            else:
                docs[url] = response.content.decode()
    for url in ADMIN_PAGES:
        docs[url] = client.get(url).content.decode()
    return docs


def leaks(docs: dict[str, str], words: list[str]) -> list[str]:
    return [f"{url}: {word}" for url, text in docs.items() for word in words if word.lower() in text.lower()]


SCANNED = {}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["teaching_artist", "other_teacher", "other_artist", "no_role", "anonymous"])
def test_people_without_need_see_no_sentinel_anywhere(world, sentinels, role):
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    docs = documents(client, world)
    words = [MARK, *FLAG_LABELS]
    assert leaks(docs, words) == []
    SCANNED[role] = (
        len(docs),
        len(sentinels["private notes"]) + len(sentinels["contacts"]) + len(FLAG_LABELS),
    )


@pytest.mark.django_db
def test_the_teacher_sees_their_students_but_never_the_private_notes(world, sentinels):
    client = Client()
    client.force_login(world.users["teacher"])
    docs = documents(client, world)
    assert any(MARK in text for text in docs.values()), "the teacher sees their own students' contacts"
    assert leaks(docs, [f"{MARK}-note-"]) == []
    SCANNED["teacher"] = (len(docs), len(sentinels["private notes"]))


@pytest.mark.django_db
def test_reminders_emails_logs_and_task_payloads_carry_no_sentinel(
    world, sentinels, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    # The sweep writes anew; texts already on a family's thread keep their outbox rows (and are read too).
    Notification.objects.filter(family_message__isnull=True).delete()
    sent = []
    original = Task.apply_async

    def record(task, args=None, kwargs=None, **options):
        sent.append(repr((task.name, args, kwargs)))

    caplog.set_level(logging.DEBUG)
    with mock.patch.object(Task, "apply_async", autospec=True, side_effect=record):
        with django_capture_on_commit_callbacks(execute=True):
            sweep_reminders()
        for pk in Notification.objects.values_list("pk", flat=True):
            notification_deliver(notification_id=pk)
    assert original is Task.apply_async
    notifications = [
        (n.title, n.body, n.link_url, n.dedupe_key, n.context, *item_text(n, language=n.language))
        for n in Notification.objects.all()
    ]
    assert notifications and sent and mailoutbox, "the sweep wrote, queued and sent reminders"
    texts = {
        "notifications": repr(notifications),
        "emails": repr([(m.subject, m.body, getattr(m, "alternatives", None)) for m in mailoutbox]),
        "logs": caplog.text + repr([r.args for r in caplog.records]),
        "celery payloads": "\n".join(sent),
    }
    assert leaks(texts, [MARK, *FLAG_LABELS]) == []
    scanned = len(notifications) + len(mailoutbox) + len(caplog.records) + len(sent)
    SCANNED["outbox"] = (
        scanned,
        len(sentinels["private notes"]) + len(sentinels["contacts"]) + len(FLAG_LABELS),
    )


def test_the_leak_figures(capsys):
    with capsys.disabled():
        for who, (docs, words) in SCANNED.items():
            print(f"\nLeak test, {who}: {docs} documents × {words} sentinels = {docs * words}")
        print(f"Leak test in all: {sum(docs * words for docs, words in SCANNED.values())} sentinel checks")
