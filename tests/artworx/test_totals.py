"""The triggers in the database are the ones the running totals describe (artworx/totals.py): a change
to a total's SQL that no migration installs again fails here, on PostgreSQL and on SQLite."""

import re

import pytest
from django.db import connection

from alumni.totals import OUTCOME_TOTALS
from artworx.totals import statements
from programs.totals import COHORT_ABSENCE, DAY_TOTALS, PATHWAY_COMPLETION, PATHWAY_STEPS, STANDINGS, TOTALS
from students.pace_turns import stamp_statements
from students.totals import CONTRACT_CREDITS, CREDITS_EARNED, REFERRAL_DAYS, SITE_ENROLLMENTS

RUNNING_TOTALS = (
    *TOTALS,
    DAY_TOTALS,
    PATHWAY_STEPS,
    *STANDINGS,
    PATHWAY_COMPLETION,
    COHORT_ABSENCE,
    CONTRACT_CREDITS,
    CREDITS_EARNED,
    REFERRAL_DAYS,
    SITE_ENROLLMENTS,
    OUTCOME_TOTALS,
)
FUNCTION = re.compile(r"CREATE FUNCTION (\w+)\(\) RETURNS trigger LANGUAGE plpgsql AS \$\$(.*)\$\$", re.S)
TRIGGER = re.compile(r"CREATE TRIGGER (\w+) ")


def described() -> tuple[dict[str, str], dict[str, str]]:
    """The functions (name → body) and triggers (name → statement) the totals and the pace rows' counts of
    changes (students.pace_turns) describe."""
    functions, triggers = {}, {}
    made = [statements(total, connection.vendor)[0] for total in RUNNING_TOTALS]
    made.append(stamp_statements(connection.vendor)[0])
    for create in made:
        for statement in create:
            if match := FUNCTION.fullmatch(statement):
                functions[match[1]] = match[2]
            else:
                triggers[TRIGGER.match(statement)[1]] = statement
    return functions, triggers


def installed() -> tuple[dict[str, str], dict[str, str]]:
    """The trigger functions (name → body) and triggers (name → statement, SQLite only) in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() AND p.prorettype = 'trigger'::regtype"
            )
            functions = dict(cursor.fetchall())
            cursor.execute("SELECT tgname, '' FROM pg_trigger WHERE NOT tgisinternal")
            return functions, dict(cursor.fetchall())
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        return {}, dict(cursor.fetchall())


@pytest.mark.django_db
def test_the_database_runs_the_triggers_the_totals_describe():
    functions, triggers = described()
    in_functions, in_triggers = installed()
    assert triggers, "the totals describe no trigger"
    assert set(triggers) <= set(in_triggers), "triggers the migrations never installed"
    assert {name: in_functions.get(name) for name in functions} == functions
    if connection.vendor == "sqlite":
        # SQLite keeps each trigger's statement as written.
        assert {name: in_triggers[name] for name in triggers} == triggers


def test_each_total_drops_what_it_creates():
    for vendor in ("postgresql", "sqlite"):
        for name, (create, drop) in [
            *((total.name, statements(total, vendor)) for total in RUNNING_TOTALS),
            ("pace stamps", stamp_statements(vendor)),
        ]:
            made = {re.search(r"CREATE (?:TRIGGER|FUNCTION) (\w+)", s)[1] for s in create}
            dropped = {re.search(r"DROP (?:TRIGGER|FUNCTION) IF EXISTS (\w+)", s)[1] for s in drop}
            assert made == dropped, name


def test_a_database_without_triggers_written_for_it_is_refused():
    with pytest.raises(NotImplementedError, match="oracle"):
        statements(CONTRACT_CREDITS, "oracle")
    with pytest.raises(NotImplementedError, match="oracle"):
        stamp_statements("oracle")
