"""Done when (issue #20): sentinels planted in every text column of a leaver's rows, in every table and
history table, the outbox, the admin log and the media folder, are gone after the anonymisation, from the
whole database (every table and column, by introspection) and the folder; the dashboard is unchanged."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from artworx import roles
from reports.selectors import dashboard
from retention.graph import KEPT, OWNED
from retention.models import Anonymisation
from retention.services.anonymise import students_anonymise
from students.models import Signature, Student
from tests.factories import CohortFactory, UserFactory
from tests.retention.leavers import leaver
from tests.retention.sentinels import SENTINEL, plant, scan_database, scan_folder, student_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def figures(user) -> object:
    """The dashboard over the whole of the leavers' years and this one, as the staff see it."""
    return dashboard(user=user, start=date(2019, 1, 1), end=date(2026, 12, 31), today=date(2026, 11, 18))


def test_it_leaves_no_sentinel_anywhere_and_the_dashboard_unchanged(
    site, teacher, media, django_capture_on_commit_callbacks
):
    staff = UserFactory(role=roles.PROGRAM_STAFF)
    cohort = CohortFactory(site=site, term_starts_on=date(2019, 9, 9), term_ends_on=date(2019, 12, 13))
    students = [
        leaver(site=site, teacher=teacher, staff=staff, cohort=cohort),
        leaver(site=site, teacher=teacher, staff=staff, cohort=cohort, graduate=True),
    ]
    ids = [student.pk for student in students]
    rows = student_rows(ids)
    # Every table the graph names was reached and holds rows of these students.
    assert {model._meta.label for model in rows} >= set(OWNED) - {"retention.LegalHold"}
    planted = plant(rows)
    for pk in ids:
        default_storage.save(f"students/{pk}/evidence.txt", ContentFile(f"{SENTINEL} portfolio".encode()))
    before = scan_database()
    assert set(before) >= set(planted) and "django_admin_log" in before  # the scan finds what was planted
    assert len(scan_folder(media)) == 2
    dashboard_before = figures(staff)

    with django_capture_on_commit_callbacks(execute=True):
        done = students_anonymise(student_ids=ids)

    assert sorted(done) == sorted(ids)
    assert scan_database() == {}
    assert scan_folder(media) == []
    assert figures(staff) == dashboard_before
    for student in Student.objects.filter(pk__in=ids):
        assert student.date_of_birth == date(student.date_of_birth.year, 1, 1)
        assert student.last_name == Anonymisation.objects.get(student=student).pseudonym
        assert not student.support_profile.on_probation
    assert not Signature.objects.filter(version__contract__student__in=ids, ip_address__isnull=False).exists()


def test_it_keeps_only_columns_it_gives_a_reason_for():
    assert all(reason for columns in KEPT.values() for reason in columns.values())


def test_it_changes_nothing_the_second_time(site, teacher, django_capture_on_commit_callbacks):
    staff = UserFactory(role=roles.PROGRAM_STAFF)
    student = leaver(site=site, teacher=teacher, staff=staff)
    with django_capture_on_commit_callbacks(execute=True):
        assert students_anonymise(student_ids=[student.pk]) == [student.pk]
    pseudonym = Anonymisation.objects.get(student=student).pseudonym
    assert students_anonymise(student_ids=[student.pk]) == []
    assert Anonymisation.objects.get(student=student).pseudonym == pseudonym
