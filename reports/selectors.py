"""The dashboard's figures for a site (or all) and a date range: set-based, a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from alumni.models import Alumnus, Outcome
from alumni.selectors import outcomes_by_year
from artworx.scalars import rows, scalars, total, totals
from programs.models import (
    Cohort,
    CohortAbsenceTotals,
    DayTotals,
    Participation,
    Session,
    SessionTotals,
)
from programs.selectors import (
    NO_FIGURES,
    attendance_figures,
    combine_figures,
    pathway_outcomes,
)
from reports.cache import compute_now
from reports.models import Target, targets, with_defaults
from students.capacity import fullest_sites, site_capacity_rows
from students.models import (
    Contract,
    ContractCourse,
    CreditsEarned,
    Enrollment,
    ReferralDayTotals,
    Review,
    Student,
)
from students.selectors import FUNNEL_STAGES, pace_counts, review_overdue_before, with_pace

STAGE_LABELS = {
    "received": _("Received"),
    "contacted": _("Contacted"),
    "assessed": _("Assessed"),
    "enrolled": _("Enrolled"),
}


@dataclass
class Figure:
    """One card: a value, its target and mark, and the list behind it."""

    label: str
    value: float | int | None
    unit: str = "%"
    target: Target | None = None
    link: str = ""
    detail: str = ""

    @property
    def mark(self) -> str:
        return self.target.mark(self.value) if self.target else "none"


@dataclass
class Dashboard:
    """Everything the dashboard shows for one site (or all) and one period."""

    figures: list[Figure]
    sites: list
    sites_total: int
    charts: dict = field(default_factory=dict)


def _link(name: str, **query) -> str:
    return _link_to(reverse(name), **query)


def _link_to(path: str, **query) -> str:
    """A list's address with the dashboard's filters it understands (dates as YYYY-MM-DD)."""
    query = {key: value for key, value in query.items() if value not in (None, "")}
    return path + (f"?{urlencode(query)}" if query else "")


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def dashboard(*, user, site=None, start: date, end: date, today: date, keep=compute_now) -> Dashboard:
    """The staff dashboard's figures, charts and capacity rows.

    `keep(part, compute)` answers the costly parts that no period changes (the pace of the active
    contracts, the pathways, the alumni outcomes): kept under keys of their own by the page
    (reports.cache), computed on the spot by default.
    """
    site_id = site.pk if site else None
    sessions = Session.objects.filter(date__range=(start, end))
    if site:
        sessions = sessions.filter(cohort__site=site)
    contracts = Contract.objects.visible_to(user)
    if site:
        contracts = contracts.filter(site=site)
    counts = _counts(sessions=sessions, contracts=contracts, site=site, start=start, end=end, today=today)
    goal = with_defaults(Target(**saved) for saved in counts["targets"])  # edited in the admin console
    figures: list[Figure] = []

    # Attendance: marks on sessions held in the period (excused and unexcused count as absent),
    # summed from the weekly chart's rows rather than read again.
    weeks = _marks_by_week(start=start, end=end, site=site)
    marks = {"total": sum(w["total"] for w in weeks), "absent": sum(w["absent"] for w in weeks)}
    attendance = _percent(marks["total"] - marks["absent"], marks["total"])
    figures.append(
        Figure(
            _("Attendance"),
            attendance,
            target=goal[Target.Key.ATTENDANCE],
            # The site page shows the period's attendance; across sites, the cohorts.
            link=(
                _link_to(reverse("sites:detail", args=[site_id]), start=start, end=end)
                if site
                else _link("programs:cohort_list")
            ),
            detail=_("%(n)d marks") % {"n": marks["total"]},
        )
    )

    # Chronic absence: share of current participants over the line (with marks; counted in _counts).
    chronic, participants = counts["participation"]["chronic"], counts["participation"]["participants"]
    figures.append(
        Figure(
            _("Chronically absent"),
            _percent(chronic, participants),
            target=goal[Target.Key.CHRONIC_ABSENCE],
            link=_link("programs:attendance_alerts", site=site_id),
            detail=_("%(n)d of %(total)d participants") % {"n": chronic, "total": participants},
        )
    )

    unlogged = counts["unlogged"]
    figures.append(
        Figure(
            _("Sessions not logged"),
            unlogged,
            unit="",
            link=_link("programs:unlogged_sessions", site=site_id),
            detail=_("held but never logged"),
        )
    )

    # Contracts: pace of the active ones, those due soon, and the period's on-time completion.
    # Counted from plain values: thousands of active contracts at county scale, none built as an object.
    pace, due_soon = keep("pace", lambda: pace_counts(contracts, today=today, due_within=10))
    for status, label in (("on_track", _("On track")), ("behind", _("Behind")), ("at_risk", _("At risk"))):
        figures.append(
            Figure(
                _("Contracts %(pace)s") % {"pace": str(label).lower()},
                pace[status],
                unit="",
                link=_link("students:contract_list", status="active", pace=status, site=site_id),
            )
        )
    figures.append(
        Figure(
            _("Contracts due in 10 days"),
            due_soon,
            unit="",
            link=_link("students:contract_list", due_within=10, site=site_id),
        )
    )
    # The written agreements: contracts waiting for signatures, and missed-work reviews left undecided.
    waiting = counts
    figures.append(
        Figure(
            _("Contracts awaiting signatures"),
            waiting["awaiting"],
            unit="",
            link=_link("students:contract_list", status="awaiting_signatures", site=site_id),
        )
    )
    figures.append(
        Figure(
            _("Missed-work reviews overdue"),
            waiting["overdue"],
            unit="",
            link=_link("students:contract_list", review="overdue", site=site_id),
        )
    )
    closed = counts["closed"]
    finished = closed["expired"] + closed["completed"]
    figures.append(
        Figure(
            _("Contracts completed on time"),
            _percent(closed["on_time"], finished),
            target=goal[Target.Key.CONTRACTS_ON_TIME],
            link=_link(
                "students:contract_list",
                status="completed",
                site=site_id,
                ended_after=start,
                ended_before=end,
            ),
            detail=_("%(n)d expired") % {"n": closed["expired"]},
        )
    )
    credits = counts["credits"]
    figures.append(
        Figure(
            _("Credits earned"),
            float(credits or 0),
            unit="",
            link=_link("students:contract_list", site=site_id, earned_after=start, earned_before=end),
            detail=_("completed contract courses"),
        )
    )

    # Arts programs finished in the period: completed of those who ended.
    ended = {"completed": counts["ended_completed"], "total": counts["ended"]}
    figures.append(
        Figure(
            _("Program completion"),
            _percent(ended["completed"], ended["total"]),
            link=_link("programs:cohort_list", site=site_id),
            detail=_("%(n)d of %(total)d who ended") % {"n": ended["completed"], "total": ended["total"]},
        )
    )

    # Career pathways: the partners' three targets, over every pathway's students.
    pathways = keep("pathways", lambda: pathway_outcomes(site=site))
    for key, count in (
        (Target.Key.PATHWAY_COMPLETION, pathways["completed"]),
        (Target.Key.PATHWAY_GRADUATION, pathways["graduated"]),
        (Target.Key.PATHWAY_CERTIFICATION, pathways["certified"]),
    ):
        figures.append(
            Figure(
                Target.Key(key).label,
                _percent(count, pathways["students"]),
                target=goal[key],
                link=_link("programs:program_list", site=site_id) + "#pathways",
                detail=_("%(n)d of %(total)d pathway students") % {"n": count, "total": pathways["students"]},
            )
        )

    # Re-engagement: how many youths referred in the period reached enrollment. A referral has no site
    # until its youth enrolls, so this figure is every site's (the card says so when a site is chosen).
    # The funnel's stages alone (the funnel page has the sources, months and days between stages).
    stages = [(name, counts["funnel"][name]) for name, _field in FUNNEL_STAGES]
    received, enrolled = counts["funnel"]["received"], counts["funnel"]["enrolled"]
    detail = _("%(n)d of %(total)d referred") % {"n": enrolled, "total": received}
    if site:
        detail = _("%(detail)s, all sites") % {"detail": detail}
    figures.append(
        Figure(
            _("Referrals enrolled"),
            _percent(enrolled, received),
            link=_link("students:referral_funnel", start=start, end=end),
            detail=detail,
        )
    )

    charts = {
        "funnel": {
            "labels": [str(STAGE_LABELS[name]) for name, _n in stages],
            "counts": [count for _name, count in stages],
        },
        "attendance_by_week": {
            "labels": [date_format(row["week"], "SHORT_DATE_FORMAT") for row in weeks],
            "rates": [_percent(row["total"] - row["absent"], row["total"]) for row in weeks],
        },
        "contracts_by_pace": [pace["on_track"], pace["behind"], pace["at_risk"]],
        "alumni_outcomes": keep("alumni", lambda: _alumni_outcomes(user=user, today=today)),
    }
    # Seats: the chosen site, or the fullest of every site (a statewide network has hundreds).
    if site:
        sites, sites_total = list(site_capacity_rows(user=user).filter(pk=site_id)), 1
    else:
        sites, sites_total = fullest_sites(user=user)
    charts["enrollment_by_site"] = {
        "labels": [s.name for s in sites],
        "enrolled": [s.enrolled for s in sites],
        "capacity": [s.capacity for s in sites],
    }
    return Dashboard(figures=figures, sites=sites, sites_total=sites_total, charts=charts)


def _counts(*, sessions, contracts, site, start: date, end: date, today: date) -> dict:
    """Every count and sum of the cards, and the targets they are marked against, as scalar subqueries
    of one query (artworx.scalars)."""
    # Chronic absence (rule 10): the current participants of the cohorts that held a session in the
    # period, summed from the cohorts' running totals (CohortAbsenceTotals, under the thresholds in
    # force); the cohorts found by one index probe each, not every session of the period read and grouped
    # (4,800 cohorts against 79,000 sessions at statewide scale).
    held = Cohort.objects.filter(Exists(sessions.filter(cohort=OuterRef("pk"))))
    cohorts = CohortAbsenceTotals.objects.filter(cohort__in=held)
    overdue_reviews = Review.objects.filter(
        status=Review.Status.OPEN, opened_on__lt=review_overdue_before(today)
    )
    closed = contracts.filter(closed_on__range=(start, end))
    ended = Participation.objects.filter(ended_on__range=(start, end))
    if site:
        ended = ended.filter(cohort__site=site)
    referral_days = ReferralDayTotals.objects.filter(received_on__range=(start, end))
    if contracts.query.where:  # a site or a teacher's students: their completed courses of the period
        earned = ContractCourse.objects.filter(
            status=ContractCourse.Status.COMPLETED, resolved_on__range=(start, end), contract__in=contracts
        )
    else:  # every contract: the period's days of the running total (students.CreditsEarned)
        earned = CreditsEarned.objects.filter(resolved_on__range=(start, end))
    return scalars(
        targets=rows(Target.objects.all(), id="id", key="key", percent="percent", direction="direction"),
        participation=totals(
            cohorts, participants=Coalesce(Sum("participants"), 0), chronic=Coalesce(Sum("chronic"), 0)
        ),
        unlogged=total(sessions.filter(status=Session.Status.SCHEDULED, date__lt=today), Count("pk")),
        awaiting=total(contracts.filter(status=Contract.Status.AWAITING_SIGNATURES), Count("pk")),
        overdue=total(
            contracts.filter(status=Contract.Status.ACTIVE, pk__in=overdue_reviews.values("contract")),
            Count("pk"),
        ),
        # The contracts closed in the period, by how they closed, in one pass.
        closed=totals(
            closed,
            expired=Count("pk", filter=Q(status=Contract.Status.EXPIRED)),
            completed=Count("pk", filter=Q(status=Contract.Status.COMPLETED)),
            on_time=Count("pk", filter=Q(status=Contract.Status.COMPLETED, closed_on__lte=F("due_on"))),
        ),
        credits=total(earned, Sum("credits")),
        ended=total(ended, Count("pk")),
        ended_completed=total(ended.filter(status=Participation.Status.COMPLETED), Count("pk")),
        # The funnel's four stages summed over the period's days (students.ReferralDayTotals).
        funnel=totals(referral_days, **{name: Coalesce(Sum(name), 0) for name, _field in FUNNEL_STAGES}),
    )


def _marks_by_week(*, start: date, end: date, site=None) -> list[dict]:
    """Marks and absences per week (from Monday) of the period, from the running totals.

    Per day (one query), the days then folded into their weeks here. Across every site, the days' own
    totals (`DayTotals`: a row a day); at one site, its sessions' totals summed per day.
    """
    if site:
        totals = SessionTotals.objects.filter(date__range=(start, end), site=site)
        days = totals.values("date").annotate(total=Sum("marks"), absent=Sum("absences"))
    else:
        days = DayTotals.objects.filter(date__range=(start, end)).values(
            "date", total=F("marks"), absent=F("absences")
        )
    weeks: dict[date, dict] = {}
    for day in days.order_by("date"):
        monday = day["date"] - timedelta(days=day["date"].weekday())
        week = weeks.setdefault(monday, {"week": monday, "total": 0, "absent": 0})
        week["total"] += day["total"]
        week["absent"] += day["absent"]
    return list(weeks.values())


def _alumni_outcomes(*, user, today: date) -> dict:
    """Alumni outcomes at 12 months per graduation year, for a stacked bar chart."""
    rows = outcomes_by_year(alumni=Alumnus.objects.visible_to(user), today=today, months=(12,))
    return {
        "labels": [str(row.year) for row in rows],
        "series": [
            {"label": str(label), "data": [row.at[12][value] for row in rows]}
            for value, label in Outcome.choices
        ]
        + [{"label": str(_("Not reached")), "data": [row.at[12][None] for row in rows]}],
    }


@dataclass
class PathwayFigure:
    """One outcome of a pathway's students against its target."""

    key: str
    label: str
    count: int
    total: int
    target: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.count / self.total) if self.total else None

    @property
    def meets_target(self) -> bool | None:
        return None if self.percent is None else self.percent >= self.target


