"""`field__any=values` (artworx.lookups): the values go as one parameter, and it means `__in`."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.utils import ConnectionHandler

from sites.models import Site
from students.models import Enrollment
from tests.factories import EnrollmentFactory, SiteFactory


@pytest.mark.django_db
def test_it_selects_the_rows_whose_id_or_relation_is_one_of_the_values():
    first, second, third = SiteFactory(), SiteFactory(), SiteFactory()
    enrolled = EnrollmentFactory(site=second)
    EnrollmentFactory(site=third)

    assert set(Site.objects.filter(pk__any=[first.pk, second.pk])) == {first, second}
    assert list(Enrollment.objects.filter(site__any=[first.pk, second.pk])) == [enrolled]
    assert not Site.objects.filter(pk__any=[]).exists()


@pytest.mark.django_db
def test_it_compares_strings_and_sends_the_values_as_one_parameter():
    names = list(ContentType.objects.values_list("model", flat=True)[:3])
    wanted = ContentType.objects.filter(model__any=[*names, "no-such-model"])
    _sql, params = wanted.query.sql_with_params()

    assert sorted(wanted.values_list("model", flat=True)) == sorted(names)
    assert len(params) == 1


@pytest.mark.django_db
def test_on_sqlite_it_reads_the_values_from_a_json_array():
    # The embedded default (make run) is SQLite; this compiles and runs the query on an SQLite
    # database of its own, whatever database the suite runs on.
    sqlite = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
    connection = sqlite["default"]
    try:
        with connection.schema_editor() as editor:
            editor.create_model(ContentType)
        with connection.cursor() as cursor:
            for model in ("site", "student", "cohort"):
                cursor.execute("INSERT INTO django_content_type (app_label, model) VALUES ('x', %s)", [model])
        query = ContentType.objects.filter(model__any=["site", "cohort", "nothing"]).values_list("model")
        sql, params = query.query.get_compiler(connection=connection).as_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = sorted(row[0] for row in cursor.fetchall())
    finally:
        connection.close()

    assert "json_each" in sql
    assert found == ["cohort", "site"]
