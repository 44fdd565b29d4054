"""Reads about alumni: scoped lists and outcomes by graduation year."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from alumni.models import HORIZONS, MONTH, Alumnus, Outcome, OutcomeTotals
from artworx.roles import COUNSELOR, PROGRAM_STAFF

NOT_REACHED = _("Not reached")


def alumni_rows(*, user) -> QuerySet[Alumnus]:
    """Alumni the user may see, with student and staff contact, in one query."""
    return Alumnus.objects.visible_to(user).select_related("student", "staff_contact")


@dataclass
class OutcomeRow:
    """One graduation year: how many alumni, and where they were at 6 and 12 months."""

    year: int
    alumni: int = 0
    at: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    # Alumni who graduated long enough ago for the horizon to have passed.
    eligible: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def share(self, months: int, outcome: str) -> int | None:
        total = self.eligible[months]
        return round(100 * self.at[months][outcome] / total) if total else None

    def lines(self) -> list[tuple[str, int, int, int, int]]:
        """(label, count and percent at 6 months, count and percent at 12) per outcome, then not reached."""
        keys = [*Outcome.choices, (None, NOT_REACHED)]
        return [
            (str(label), self.at[6][key], self.share(6, key), self.at[12][key], self.share(12, key))
            for key, label in keys
        ]


def outcomes_by_year(*, alumni: QuerySet[Alumnus], today: date, months=HORIZONS) -> list[OutcomeRow]:
    """Outcome shares at 6 and 12 months after graduation per graduation year, in one query.

    Only alumni whose horizon has passed count toward it: a class that graduated in June has no
    12-month figure until next June. Each alumnus's outcome at a horizon is kept by the check-in service.
    Across every alumnus, the running totals per graduation day and outcomes (`OutcomeTotals`) are summed
    instead of each alumnus counted.
    """
    counted, n = alumni, Count("pk")
    if not alumni.query.where:
        counted, n = OutcomeTotals.objects.filter(alumni__gt=0), Sum("alumni")  # a row left at 0 stays
    horizons = {}
    for horizon in months:
        passed = Q(graduated_on__lte=today - horizon * MONTH)
        horizons[f"eligible_{horizon}"] = Case(When(passed, then=Value(True)), default=Value(False))
        horizons[f"outcome_{horizon}"] = F(f"outcome_at_{horizon}_months")
    rows: dict[int, OutcomeRow] = {}
    grouped = (
        counted.order_by()
        .annotate(year=ExtractYear("graduated_on"), **horizons)
        .values("year", *horizons)
        .annotate(n=n)
    )
    for item in grouped:
        row = rows.setdefault(item["year"], OutcomeRow(year=item["year"]))
        row.alumni += item["n"]
        for horizon in months:
            if item[f"eligible_{horizon}"]:
                row.at[horizon][item[f"outcome_{horizon}"] or None] += item["n"]
                row.eligible[horizon] += item["n"]
    return [rows[year] for year in sorted(rows, reverse=True)]


def staff_contacts() -> QuerySet:
    """The people who may be an alumnus's staff contact: active program staff and counselors."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[PROGRAM_STAFF, COUNSELOR])
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
