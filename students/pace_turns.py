"""The days each active contract turns behind and at risk (`ContractPace`), so pace is read in SQL.

A contract's pace on a day follows from its instructional days elapsed, which grow with the day, and
its credits, which do not (`students.pace`). So while its credits, days, site and the closures stay
the same, it is on track until one day, behind until another, then at risk: two dates, found once on
the site's calendar. The dashboard counts contracts by pace, and the contract list filters by pace and
paginates, by comparing those dates with today in the database, at any scale (issue #22). Before, every
active contract's pace was worked out in Python for every count and every filter.

A row is read only while it is up to date (`fresh`): nothing it follows from changed since it was
written. Database triggers (`STAMPS`) count the changes on the row itself: every contract gets a row when
it is created, and a change to a contract's dates, days, site or status, or to its credits, adds one to
the row's `changes`. The writer keeps, as `changes_written`, the count it read in the same snapshot as the
contract's values, so a change committed after that read leaves the row stale, whoever commits first.
The pace thresholds and the site's calendar version are kept on the row and compared when it is read.
So no write path has to remember the rows: a course completed, a contract extended, transferred or
closed, a closure added at its site or new thresholds leave a stale row, which readers pass over and
work out in Python as before (a few contracts between two runs), until the quarter-hourly task writes
it again (`turns_write`). Across every contract, the count reads the rows alone, without the contracts.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from artworx.totals import dropped, trigger_function
from sites.calendar import InstructionalCalendar, calendars_for_sites
from students.models import Contract, ContractPace
from students.pace import turning_points

ALWAYS = date.min  # turned before any day: the days elapsed before a transfer are already past the turn
WRITTEN_IN = 2000  # rows per insert
ZERO = Decimal(0)

# The version of the contract's site's calendar (sites.CalendarVersion, 0 while its closures never
# changed), read with the contract or with its row (each names its site): a closure added, moved or
# removed at a site leaves stale the rows of that site's contracts alone (every site's, for a closure of
# the whole organisation).
CALENDAR_VERSION = Coalesce(F("site__calendar_version__version"), Value(0))

# What the dates follow from, as plain values, for the contracts worked out or written: the contract's
# own (a change to any of them, or to its status, is counted on its row), then its credits.
CONTRACT_VALUES = (
    "site_id",
    "counted_from",
    "started_on",
    "due_on",
    "length_days",
    "extension_days",
    "days_elapsed_before",
)
VALUES = ("pk", *CONTRACT_VALUES, "credit_totals__done", "credit_totals__planned")
# Read with the VALUES by the writer: the row's count of changes in the same snapshot (0 without a row).
CHANGES = Coalesce(F("pace_turns__changes"), Value(0))


def fresh() -> Q:
    """Contracts whose row was written after the last change to them and their credits, under the
    thresholds and their site's calendar version in force."""
    return Q(
        pace_turns__changes_since=0,
        pace_turns__behind_points=settings.ARTWORX_PACE_BEHIND_POINTS,
        pace_turns__at_risk_points=settings.ARTWORX_PACE_AT_RISK_POINTS,
        pace_turns__closures_version=CALENDAR_VERSION,
    )


def fresh_rows() -> QuerySet[ContractPace]:
    """The rows that are up to date, as `fresh` says of their contracts: only an active contract's row
    can be (a change of status is a change). Its site's version is outer-joined: a site whose closures
    never changed has none."""
    return ContractPace.objects.alias(site_version=CALENDAR_VERSION).filter(
        changes_since=0,
        behind_points=settings.ARTWORX_PACE_BEHIND_POINTS,
        at_risk_points=settings.ARTWORX_PACE_AT_RISK_POINTS,
        closures_version=F("site_version"),
    )


def turned(*, today: date, prefix: str = "") -> Case:
    """The pace on `today` of a row ("on_track", "behind", "at_risk"), from its two days."""
    return Case(
        When(**{f"{prefix}at_risk_on__lte": today}, then=Value("at_risk")),
        When(**{f"{prefix}behind_on__lte": today}, then=Value("behind")),
        default=Value("on_track"),
        output_field=CharField(),
    )


def pace_today(*, today: date) -> Case:
    """The pace of a contract on `today` from its row ("on_track", "behind", "at_risk"), or None where
    the row is missing or stale. An annotation: the rows are outer-joined, every contract is kept."""
    # The row's freshness is compared once, then its two days.
    now = turned(today=today, prefix="pace_turns__")
    return Case(When(fresh(), then=now), default=None, output_field=CharField())


