"""The retention policy and legal holds in the admin console; the nightly task and the command."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from families.models import Message
from retention.models import Anonymisation, LegalHold, RetentionPolicy
from retention.services.anonymise import messages_expire, roster_imports_expire
from retention.tasks import anonymise_past_retention
from students.models import Enrollment, RosterImport
from tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver(site, teacher):
    enrollment = EnrollmentFactory(site=site, teacher=teacher, started_on=date(2018, 9, 4))
    Enrollment.objects.filter(pk=enrollment.pk).update(ended_on=date(2020, 6, 12), exit_reason="moved")
    return enrollment.student


@pytest.mark.parametrize(
    "name",
    [
        "admin:retention_retentionpolicy_changelist",
        "admin:retention_legalhold_changelist",
        "admin:retention_anonymisation_changelist",
        "admin:retention_correction_changelist",
        "admin:retention_districtrelease_changelist",
    ],
)
def test_every_changelist_opens(as_role, name):
    assert as_role("admin").get(reverse(name)).status_code == 200


def test_an_administrator_changes_the_policy_and_its_history_says_who(as_role, users):
    url = reverse("admin:retention_retentionpolicy_change", args=[1])
    data = {"student_months": 84, "alumnus_months": 12, "referral_months": 12, "message_months": 12}
    assert as_role("admin").post(url, data).status_code == 302
    assert RetentionPolicy.current().student_months == 84
    assert RetentionPolicy.history.latest().history_user == users["admin"]


def test_a_policy_of_no_months_is_refused(as_role):
    url = reverse("admin:retention_retentionpolicy_change", args=[1])
    data = {"student_months": 0, "alumnus_months": 12, "referral_months": 12, "message_months": 12}
    assert as_role("admin").post(url, data).status_code == 200
    assert RetentionPolicy.current().student_months == 60


def test_an_administrator_sets_a_legal_hold_in_their_own_name(as_role, users, leaver):
    response = as_role("admin").post(
        reverse("admin:retention_legalhold_add"), {"student": leaver.pk, "reason": "court order"}
    )
    assert response.status_code == 302
    assert LegalHold.objects.get(student=leaver).set_by == users["admin"]
    assert anonymise_past_retention()["students"] == 0


@pytest.mark.parametrize("role", ["staff", "counselor", "teacher"])
def test_no_one_else_reaches_legal_holds(as_role, role):
    assert as_role(role).get(reverse("admin:retention_legalhold_add")).status_code == 302  # to sign-in


def test_the_nightly_task_anonymises_once(leaver):
    assert anonymise_past_retention()["students"] == 1
    assert anonymise_past_retention()["students"] == 0
    assert Anonymisation.objects.get().student == leaver


def test_the_command_dry_run_lists_by_kind_and_changes_nothing(leaver):
    out = StringIO()
    call_command("anonymise", "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue() and "students: 1" in out.getvalue()
    assert not Anonymisation.objects.exists()
    call_command("anonymise", stdout=StringIO())
    assert Anonymisation.objects.filter(student=leaver).exists()


def test_message_texts_past_their_time_lose_their_words_not_their_status(student):
    old = Message.objects.create(
        student=student, direction="out", kind="staff", body="Ana missed class", status="sent"
    )
    new = Message.objects.create(student=student, direction="out", kind="staff", body="Today", status="sent")
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    assert messages_expire(today=timezone.localdate()) == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.body, old.status, new.body) == ("", "sent", "Today")


def test_rows_of_an_old_roster_upload_are_emptied_and_its_status_kept(users):
    old = RosterImport.objects.create(
        uploaded_by=users["staff"], filename="old.csv", rows=[{"first_name": "Ana"}], status="applied"
    )
    new = RosterImport.objects.create(
        uploaded_by=users["staff"], filename="new.csv", rows=[{"first_name": "Bo"}]
    )
    RosterImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert roster_imports_expire() == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.rows, old.status, new.rows) == ([], "applied", [{"first_name": "Bo"}])
