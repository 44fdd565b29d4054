"""The suite's databases (tests/database.py): a test that empties the database leaves the rows the
migrations wrote, and nothing else, for the tests after it on its worker."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from notifications.models import ReminderSettings
from programs.models import Pathway, PathwayStep, PathwayTotals
from retention.models import RetentionPolicy
from sites.models import Site
from tests import database
from tests.factories import ProgramFactory

# One worker, in this order: each test runs after the one before it has emptied the database.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("emptied")]


def test_a_test_that_empties_the_database_starts_with_the_migrated_rows():
    assert database.changed_tables() == []
    assert RetentionPolicy.objects.get().pk == ReminderSettings.objects.get().pk == 1
    RetentionPolicy.objects.update(student_months=84)
    Group.objects.all().delete()
    pathway = Pathway.objects.create(name="Murals")
    PathwayStep.objects.create(pathway=pathway, program=ProgramFactory(), position=1)
    assert PathwayTotals.objects.get().steps == 1  # a running total, written by a trigger
    assert len(database.changed_tables()) > 3


def test_the_next_test_finds_them_as_the_migrations_left_them():
    assert database.changed_tables() == []
    assert RetentionPolicy.objects.get().student_months != 84
    assert Group.objects.exists() and not PathwayTotals.objects.exists()
    assert not Site.objects.exists()
    # The content types come back with the ids the migrations gave them, which Django keeps in memory.
    assert ContentType.objects.get_for_model(Site).model_class() is Site