def stale(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """The active `contracts` whose row is missing or stale, in id order."""
    return (
        contracts.active()
        .order_by("pk")
        .annotate(up_to_date=Case(When(fresh(), then=Value(True)), default=Value(False)))
        .filter(up_to_date=False)
    )


def inputs(row: tuple) -> tuple:
    """What a contract's turning days follow from, from its VALUES, as its row keeps them (and as
    `fresh` compares them): site, first day counted, due date, days in all, days counted before a
    transfer, credits done and planned (none without a course)."""
    _pk, site_id, counted_from, started_on, due_on, length, extension, before, done, planned = row[:10]
    return (
        site_id,
        counted_from or started_on,
        due_on,
        length + extension,
        before,
        done if done is not None else ZERO,
        planned if planned is not None else ZERO,
    )


class Turns:
    """The turning days of contracts given as their VALUES, on their sites' calendars (one query of
    closures). Contracts with the same values share them, and the n-th instructional day is found once
    per calendar, start and n: tens of thousands of contracts share far fewer calculations."""

    def __init__(self, rows: list[tuple]):
        self.calendars = calendars_for_sites({row[1] for row in rows})
        self.points = settings.ARTWORX_PACE_BEHIND_POINTS, settings.ARTWORX_PACE_AT_RISK_POINTS
        self.found: dict[tuple, tuple[date | None, date | None]] = {}
        self.days: dict[tuple, date] = {}

    def of(self, row: tuple) -> tuple[date | None, date | None]:
        """The days a contract given as its VALUES turns behind and at risk (None: never)."""
        key = row[1:10]
        if key not in self.found:
            site_id, counting_from, due_on, total, before, done, planned = inputs(row)
            behind, at_risk = turning_points(
                days_total=total, done=done, planned=planned, behind=self.points[0], at_risk=self.points[1]
            )
            calendar = self.calendars[site_id]
            self.found[key] = (
                self._day(calendar, counting_from, due_on, before, behind),
                self._day(calendar, counting_from, due_on, before, at_risk),
            )
        return self.found[key]

    def row(self, row: tuple, *, closures_version: int, changes: int) -> ContractPace:
        """The row to write for a contract given as its VALUES, under `closures_version`, after as many
        `changes` as its row counted when the VALUES were read."""
        site_id, counting_from, due_on, total, before, done, planned = inputs(row)
        behind_on, at_risk_on = self.of(row)
        return ContractPace(
            contract_id=row[0],
            behind_on=behind_on,
            at_risk_on=at_risk_on,
            site_id=site_id,
            counting_from=counting_from,
            due_on=due_on,
            total_days=total,
            days_before=before,
            credits_done=done,
            credits_planned=planned,
            behind_points=self.points[0],
            at_risk_points=self.points[1],
            closures_version=closures_version,
            changes_written=changes,
        )

    def _day(
        self, calendar: InstructionalCalendar, counting_from: date, due_on: date, before: int, elapsed
    ) -> date | None:
        """The day `elapsed` instructional days have gone by, or None if that never comes."""
        if elapsed is None:
            return None
        if elapsed <= before:
            return ALWAYS
        key = (calendar, counting_from, elapsed - before)
        if key not in self.days:
            self.days[key] = calendar.nth_day(counting_from, elapsed - before)
        # Days stop being counted at the due date: a turn after it never comes.
        return self.days[key] if self.days[key] <= due_on else None


def status_on(behind_on: date | None, at_risk_on: date | None, today: date) -> str:
    """The pace on `today` of a contract that turns behind and at risk on these days (as `pace_today`
    reads them in the database)."""
    if at_risk_on is not None and at_risk_on <= today:
        return "at_risk"
    if behind_on is not None and behind_on <= today:
        return "behind"
    return "on_track"


def stale_paces(contracts: QuerySet[Contract], *, today: date) -> dict[int, str]:
    """The pace on `today` of the active `contracts` whose row is missing or stale, worked out in Python
    (one query, and one of closures when there are any)."""
    rows = list(stale(contracts).values_list(*VALUES))
    if not rows:
        return {}
    turns = Turns(rows)
    return {row[0]: status_on(*turns.of(row), today) for row in rows}


def turns_write(contracts: QuerySet[Contract] | None = None) -> int:
    """Write the rows of the active contracts (all, or among `contracts`) that are missing or stale, in
    id order and batches (two writers of the same rows take them in the same order); how many. The count
    of changes is never written here, only the one read (a change counted meanwhile leaves it stale)."""
    queryset = Contract.objects.all() if contracts is None else contracts
    rows = list(
        stale(queryset)
        .annotate(closures_version=CALENDAR_VERSION, changes=CHANGES)
        .values_list(*VALUES, "closures_version", "changes")
    )
    if not rows:
        return 0
    turns = Turns(rows)
    kept = {"contract", "changes"}  # and the difference the database keeps
    ContractPace.objects.bulk_create(
        [turns.row(row, closures_version=row[-2], changes=row[-1]) for row in rows],
        batch_size=WRITTEN_IN,
        update_conflicts=True,
        unique_fields=["contract"],
        update_fields=[
            field.name
            for field in ContractPace._meta.concrete_fields
            if field.name not in kept and not field.generated
        ],
    )
    return len(rows)


# Every contract's row, and its count of changes (see the module's docstring). Row triggers on both
# databases: a contract is created or changed one at a time, and its credits row once per statement.
NEW_ROW = (
    "INSERT INTO students_contractpace (contract_id, site, counting_from, due_on, total_days, days_before, "
    "credits_done, credits_planned, behind_points, at_risk_points, closures_version, changes, "
    "changes_written) VALUES (NEW.id, NEW.site_id, COALESCE(NEW.counted_from, NEW.started_on), NEW.due_on, "
    "NEW.length_days + NEW.extension_days, NEW.days_elapsed_before, 0, 0, 0, 0, -1, 1, 0) "
    "ON CONFLICT (contract_id) DO NOTHING"
)
COUNTED = "UPDATE students_contractpace SET changes = changes + 1 WHERE contract_id = {row}.{column}"


@dataclass(frozen=True)
class Stamp:
    """A row trigger: after `event` on `table` (of `columns` when given), run `statement`."""

    name: str
    table: str
    event: str
    statement: str
    columns: tuple[str, ...] = ()


STAMPS = (
    Stamp("students_contractpace_contract_new", "students_contract", "INSERT", NEW_ROW),
    Stamp(
        "students_contractpace_contract_changed",
        "students_contract",
        "UPDATE",
        COUNTED.format(row="NEW", column="id"),
        columns=(*CONTRACT_VALUES, "status"),
    ),
    *(
        Stamp(
            f"students_contractpace_credits_{event.lower()}",
            "students_contractcredits",
            event,
            COUNTED.format(row="OLD" if event == "DELETE" else "NEW", column="contract_id"),
        )
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
)


def stamp_statements(vendor: str) -> tuple[list[str], list[str]]:
    """The statements that create the triggers of `STAMPS` on `vendor`, and those that drop them."""
    create, drop = [], []
    for stamp in STAMPS:
        of = f" OF {', '.join(stamp.columns)}" if stamp.columns else ""
        if vendor == "postgresql":
            when = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in stamp.columns)
            create += [
                trigger_function(stamp.name, stamp.statement),
                f"CREATE TRIGGER {stamp.name} AFTER {stamp.event}{of} ON {stamp.table} FOR EACH ROW"
                f"{f' WHEN ({when})' if when else ''} EXECUTE FUNCTION {stamp.name}()",
            ]
            drop += dropped(stamp.name, stamp.table)
        elif vendor == "sqlite":
            when = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in stamp.columns)
            create.append(
                f"CREATE TRIGGER {stamp.name} AFTER {stamp.event}{of} ON {stamp.table} FOR EACH ROW"
                f"{f' WHEN {when}' if when else ''} BEGIN {stamp.statement}; END"
            )
            drop.append(f"DROP TRIGGER IF EXISTS {stamp.name}")
        else:
            raise NotImplementedError(f"pace stamps need triggers written for {vendor}")
    return create, drop


