"""Each site's calendar version (sites.CalendarVersion), kept by triggers on the closures: it moves with
every change of a closure that applies at the site, and only then, whatever wrote the closure."""

import re
from collections import Counter
from datetime import date
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from sites.calendar_versions import install_operation, statements
from sites.models import CalendarVersion, Closure
from sites.services import closure_delete, closure_save
from tests.concurrency import race
from tests.factories import ClosureFactory, SiteFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 7)
TRIGGER = re.compile(r"CREATE TRIGGER (\w+) ")


def versions() -> dict[int, int]:
    return dict(CalendarVersion.objects.values_list("site", "version"))


def test_a_closure_moves_the_version_of_each_site_whose_calendar_it_changes():
    first, second, third = SiteFactory.create_batch(3)
    assert versions() == {}  # never changed: version 0, no row
    closure = closure_save(closure=Closure(site=first, name="Staff day", starts_on=DAY, ends_on=DAY))
    assert versions() == {first.pk: 1}
    closure.name = "Staff development day"
    closure_save(closure=closure)
    assert versions() == {first.pk: 1}  # renamed: no calendar changed
    closure.ends_on = date(2026, 12, 8)
    closure_save(closure=closure)
    assert versions() == {first.pk: 2}
    closure.site = second
    closure_save(closure=closure)
    assert versions() == {first.pk: 3, second.pk: 1}  # moved: both calendars
    closure_delete(closure=closure)
    assert versions() == {first.pk: 3, second.pk: 2}
    ClosureFactory(site=None)  # the whole organisation's, written without the service
    assert versions() == {first.pk: 4, second.pk: 3, third.pk: 1}
    Closure.objects.filter(site=None).update(starts_on=date(2026, 11, 25))  # a bulk update, as a script
    assert versions() == {first.pk: 5, second.pk: 4, third.pk: 2}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_closures_written_at_once_each_move_the_versions_once_and_never_deadlock():
    """Writers at two sites and of the whole organisation at once: each change counts, none is lost,
    none waits on another for ever (the versions are taken in site order)."""
    sites = SiteFactory.create_batch(2)
    moving = [ClosureFactory(site=sites[n % 2]) for n in range(10)]
    before = versions()

    def add(site):
        return lambda: ClosureFactory(site=site, starts_on=DAY, ends_on=DAY)

    def move(closure):
        def job():
            closure.site = sites[0] if closure.site == sites[1] else sites[1]
            closure_save(closure=closure)

        return job

    jobs = [add(sites[n % 2]) for n in range(20)] + [add(None) for _ in range(5)] + [move(c) for c in moving]
    assert race(jobs) == {"ok": len(jobs)}
    # Each site: its own additions, every organisation-wide addition, and every move in or out.
    expected = Counter({site.pk: 10 + 5 + len(moving) for site in sites})
    assert versions() == {pk: before.get(pk, 0) + n for pk, n in expected.items()}


def test_the_database_runs_the_triggers_written_here():
    create, _drop = statements(connection.vendor)
    written = {TRIGGER.match(statement)[1] for statement in create if TRIGGER.match(statement)}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        installed = {name for (name,) in cursor.fetchall()}
    assert written == {f"sites_calendarversion_{event}" for event in ("insert", "update", "delete")}
    assert written <= installed


def test_each_database_drops_what_it_creates_and_another_is_refused():
    for vendor in ("postgresql", "sqlite"):
        create, drop = statements(vendor)
        made = {re.search(r"CREATE (?:TRIGGER|FUNCTION) (\w+)", s)[1] for s in create}
        dropped = {re.search(r"DROP (?:TRIGGER|FUNCTION) IF EXISTS (\w+)", s)[1] for s in drop}
        assert made == dropped, vendor
    with pytest.raises(NotImplementedError, match="oracle"):
        statements("oracle")


def test_the_migration_step_drops_the_triggers_backwards_and_writes_them_again_forwards():
    site = SiteFactory()
    step = install_operation()
    editor = SimpleNamespace(connection=connection)  # all the step reads of a schema editor
    step.reverse_code(django_apps, editor)
    ClosureFactory(site=site)
    assert versions() == {}  # no trigger: nothing moved
    step.code(django_apps, editor)
    ClosureFactory(site=site)
    assert versions() == {site.pk: 1}
