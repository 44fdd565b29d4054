"""Reads about students shared by pages, exports and tasks, scoped by user."""

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth
from django.utils.translation import gettext_lazy as _

from artworx.history import Change, change_history
from artworx.scalars import scalars, total, totals
from sites.calendar import calendars_for_sites
from sites.models import Site
from students.models import (
    ACTIVE_FIRST,
    AgreementVersion,
    Assignment,
    Channel,
    Contract,
    Enrollment,
    Guardian,
    GuardianConsent,
    Referral,
    Review,
    SignerRole,
    Student,
    SupportProfile,
)
from students.pace import contract_pace
from students.pace_turns import fresh_rows, pace_today, stale_paces

# Open seats and who teaches where: the one home of each (DESIGN.md rules 1–2) --------------------


def seats_left(*, capacity: int, enrolled: int) -> int:
    """Open seats at a site: its capacity less its open enrollments, never below 0 (rule 1)."""
    return max(0, capacity - enrolled)


def open_enrollments_per(**outer) -> Coalesce:
    """Open enrollments per outer row (e.g. `site="pk"`, `teacher="pk"`), as one correlated subquery."""
    counts = (
        Enrollment.objects.open()
        .filter(**{field: OuterRef(ref) for field, ref in outer.items()})
        .order_by()
        .values(*outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def sites_with_seats(sites: QuerySet[Site]) -> QuerySet[Site]:
    """Annotate `enrolled` (open enrollments, from the site's running total) and `seats_left` (as
    `seats_left()` counts) on each site."""
    return sites.annotate(enrolled=Coalesce(F("enrollment_totals__enrolled"), 0)).annotate(
        seats_left=Greatest(F("capacity") - F("enrolled"), 0)
    )


def site_seats_left(site: Site) -> int:
    """Open seats at one site now."""
    return sites_with_seats(Site.objects.filter(pk=site.pk)).values_list("seats_left", flat=True).get()


def teaching_pairs(*, site_ids, teacher_ids) -> set[tuple[int, int]]:
    """(site id, teacher id) of every listed teacher who teaches at a listed site, in one query."""
    return set(
        Site.teachers.through.objects.filter(site_id__in=site_ids, user_id__in=teacher_ids).values_list(
            "site_id", "user_id"
        )
    )


def teaches_at(*, teacher, site: Site) -> bool:
    """The teacher is one of the site's teachers: the check every enrollment path and form makes."""
    return (site.pk, teacher.pk) in teaching_pairs(site_ids=[site.pk], teacher_ids=[teacher.pk])


def teachers_of(sites: QuerySet[Site]) -> QuerySet:
    """Users who teach at any of the sites (choices for a teacher field), each once."""
    pairs = Site.teachers.through.objects.filter(site__in=sites, user_id=OuterRef("pk"))
    return get_user_model().objects.filter(Exists(pairs))


def student_rows(*, user) -> QuerySet[Student]:
    """Students the user may see, with status, credits and current enrollment, in two queries."""
    return _students_with_figures(user).prefetch_related(
        Prefetch(
            "enrollments",
            queryset=Enrollment.objects.open().select_related("site", "teacher"),
            to_attr="open_enrollments",
        )
    )


def _students_with_figures(user) -> QuerySet[Student]:
    """Students the user may see, with their status and credits."""
    return Student.objects.visible_to(user).with_status().with_credits()


def enrollment_rows(*, user) -> QuerySet[Enrollment]:
    """Enrollments the user may see (`Enrollment.visible_to`), with student, site and teacher."""
    return Enrollment.objects.visible_to(user).select_related("student", "site", "teacher")


def guardians_with_consents(*, student: Student) -> QuerySet[Guardian]:
    """A student's guardians, each with their consent history and who recorded it, in two queries."""
    return student.guardians.prefetch_related(
        Prefetch("consents", queryset=GuardianConsent.objects.select_related("recorded_by"))
    )


def student_record_rows(*, user) -> QuerySet[Student]:
    """Students the user may see, for a student's page, in two queries: with status, credits and
    support profile, and every enrollment with its site and teacher, newest first, as
    `enrollment_history` (the open one among them)."""
    return (
        _students_with_figures(user)
        .select_related("support_profile")
        .prefetch_related(
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.select_related("site", "teacher").order_by("-started_on", "-pk"),
                to_attr="enrollment_history",
            )
        )
    )


def student_change_history(
    *, student: Student, include_support: bool, include_notes: bool, limit: int = 30
) -> list[Change]:
    """Who changed what and when on a student's profile, guardians, enrollments (and support profile)."""
    sources = [
        (Student.history.filter(id=student.pk), _("Profile")),
        (Guardian.history.filter(student_id=student.pk), _("Guardian")),
        (Enrollment.history.filter(student_id=student.pk), _("Enrollment")),
    ]
    if include_support:
        sources.append((SupportProfile.history.filter(student_id=student.pk), _("Support profile")))
    return change_history(sources, excluded=[] if include_notes else ["private_notes"], limit=limit)


def contract_rows(*, user) -> QuerySet[Contract]:
    """Contracts the user may see with student, site, teacher and credit totals, in one query.

    Active contracts come first, soonest due first (`ACTIVE_FIRST`, read from its index).
    """
    return (
        Contract.objects.visible_to(user)
        .with_credits()
        .select_related("student", "site", "teacher")
        .order_by(*ACTIVE_FIRST)
    )


def contract_agreement(*, contract: Contract) -> dict:
    """The contract's agreement for its page, in three queries: every version with its signatures, the
    version that governs or waits, who signed it and who still has to (by role, with the names of the
    guardians who may sign)."""
    versions = list(
        AgreementVersion.objects.filter(contract=contract)
        .prefetch_related(Prefetch("signatures", to_attr="signed"))
        .order_by("-number")
    )
    waiting = (AgreementVersion.Status.DRAFT, AgreementVersion.Status.SENT)
    current = next((v for v in versions if v.status in waiting), None) or next(
        (v for v in versions if v.status == AgreementVersion.Status.SIGNED), None
    )
    missing = []
    if current is not None and current.status in waiting:
        signed = {signature.role for signature in current.signed}
        guardians = [g.name for g in contract.student.guardians.all()] if current.requires_guardian else []
        names = {
            SignerRole.STUDENT: [contract.student.display_name],
            SignerRole.GUARDIAN: guardians,
            SignerRole.TEACHER: [str(contract.teacher)],
        }
        missing = [
            {"role": role, "label": SignerRole(role).label, "names": names[role]}
            for role in current.required_roles
            if role not in signed
        ]
    signed_version = next((v for v in versions if v.status == AgreementVersion.Status.SIGNED), None)
    return {"versions": versions, "current": current, "missing": missing, "signed": signed_version}


def contract_credit_register(*, contract: Contract) -> dict:
    """The contract's attendance-credit register (5 CCR 11703), kept apart from arts session attendance:
    every assignment with its course, and the time credited, which counts evaluated work only (2 queries)."""
    assignments = list(
        Assignment.objects.filter(contract=contract)
        .select_related("course", "evaluated_by")
        .order_by("due_on", "pk")
    )
    credited = [a for a in assignments if a.is_evaluated]
    total = sum((a.credited_days for a in credited), start=Decimal(0))
    reviews = list(Review.objects.filter(contract=contract).select_related("decided_by"))
    return {"assignments": assignments, "credited": credited, "total_days": total, "reviews": reviews}


def review_overdue_before(today: date) -> date:
    """An open review opened before this day is overdue (ARTWORX_REVIEW_DAYS to decide it)."""
    return today - timedelta(days=settings.ARTWORX_REVIEW_DAYS)


def with_pace(contracts: Iterable[Contract], *, today: date) -> list[Contract]:
    """Attach `.pace` to each active contract (None for closed ones) and `.days_used` to each closed
    one (the instructional days it ran, not its length), loading closures in one query."""
    contracts = list(contracts)
    calendars = calendars_for_sites({c.site_id for c in contracts})
    for contract in contracts:
        calendar = calendars[contract.site_id]
        contract.pace = (
            contract_pace(contract=contract, calendar=calendar, today=today) if contract.is_active else None
        )
        contract.days_used = None
        if not contract.is_active and contract.closed_on is not None:
            contract.days_used = contract.days_elapsed(calendar, today=contract.closed_on)
    return contracts


def pace_counts(contracts: QuerySet[Contract], *, today: date, due_within: int = 10) -> tuple[Counter, int]:
    """How many of the active `contracts` are at each pace, and how many fall due within `due_within`
    days (the dashboard): counted by the database from each contract's turning days (`pace_turns`);
    those whose row is stale are worked out in Python. One query while every row is up to date."""
    last_due = today + timedelta(days=due_within)
    if not contracts.query.where:  # every contract: the rows alone, then the active contracts counted
        return _every_pace(contracts, today=today, last_due=last_due)
    rows = (
        contracts.active()
        .order_by()
        .annotate(pace_now=pace_today(today=today))
        .values("pace_now")
        .annotate(n=Count("pk"), due_soon=Count("pk", filter=Q(due_on__lte=last_due)))
    )
    counts, due_soon = Counter(), 0
    for row in rows:
        counts[row["pace_now"]] += row["n"]
        due_soon += row["due_soon"]
    if counts.pop(None, 0):
        counts.update(stale_paces(contracts, today=today).values())
    return counts, due_soon


def _every_pace(contracts: QuerySet[Contract], *, today: date, last_due: date) -> tuple[Counter, int]:
    """`pace_counts` across every contract: the up-to-date rows counted by pace without reading the
    contracts (only an active contract's row can be up to date), and the active contracts counted beside
    them; when more are active than up to date, the others are worked out in Python."""
    at_risk, behind = Q(at_risk_on__lte=today), Q(behind_on__lte=today)
    found = scalars(
        rows=totals(
            fresh_rows(),
            fresh=Count("pk"),
            at_risk=Count("pk", filter=at_risk),
            behind=Count("pk", filter=behind & ~at_risk),
        ),
        active=total(contracts.active(), Count("pk")),
        due_soon=total(contracts.active().filter(due_on__lte=last_due), Count("pk")),
    )
    rows = found["rows"]
    on_track = rows["fresh"] - rows["at_risk"] - rows["behind"]
    counts = Counter(at_risk=rows["at_risk"], behind=rows["behind"], on_track=on_track)
    if found["active"] > rows["fresh"]:
        counts.update(stale_paces(contracts, today=today).values())
    return counts, found["due_soon"]


def contracts_at_pace(contracts: QuerySet[Contract], *, pace: str, today: date) -> QuerySet[Contract]:
    """The active contracts among `contracts` whose pace today is `pace`: a condition on each contract's
    turning days (`pace_turns`), so the list and its download filter and paginate in the database like
    every other filter; those whose row is stale are worked out in Python and picked by id."""
    also = [pk for pk, status in stale_paces(contracts, today=today).items() if status == pace]
    return (
        contracts.active().alias(pace_now=pace_today(today=today)).filter(Q(pace_now=pace) | Q(pk__any=also))
    )


def referral_rows(*, user) -> QuerySet[Referral]:
    """Referrals the user may see, with source and counselor, in one query."""
    return Referral.objects.visible_to(user).select_related("source", "counselor")


FUNNEL_STAGES = (
    ("received", "received_on"),
    ("contacted", "contacted_on"),
    ("assessed", "assessed_on"),
    ("enrolled", "enrolled_on"),
)


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def referral_funnel(*, start: date | None = None, end: date | None = None) -> dict:
    """Referral funnel: stage counts and conversion by source and month, median days per stage (2 queries).

    With a period, the referrals received in it. A referral belongs to no site until its youth enrolls,
    so the funnel counts every site's.
    """
    referrals = Referral.objects.order_by()
    if start is not None and end is not None:
        referrals = referrals.filter(received_on__range=(start, end))
    reached = {name: Count("pk", filter=Q(**{f"{field}__isnull": False})) for name, field in FUNNEL_STAGES}
    grouped = (
        referrals.annotate(month=TruncMonth("received_on"))
        .values("source__name", "month")
        .annotate(
            **reached,
            declined=Count("pk", filter=Q(status=Referral.Status.DECLINED)),
            unreachable=Count("pk", filter=Q(status=Referral.Status.UNREACHABLE)),
        )
        .order_by("-month", "source__name")
    )
    rows, totals = [], dict.fromkeys([*dict(FUNNEL_STAGES), "declined", "unreachable"], 0)
    for row in grouped:
        for name in totals:
            totals[name] += row[name]
        rows.append(
            {
                **row,
                "stages": [(row[name], _percent(row[name], row["received"])) for name, _f in FUNNEL_STAGES],
            }
        )
    medians = funnel_medians(referrals)
    stages = [(name, totals[name], _percent(totals[name], totals["received"])) for name, _f in FUNNEL_STAGES]
    return {"rows": rows, "totals": totals, "stages": stages, "medians": medians}


class MedianDays(Aggregate):
    """PostgreSQL's median of a whole number of days."""

    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def funnel_medians(referrals: QuerySet[Referral]) -> list[tuple[str, float | int | None, int]]:
    """Median days between consecutive funnel steps and how many referrals took each step, in one query:
    computed by PostgreSQL, which returns three numbers however many referrals (issue #22); SQLite, the
    embedded default, has no percentile function, so there the dates are read and the medians taken here.
    """
    steps = [(name, field, FUNNEL_STAGES[i - 1][1]) for i, (name, field) in enumerate(FUNNEL_STAGES) if i > 0]
    if connection.vendor != "postgresql":
        gaps: dict[str, list[int]] = {name: [] for name, _f, _p in steps}
        fields = [field for _n, field in FUNNEL_STAGES]
        for dates in referrals.values_list(*fields):
            for i, (name, _f, _p) in enumerate(steps, start=1):
                if dates[i] and dates[i - 1]:
                    gaps[name].append((dates[i] - dates[i - 1]).days)
        return [(name, median(days) if days else None, len(days)) for name, days in gaps.items()]
    figures = {}
    for name, field, previous in steps:
        both = Q(**{f"{field}__isnull": False, f"{previous}__isnull": False})
        # date - date is a whole number of days in PostgreSQL.
        days = Func(
            F(field), F(previous), template="(%(expressions)s)", arg_joiner=" - ", output_field=IntegerField()
        )
        figures[f"{name}_median"] = MedianDays(days, filter=both)
        figures[f"{name}_n"] = Count("pk", filter=both)
    found = referrals.aggregate(**figures)

    def whole(value):  # 2.0 reads "2", as the median of whole numbers does
        return int(value) if value is not None and float(value).is_integer() else value

    return [(name, whole(found[f"{name}_median"]), found[f"{name}_n"]) for name, _f, _p in steps]


def contact_email_now(key: str, kind: str) -> str | None:
    """The email address a student ("student-5") or guardian ("guardian-12") may be reached at now:
    "" if they withdrew consent to reminders or have none, None for a key that names neither. A signing
    link is not a reminder: it goes to the guardian's current address whatever their reminder consent."""
    who, _, pk = key.partition("-")
    if not pk.isdigit():
        return None
    if who == "guardian":
        guardians = Guardian.objects.filter(pk=int(pk))
        if kind != "signature_needed":
            guardians = guardians.reachable_by(Channel.EMAIL)
        return guardians.values_list("email", flat=True).first() or ""
    if who == "student":
        return Student.objects.filter(pk=int(pk)).values_list("email", flat=True).first() or ""
    return None