# The rows already there, when the counts of changes began (migration students/0021): a row no longer
# matching its contract is counted as changed once, and every contract without a row gets one.
CHANGED_BEFORE = (
    "UPDATE students_contractpace SET changes = 1 WHERE contract_id IN (SELECT c.id FROM students_contract c "
    "JOIN students_contractpace p ON p.contract_id = c.id "
    "LEFT JOIN students_contractcredits cc ON cc.contract_id = c.id "
    "WHERE NOT (c.status = 'active' AND p.site = c.site_id "
    "AND p.counting_from = COALESCE(c.counted_from, c.started_on) "
    "AND p.due_on = c.due_on AND p.total_days = c.length_days + c.extension_days "
    "AND p.days_before = c.days_elapsed_before AND p.credits_done = COALESCE(cc.done, 0) "
    "AND p.credits_planned = COALESCE(cc.planned, 0)))"
)
EVERY_CONTRACT = (
    NEW_ROW.replace("VALUES (", "SELECT ")
    .replace("NEW.", "c.")
    .replace(
        ") ON CONFLICT",
        " FROM students_contract c WHERE NOT EXISTS (SELECT 1 FROM students_contractpace p "
        "WHERE p.contract_id = c.id) ON CONFLICT",
    )
)


def stamps_install(schema_editor) -> None:
    """Count the changes from now on: the rows already there marked, the missing ones written, and the
    triggers created (a migration's step)."""
    create, drop = stamp_statements(schema_editor.connection.vendor)
    with schema_editor.connection.cursor() as cursor:
        for statement in [CHANGED_BEFORE, EVERY_CONTRACT, *drop, *create]:
            cursor.execute(statement)


def stamps_uninstall(schema_editor) -> None:
    """Drop the triggers that count the changes (the migration's way back)."""
    _create, drop = stamp_statements(schema_editor.connection.vendor)
    with schema_editor.connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)