def pathway_figures(*, students: list, steps: int) -> list[PathwayFigure]:
    """Completion, graduation and certification of a pathway's students against the targets (1 query)."""
    goal = targets()  # the dashboard's targets, edited in the admin console
    total = len(students)
    counts = {
        Target.Key.PATHWAY_COMPLETION: sum(1 for s in students if steps and s.steps_done >= steps),
        Target.Key.PATHWAY_GRADUATION: sum(1 for s in students if s.graduated),
        Target.Key.PATHWAY_CERTIFICATION: sum(1 for s in students if s.certified),
    }
    return [
        PathwayFigure(
            key=key, label=str(Target.Key(key).label), count=count, total=total, target=goal[key].percent
        )
        for key, count in counts.items()
    ]


def teacher_caseload(*, teacher, today: date) -> list[Student]:
    """Students a teacher carries now: credits, site, active contract with its pace, arts attendance.

    Each student gets `.attendance`: their attendance figures summed over the arts programs they
    are in now, so the caseload flags chronic absence and absences in a row.
    """
    students = list(
        Student.objects.filter(enrollments__teacher=teacher, enrollments__ended_on__isnull=True)
        .with_credits()
        .prefetch_related(
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.open().select_related("site"),
                to_attr="open_enrollments",
            ),
            Prefetch(
                "contracts", queryset=Contract.objects.active().with_credits(), to_attr="active_contracts"
            ),
        )
    )
    with_pace([c for s in students for c in s.active_contracts], today=today)
    current = list(
        Participation.objects.enrolled()
        .filter(student__in=[s.pk for s in students])
        .values_list("pk", "student_id")
    )
    figures = attendance_figures(pk for pk, _student in current)
    by_student: dict[int, list] = {}
    for pk, student_id in current:
        by_student.setdefault(student_id, []).append(figures.get(pk, NO_FIGURES))
    for student in students:
        student.attendance = combine_figures(by_student.get(student.pk, []))
    return students
