"""Contract pace (DESIGN.md rule 7): credits done against instructional days elapsed, in words."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sites.calendar import InstructionalCalendar


@dataclass(frozen=True)
class Pace:
    """Where an active contract stands on a given day."""

    status: str  # on_track, behind, at_risk
    days_elapsed: int
    days_total: int
    credits_done: Decimal
    credits_planned: Decimal

    LABELS = {
        "on_track": gettext_lazy("On track"),
        "behind": gettext_lazy("Behind"),
        "at_risk": gettext_lazy("At risk"),
    }

    @property
    def label(self) -> str:
        return str(self.LABELS[self.status])

    @property
    def days_left(self) -> int:
        return max(0, self.days_total - self.days_elapsed)

    @property
    def percent_done(self) -> int:
        return round(100 * self.credits_done / self.credits_planned) if self.credits_planned else 0

    @property
    def percent_elapsed(self) -> int:
        return min(100, round(100 * self.days_elapsed / self.days_total)) if self.days_total else 100

    @property
    def reason(self) -> str:
        """The pace in a sentence a teacher can read to a student."""
        text = _(
            "%(done)s of %(planned)s credits done (%(percent_done)d%%) after %(elapsed)d of %(total)d "
            "instructional days (%(percent_elapsed)d%%); %(left)d days left."
        ) % {
            "done": floatformat(self.credits_done, -1),
            "planned": floatformat(self.credits_planned, -1),
            "percent_done": self.percent_done,
            "elapsed": self.days_elapsed,
            "total": self.days_total,
            "percent_elapsed": self.percent_elapsed,
            "left": self.days_left,
        }
        gap = self.percent_elapsed - self.percent_done
        if self.status != "on_track":
            text += " " + _("Credits trail the calendar by %(gap)d points.") % {"gap": gap}
        return text


def contract_pace(*, contract, calendar: InstructionalCalendar, today: date) -> Pace:
    """The pace of a contract on `today`; needs `credits_done` and `credits_planned` annotations."""
    days_total = contract.total_days
    elapsed = contract.days_elapsed(calendar, today=today)
    done, planned = contract.credits_done, contract.credits_planned
    status = pace_status(elapsed=elapsed, days_total=days_total, done=done, planned=planned)
    return Pace(status, elapsed, days_total, done, planned)


def pace_status(*, elapsed: int, days_total: int, done: Decimal, planned: Decimal) -> str:
    """on_track, behind or at_risk: how far the share of credits done trails the share of days elapsed."""
    gap = pace_gap(elapsed=elapsed, days_total=days_total, done=done, planned=planned)
    return status_at(
        gap, behind=settings.ARTWORX_PACE_BEHIND_POINTS, at_risk=settings.ARTWORX_PACE_AT_RISK_POINTS
    )


def pace_gap(*, elapsed: int, days_total: int, done: Decimal, planned: Decimal) -> float:
    """The points by which the share of credits done trails the share of days elapsed."""
    percent_done = 100 * done / planned if planned else 0
    percent_elapsed = 100 * elapsed / days_total
    return percent_elapsed - float(percent_done)


def status_at(gap: float, *, behind: int, at_risk: int) -> str:
    """The pace of a gap, given the points at which a contract is behind and at risk."""
    if gap <= behind:
        return "on_track"
    if gap <= at_risk:
        return "behind"
    return "at_risk"


@lru_cache(maxsize=8192)
def turning_points(
    *, days_total: int, done: Decimal, planned: Decimal, behind: int, at_risk: int
) -> tuple[int | None, int | None]:
    """The fewest instructional days elapsed at which a contract with these credits is behind, and at
    which it is at risk (None: not within its days), at these thresholds. Pace only worsens as days pass."""
    turns: dict[str, int] = {}
    for elapsed in range(days_total + 1):
        gap = pace_gap(elapsed=elapsed, days_total=days_total, done=done, planned=planned)
        status = status_at(gap, behind=behind, at_risk=at_risk)
        if status != "on_track":
            turns.setdefault("behind", elapsed)
        if status == "at_risk":
            turns["at_risk"] = elapsed
            break
    return turns.get("behind"), turns.get("at_risk")
