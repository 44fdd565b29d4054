"""The days each active contract turns behind and at risk (`ContractPace`), so pace is read in SQL.

A contract's pace on a day follows from its instructional days elapsed, which grow with the day, and
its credits, which do not (`students.pace`). So while its credits, days, site and the closures stay
the same, it is on track until one day, behind until another, then at risk: two dates, found once on
the site's calendar. The dashboard counts contracts by pace, and the contract list filters by pace and
paginates, by comparing those dates with today in the database, at any scale (issue #22). Before, every
active contract's pace was worked out in Python for every count and every filter.

A row carries what its dates follow from, and is read only while that still matches the contract's
current values, the pace thresholds and its site's calendar version (`fresh`). So no write path has to
remember the rows: a course completed, a contract extended or transferred, a closure added at its site
or new thresholds leave a stale row, which readers pass over and work out in Python as before (a few
contracts between two runs), until the quarter-hourly task writes it again (`turns_write`).
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from sites.calendar import InstructionalCalendar, calendars_for_sites
from students.models import NO_CREDITS, Contract, ContractPace
from students.pace import turning_points

ALWAYS = date.min  # turned before any day: the days elapsed before a transfer are already past the turn
WRITTEN_IN = 2000  # rows per insert
ZERO = Decimal(0)

# The version of the contract's site's calendar (sites.CalendarVersion, 0 while its closures never
# changed), read with the contract: a closure added, moved or removed at a site leaves stale the rows of
# that site's contracts alone (every site's, for a closure of the whole organisation).
CALENDAR_VERSION = Coalesce(F("site__calendar_version__version"), Value(0))

# What the dates follow from, as plain values, for the contracts worked out or written.
VALUES = (
    "pk",
    "site_id",
    "counted_from",
    "started_on",
    "due_on",
    "length_days",
    "extension_days",
    "days_elapsed_before",
    "credit_totals__done",
    "credit_totals__planned",
)


def fresh() -> Q:
    """Contracts whose row was written from their current values, thresholds and closures."""
    return Q(
        pace_turns__site=F("site_id"),
        pace_turns__counting_from=Coalesce("counted_from", "started_on"),
        pace_turns__due_on=F("due_on"),
        pace_turns__total_days=F("length_days") + F("extension_days"),
        pace_turns__days_before=F("days_elapsed_before"),
        pace_turns__credits_done=Coalesce("credit_totals__done", NO_CREDITS),
        pace_turns__credits_planned=Coalesce("credit_totals__planned", NO_CREDITS),
        pace_turns__behind_points=settings.ARTWORX_PACE_BEHIND_POINTS,
        pace_turns__at_risk_points=settings.ARTWORX_PACE_AT_RISK_POINTS,
        pace_turns__closures_version=CALENDAR_VERSION,
    )


def pace_today(*, today: date) -> Case:
    """The pace of a contract on `today` from its row ("on_track", "behind", "at_risk"), or None where
    the row is missing or stale. An annotation: the rows are outer-joined, every contract is kept."""
    # The row's freshness is compared once, then its two days.
    turned = Case(
        When(pace_turns__at_risk_on__lte=today, then=Value("at_risk")),
        When(pace_turns__behind_on__lte=today, then=Value("behind")),
        default=Value("on_track"),
        output_field=CharField(),
    )
    return Case(When(fresh(), then=turned), default=None, output_field=CharField())


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

    def row(self, row: tuple, *, closures_version: int) -> ContractPace:
        """The row to write for a contract given as its VALUES, under `closures_version`."""
        site_id, counting_from, due_on, total, before, done, planned = inputs(row)
        behind_on, at_risk_on = self.of(row)
        return ContractPace(
            contract_id=row[0],
            behind_on=behind_on,
            at_risk_on=at_risk_on,
            site=site_id,
            counting_from=counting_from,
            due_on=due_on,
            total_days=total,
            days_before=before,
            credits_done=done,
            credits_planned=planned,
            behind_points=self.points[0],
            at_risk_points=self.points[1],
            closures_version=closures_version,
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
    id order and batches (two writers of the same rows take them in the same order); how many. Rows of
    contracts no longer active go: only active contracts have a pace."""
    queryset = Contract.objects.all() if contracts is None else contracts
    ContractPace.objects.filter(contract__in=queryset).exclude(
        contract__status=Contract.Status.ACTIVE
    ).delete()
    rows = list(
        stale(queryset).annotate(closures_version=CALENDAR_VERSION).values_list(*VALUES, "closures_version")
    )
    if not rows:
        return 0
    turns = Turns(rows)
    ContractPace.objects.bulk_create(
        [turns.row(row, closures_version=row[-1]) for row in rows],
        batch_size=WRITTEN_IN,
        update_conflicts=True,
        unique_fields=["contract"],
        update_fields=[field.name for field in ContractPace._meta.concrete_fields if not field.primary_key],
    )
    return len(rows)
