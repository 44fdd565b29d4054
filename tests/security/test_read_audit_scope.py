"""The read audit over every page: which views write a row, and that teaching artists never do."""

import pytest
from django.test import Client
from django.urls import reverse

from students.models import RecordRead
from tests.security.url_table import GET, URLS

# A sweep of the whole application for one property: untraced when coverage is measured (README, "Coverage").
pytestmark = pytest.mark.untraced

# The pages that show a student's support profile, private notes, guardians or a referral.
AUDITED = {
    "students:detail",
    "students:support_profile",
    "students:guardian_update",
    "students:referral_detail",
    "students:referral_update",
    "export",  # the students download, for the roles whose file holds support flags
}


def crawl(client: Client, world) -> None:
    for name, row in URLS.items():
        if row.method == GET:
            client.get(reverse(name, kwargs=row.kwargs(world)))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["teaching_artist", "other_artist", "other_teacher", "no_role"])
def test_roles_shown_nothing_of_the_worlds_student_write_no_row(world, role):
    client = Client()
    client.force_login(world.users[role])
    before = RecordRead.objects.count()
    crawl(client, world)
    assert RecordRead.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "counselor", "teacher"])
def test_only_the_audited_pages_write_a_row_one_per_view(world, role):
    client = Client()
    client.force_login(world.users[role])
    before = set(RecordRead.objects.values_list("pk", flat=True))
    crawl(client, world)
    reads = RecordRead.objects.exclude(pk__in=before).filter(user=world.users[role])
    rows = list(reads.values_list("view_name", "student", "referral"))
    assert {view for view, _, _ in rows} <= AUDITED
    assert len(rows) == len(set(rows)), "a page view wrote more than one row for one record"
    assert ("students:detail", world.student.pk, None) in rows
