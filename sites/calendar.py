"""The instructional calendar: weekdays that are not Closures of the organisation or of a site.

Every "instructional day" count in artworx (contract due dates, days elapsed, pace) goes through
this module. The calendar itself is pure: it is built from closure date ranges and never queries;
`calendars_for_sites` loads the closures of many sites in one query.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

from django.db.models import Q

from sites.models import Closure

ONE_DAY = timedelta(days=1)
SATURDAY = 5
COUNTS_KEPT = 50_000  # per calendar: a few MB at most in a long-running worker


class InstructionalCalendar:
    """Answers instructional-day questions for one site from its closure ranges."""

    def __init__(self, closures: Iterable[tuple[date, date]] = ()):
        closed: set[date] = set()
        for first, last in closures:
            day = first
            while day <= last:
                closed.add(day)
                day += ONE_DAY
        self.closed = frozenset(closed)
        # Closed weekdays in order, so a count over any range is arithmetic plus two bisections.
        self.closed_weekdays = sorted(day for day in closed if day.weekday() < SATURDAY)
        # Counts asked before: the dashboard's pace asks the same (start, today) for thousands of
        # contracts. A pure function of the closures, so it lives as long as the calendar (calendar_of).
        self.counted: dict[tuple[date, date], int] = {}

    def is_instructional(self, day: date) -> bool:
        """A weekday that no closure covers."""
        return day.weekday() < SATURDAY and day not in self.closed

    def nth_day(self, start: date, n: int) -> date:
        """The n-th instructional day counting from `start` (day 1 is `start` itself if it is one).

        Arithmetic rather than a walk day by day: the n-th weekday, then as many weekdays further as
        closures took back, until the count from `start` is n (closures are few: one or two steps). The
        turning days of pace ask this for tens of thousands of contracts.
        """
        if n < 1:
            raise ValueError("n counts from 1")
        # The count reaches n only on a day when every weekday added was instructional, the last included.
        day = nth_weekday(start, n)
        while (short := n - self.count(start, day)) > 0:
            day = nth_weekday(day + ONE_DAY, short)
        return day

    def count(self, first: date, last: date) -> int:
        """Instructional days from `first` to `last`, both included (0 when last < first)."""
        if last < first:
            return 0
        days = self.counted.get((first, last))
        if days is None:
            if len(self.counted) >= COUNTS_KEPT:
                self.counted.clear()
            closed = bisect_right(self.closed_weekdays, last) - bisect_left(self.closed_weekdays, first)
            days = self.counted[first, last] = weekdays_between(first, last) - closed
        return days


def nth_weekday(start: date, n: int) -> date:
    """The n-th Monday-to-Friday counting from `start` (day 1 is `start` itself if it is one)."""
    while start.weekday() >= SATURDAY:
        start += ONE_DAY
    weeks, rest = divmod(n - 1, 5)
    day = start + timedelta(weeks=weeks)
    # `rest` more weekdays: a weekend crossed adds two days.
    return day + timedelta(days=rest + (2 if day.weekday() + rest >= SATURDAY else 0))


def weekdays_between(first: date, last: date) -> int:
    """Mondays to Fridays from `first` to `last`, both included."""
    days = (last - first).days + 1
    weeks, rest = divmod(days, 7)
    start = first.weekday()
    return 5 * weeks + sum(1 for offset in range(rest) if (start + offset) % 7 < SATURDAY)


def calendars_for_sites(site_ids: Iterable[int]) -> dict[int | None, InstructionalCalendar]:
    """One calendar per site (key None: the organisation's own), from a single query."""
    site_ids = set(site_ids)
    ranges: dict[int | None, list[tuple[date, date]]] = {site_id: [] for site_id in site_ids}
    organisation: list[tuple[date, date]] = []
    rows = Closure.objects.filter(Q(site__isnull=True) | Q(site__in=site_ids)).values_list(
        "site_id", "starts_on", "ends_on"
    )
    for site_id, first, last in rows:
        (organisation if site_id is None else ranges[site_id]).append((first, last))
    calendars = {site_id: calendar_of(tuple(sorted(organisation + own))) for site_id, own in ranges.items()}
    calendars[None] = calendar_of(tuple(sorted(organisation)))
    return calendars


@lru_cache(maxsize=4096)
def calendar_of(closures: tuple[tuple[date, date], ...]) -> InstructionalCalendar:
    """The calendar of these closure ranges, built once per process for the same ranges (issue #22).

    Building walks every closed day; a page of 25 contracts at 25 sites built 25 calendars a request.
    The calendar is a pure function of the ranges, read afresh from the database by every caller, so a
    change of closures is a new key: nothing here outlives the data it came from.
    """
    return InstructionalCalendar(closures)
