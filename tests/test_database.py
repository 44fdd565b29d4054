"""The suite's databases (tests/database.py): a test that empties the database leaves the rows the
migrations wrote for the tests after it on its worker."""

import pytest

from notifications.models import ReminderSettings
from retention.models import RetentionPolicy
from students.models import AgreementTemplate
from tests import database

# One worker, in this order: the second runs after the first's flush.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("emptied")]


def test_a_test_that_empties_the_database_starts_with_the_migrated_rows(migrated_rows):
    assert database.migrated_rows() == migrated_rows
    assert RetentionPolicy.objects.get().pk == ReminderSettings.objects.get().pk == 1
    RetentionPolicy.objects.update(student_months=84)  # gone with the flush, and put back as migrated


def test_the_next_test_finds_them_as_the_migrations_left_them(migrated_rows):
    assert database.migrated_rows() == migrated_rows
    assert RetentionPolicy.objects.get().student_months != 84


def test_a_row_put_back_keeps_its_time_to_the_microsecond():
    template = AgreementTemplate.objects.order_by("pk").first()
    written = template.created_at.replace(microsecond=300)  # within the first millisecond of a second
    AgreementTemplate.objects.filter(pk=template.pk).update(created_at=written)
    rows = database.migrated_rows()
    AgreementTemplate.objects.filter(pk=template.pk).delete()
    database.put_back(rows)
    assert AgreementTemplate.objects.get(pk=template.pk).created_at == written
