"""The read audit: who was shown a student's support profile, private notes, guardians or a referral."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from families.models import Message
from programs.models import Participation
from students.models import RecordRead, SupportProfile
from students.services import record_reads_purge
from students.tasks import purge_read_audit
from tests.factories import CohortFactory, GuardianFactory, ReferralFactory

Part = RecordRead.Part


@pytest.fixture
def guardian(student):
    return GuardianFactory(student=student, name="Rosa Example")


@pytest.fixture
def noted(student):
    """The student's support profile, with a flag and a counselor's note."""
    profile, _ = SupportProfile.objects.get_or_create(student=student)
    profile.probation = True
    profile.private_notes = "Call the probation officer before any field trip."
    profile.save()
    return profile


def test_a_counselor_opening_the_student_page_writes_one_row_with_user_time_and_page(
    as_role, users, student, guardian, noted
):
    before = timezone.now()
    response = as_role("counselor").get(reverse("students:detail", args=[student.pk]))
    assert response.status_code == 200
    read = RecordRead.objects.get()
    assert read.user == users["counselor"]
    assert read.student == student
    assert read.parts == "support_profile,private_notes,guardians"
    assert read.path == f"/students/{student.pk}/"
    assert read.view_name == "students:detail"
    assert before <= read.at <= timezone.now()


def test_the_family_thread_on_the_student_page_is_in_the_same_row(as_role, users, student, guardian):
    page = reverse("students:detail", args=[student.pk])
    as_role("counselor").get(page)
    assert RecordRead.objects.get().parts == "support_profile,guardians"  # no messages: no thread shown
    Message.objects.create(
        student=student,
        guardian=guardian,
        direction=Message.Direction.INBOUND,
        kind=Message.Kind.REPLY,
        body="Can we talk tomorrow?",
        phone="+12135550123",
        status=Message.Status.RECEIVED,
    )
    RecordRead.objects.all().delete()
    response = as_role("counselor").get(page)
    assert "Can we talk tomorrow?" in response.content.decode()
    assert RecordRead.objects.get().parts == "support_profile,guardians,family_messages"


def test_the_support_profile_edit_page_writes_one_row(as_role, users, student, noted):
    response = as_role("counselor").get(reverse("students:support_profile", args=[student.pk]))
    assert response.status_code == 200
    read = RecordRead.objects.get()
    assert (read.user, read.parts, read.view_name) == (
        users["counselor"],
        "support_profile,private_notes",
        "students:support_profile",
    )


def test_a_teacher_seeing_guardians_writes_one_row_without_the_notes_they_are_not_shown(
    as_role, users, student, guardian, noted
):
    response = as_role("teacher").get(reverse("students:detail", args=[student.pk]))
    assert response.status_code == 200
    assert noted.private_notes not in response.content.decode()
    read = RecordRead.objects.get()
    # Teachers see their students' flags (need to know) and guardians, never the counselor's notes.
    assert (read.user, read.parts) == (users["teacher"], "support_profile,guardians")


def test_the_guardian_page_writes_one_row(as_role, users, student, guardian):
    url = reverse("students:guardian_update", args=[student.pk, guardian.pk])
    assert as_role("teacher").get(url).status_code == 200
    assert list(RecordRead.objects.values_list("user", "parts", "view_name")) == [
        (users["teacher"].pk, "guardians", "students:guardian_update")
    ]


def test_a_teaching_artist_who_sees_no_guardians_writes_none(as_role, users, student, guardian, noted, site):
    cohort = CohortFactory(site=site, teaching_artists=[users["teaching_artist"]])
    Participation.objects.create(cohort=cohort, student=student, joined_on=date(2026, 9, 14))
    client = as_role("teaching_artist")
    assert client.get(reverse("programs:cohort_detail", args=[cohort.pk])).status_code == 200
    assert client.get(reverse("students:detail", args=[student.pk])).status_code == 404
    assert client.get(reverse("students:guardian_update", args=[student.pk, guardian.pk])).status_code == 404
    assert not RecordRead.objects.exists()


def test_a_page_that_shows_nothing_sensitive_writes_nothing(as_role, student):
    # The list page shows no sensitive part; the page of a student without guardians or notes shows
    # program staff the support section only, and the row says just that.
    client = as_role("staff")
    assert client.get(reverse("students:list")).status_code == 200
    assert not RecordRead.objects.exists()
    client.get(reverse("students:detail", args=[student.pk]))
    assert RecordRead.objects.get().parts == "support_profile"


def test_the_referral_page_writes_one_row_naming_the_referral_and_its_student(as_role, users, student):
    referral = ReferralFactory(student=student)
    assert (
        as_role("counselor").get(reverse("students:referral_detail", args=[referral.pk])).status_code == 200
    )
    read = RecordRead.objects.get()
    assert (read.referral, read.student, read.parts, read.view_name) == (
        referral,
        student,
        "referral",
        "students:referral_detail",
    )


def test_a_download_with_support_flags_writes_one_row_per_student(as_role, users, student):
    client = as_role("staff")
    response = client.get(reverse("export", kwargs={"name": "students", "fmt": "csv"}))
    assert response.status_code == 200
    assert list(RecordRead.objects.values_list("user", "student", "parts", "view_name")) == [
        (users["staff"].pk, student.pk, "support_profile", "export")
    ]


def test_a_download_without_support_flags_writes_nothing(as_role, student):
    response = as_role("teacher").get(reverse("export", kwargs={"name": "students", "fmt": "csv"}))
    assert response.status_code == 200
    assert "Probation" not in response.content.decode()
    assert not RecordRead.objects.exists()


# Who sees the audit -----------------------------------------------------------------------------


def test_administrators_see_who_opened_the_record_newest_first(as_role, users, student, guardian):
    as_role("counselor").get(reverse("students:detail", args=[student.pk]))
    response = as_role("admin").get(reverse("students:detail", args=[student.pk]))
    page = response.context["reads"]
    assert [read.user for read in page] == [users["admin"], users["counselor"]]
    assert "Who opened this record" in response.content.decode()


def test_the_list_is_paged(as_role, users, student, guardian):
    RecordRead.objects.bulk_create(
        RecordRead(user=users["counselor"], student=student, parts="guardians", path="/x/") for _ in range(25)
    )
    client = as_role("admin")
    url = reverse("students:detail", args=[student.pk])
    assert len(client.get(url).context["reads"]) == 10
    last = client.get(url, {"reads": "3"}).context["reads"]
    assert (last.number, len(last)) == (3, 7)  # 25 + the admin's own two views
    assert client.get(url, {"reads": "²"}).status_code == 200


@pytest.mark.parametrize("role", ["staff", "counselor", "teacher"])
def test_other_roles_do_not_see_the_list(as_role, student, guardian, role):
    as_role("counselor").get(reverse("students:detail", args=[student.pk]))
    response = as_role(role).get(reverse("students:detail", args=[student.pk]))
    assert response.status_code == 200
    assert response.context["reads"] is None
    assert "Who opened this record" not in response.content.decode()


@pytest.mark.parametrize("role", ["admin", "staff", "counselor"])
def test_the_admin_list_is_for_administrators_and_read_only(as_role, users, student, guardian, role):
    as_role("counselor").get(reverse("students:detail", args=[student.pk]))
    read = RecordRead.objects.get()
    users[role].is_staff = True
    users[role].save()
    client = as_role(role)
    # The list opens for administrators only; nobody gets the add page.
    listing = client.get(reverse("admin:students_recordread_changelist"))
    assert (listing.status_code == 200) is (role == "admin")
    assert client.get(reverse("admin:students_recordread_add")).status_code != 200
    client.post(reverse("admin:students_recordread_delete", args=[read.pk]), {"post": "yes"})
    client.post(reverse("admin:students_recordread_change", args=[read.pk]), {"parts": "x"})
    read.refresh_from_db()
    assert read.parts == "support_profile,guardians"
    model_admin = admin_site._registry[RecordRead]
    request = listing.wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, read)
    assert not model_admin.has_delete_permission(request, read)


def test_the_admin_change_pages_of_sensitive_records_count(as_role, users, student, guardian, noted):
    users["admin"].is_staff = True
    users["admin"].save()
    client = as_role("admin")
    referral = ReferralFactory(student=student)
    for name, pk in [
        ("admin:students_supportprofile_change", noted.pk),
        ("admin:students_guardian_change", guardian.pk),
        ("admin:students_referral_change", referral.pk),
        ("admin:students_student_change", student.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 200, name
    reads = {read.view_name: read.parts for read in RecordRead.objects.all()}
    assert reads == {
        "admin:students_supportprofile_change": "support_profile,private_notes",
        "admin:students_guardian_change": "guardians",
        "admin:students_referral_change": "referral",
        "admin:students_student_change": "support_profile,private_notes,guardians",
    }
    assert client.get(reverse("admin:students_supportprofile_changelist")).status_code == 200
    assert RecordRead.objects.count() == 4  # a list of names is not a record opened


# Purge -------------------------------------------------------------------------------------------


def make_reads(user, student, now) -> dict[str, RecordRead]:
    days = {"old": 366, "edge_out": 365.01, "edge_in": 364.99, "new": 1}
    return {
        name: RecordRead.objects.create(
            user=user, student=student, parts="guardians", path="/x/", at=now - timedelta(days=age)
        )
        for name, age in days.items()
    }


@pytest.mark.parametrize("hour", [0, 7, 23])  # the cut-off is a duration, whatever the hour of the day
def test_the_purge_removes_rows_older_than_the_setting_and_keeps_newer(users, student, settings, hour):
    settings.ARTWORX_READ_AUDIT_DAYS = 365
    now = datetime(2026, 11, 30, hour, 30, tzinfo=UTC)
    reads = make_reads(users["counselor"], student, now)
    assert record_reads_purge(now=now) == 2
    assert record_reads_purge(now=now) == 0  # running twice deletes nothing more
    left = set(RecordRead.objects.values_list("pk", flat=True))
    assert left == {reads["edge_in"].pk, reads["new"].pk}


def test_the_task_and_the_command_purge_by_the_setting_from_the_present(users, student, settings):
    settings.ARTWORX_READ_AUDIT_DAYS = 30
    now = timezone.now()  # rows are placed relative to it, at least 14 minutes from the cut-off
    make_reads(users["counselor"], student, now)
    RecordRead.objects.create(
        user=users["counselor"], student=student, parts="guardians", path="/x/", at=now - timedelta(days=31)
    )
    assert purge_read_audit() == 4
    make_reads(users["counselor"], student, now)
    out = io.StringIO()
    call_command("purge_read_audit", stdout=out)
    assert out.getvalue().strip() == "3 read-audit row(s) deleted."
    assert RecordRead.objects.count() == 2  # the two 1-day-old rows


def test_beat_runs_the_purge_nightly():
    entry = app.conf.beat_schedule["purge-read-audit"]
    assert entry["task"] == purge_read_audit.name
