"""Reads about cohorts, sessions and attendance shared by pages, exports and tasks."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from artworx.cache import kept_for_generations
from artworx.scalars import scalars, total
from programs.models import (
    ABSENT_MARKS,
    AbsenceThresholds,
    Attendance,
    Cohort,
    Credential,
    Participation,
    PathwayCompletionTotals,
    PathwayStep,
    PathwayStudentTotals,
    Session,
)
from students.models import Enrollment, ExitReason, Student


@dataclass(frozen=True)
class AbsenceRules:
    """Rule 10's thresholds, as program staff set them in the admin console (AbsenceThresholds)."""

    chronic_percent: int = 10
    chronic_min_sessions: int = 10
    in_a_row: int = 3


# The thresholds change rarely (administrators edit them in the admin console): kept in the cache
# under a generation that saving them starts afresh (programs/receivers.py).
ABSENCE_THRESHOLDS = "absence_thresholds"


def absence_rules() -> AbsenceRules:
    """The thresholds in force, read (one query) once per change of them."""
    return kept_for_generations("absence_rules", ABSENCE_THRESHOLDS, compute=_saved_absence_rules)


def _saved_absence_rules() -> AbsenceRules:
    saved = AbsenceThresholds.current()
    return AbsenceRules(
        saved.chronic_absence_percent, saved.chronic_absence_min_sessions, saved.consecutive_absences
    )


@dataclass(frozen=True)
class AttendanceFigures:
    """A participant's attendance: rate, absences, the streak at the end, chronic absence (rule 10)."""

    sessions: int
    absences: int
    absences_in_a_row: int
    rules: AbsenceRules = AbsenceRules()
    streak_since: date | None = None  # the first session of the current run of absences

    @property
    def attended(self) -> int:
        return self.sessions - self.absences

    @property
    def rate(self) -> int | None:
        """Percent of logged sessions attended (present, tardy, left early or off-site)."""
        return round(100 * self.attended / self.sessions) if self.sessions else None

    @property
    def chronically_absent(self) -> bool:
        """Absent from at least 10 % of at least 10 sessions held since joining."""
        return (
            self.sessions >= self.rules.chronic_min_sessions
            and 100 * self.absences >= self.rules.chronic_percent * self.sessions
        )

    @property
    def absent_in_a_row(self) -> bool:
        return self.absences_in_a_row >= self.rules.in_a_row


NO_FIGURES = AttendanceFigures(0, 0, 0)


def combine_figures(figures: list[AttendanceFigures]) -> AttendanceFigures:
    """Figures of several participations as one: totals summed, the longest streak kept (a student across
    their cohorts; a cohort's rate across its roster)."""
    if not figures:
        return NO_FIGURES
    return AttendanceFigures(
        sum(f.sessions for f in figures),
        sum(f.absences for f in figures),
        max(f.absences_in_a_row for f in figures),
        figures[0].rules,
    )


FIGURES_CHUNK = 5000  # participants per query: well under SQLite's limit on parameters


def _figures_sql(count: int) -> str:
    """Per participation: marks, absences, and the run of absences at the end with its first day.

    Walking each participant's marks from the newest, `later_present` counts the marks that were not
    absences; the absences still at zero form the current run. Window functions keep it to one pass
    over the marks in the database instead of sending every mark to Python.
    """
    attendance, session = Attendance._meta.db_table, Session._meta.db_table
    absent = ", ".join(["%s"] * len(ABSENT_MARKS))
    ids = ", ".join(["%s"] * count)
    return f"""
        SELECT participation_id, COUNT(*), SUM(is_absent),
               SUM(CASE WHEN is_absent = 1 AND later_present = 0 THEN 1 ELSE 0 END),
               MIN(CASE WHEN is_absent = 1 AND later_present = 0 THEN day END)
        FROM (
            SELECT a.participation_id, s.date AS day,
                   CASE WHEN a.mark IN ({absent}) THEN 1 ELSE 0 END AS is_absent,
                   SUM(CASE WHEN a.mark IN ({absent}) THEN 0 ELSE 1 END) OVER (
                       PARTITION BY a.participation_id ORDER BY s.date DESC, s.starts_at DESC, s.id DESC
                       ROWS UNBOUNDED PRECEDING
                   ) AS later_present
            FROM {attendance} a JOIN {session} s ON s.id = a.session_id
            WHERE a.participation_id IN ({ids})
        ) marks
        GROUP BY participation_id
    """  # noqa: S608 - table names from the models, values as parameters


def attendance_figures(
    participation_ids: Iterable[int], *, rules: AbsenceRules | None = None
) -> dict[int, AttendanceFigures]:
    """Figures for many participations, counted in the database (one query per 5,000, plus the rules)."""
    participation_ids = list(participation_ids)
    if not participation_ids:
        return {}
    rules = rules or absence_rules()
    figures = {}
    with connection.cursor() as cursor:
        for first in range(0, len(participation_ids), FIGURES_CHUNK):
            chunk = participation_ids[first : first + FIGURES_CHUNK]
            cursor.execute(_figures_sql(len(chunk)), [*ABSENT_MARKS, *ABSENT_MARKS, *chunk])
            for participation_id, sessions, absences, streak, since in cursor.fetchall():
                if isinstance(since, str):  # SQLite hands dates back as text
                    since = date.fromisoformat(since)
                figures[participation_id] = AttendanceFigures(sessions, absences, streak, rules, since)
    return figures


def cohort_rows(*, user) -> QuerySet[Cohort]:
    """Cohorts the user may see, with program, place and the number of students enrolled."""
    enrolled = (
        Participation.objects.enrolled()
        .filter(cohort=OuterRef("pk"))
        .order_by()
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Cohort.objects.visible_to(user)
        .select_related("program", "site", "venue")
        .prefetch_related("teaching_artists")
        .annotate(enrolled=Coalesce(Subquery(enrolled), 0))
    )


def session_rows(*, user) -> QuerySet[Session]:
    """Sessions of the cohorts the user may see (the cohort list's scope), with cohort and place."""
    return Session.objects.visible_to(user).select_related("cohort__program", "cohort__site", "cohort__venue")


def attendance_rows(*, user) -> QuerySet[Attendance]:
    """Attendance marks of the participants the user may see, with session, program and student."""
    return Attendance.objects.visible_to(user).select_related(
        "session__cohort__program", "participation__student"
    )


def cohort_roster(*, cohort: Cohort, user) -> list[Participation]:
    """The cohort's participants the user may see (enrolled first) with `.figures`, in two queries.

    A teacher looking at a partner-venue cohort sees their own students only; the page counts the others.
    """
    participations = list(
        Participation.objects.visible_to(user)
        .filter(cohort=cohort)
        .select_related("student")
        .order_by("status", "student__last_name", "student__first_name")
    )
    figures = attendance_figures(p.pk for p in participations)
    for participation in participations:
        participation.figures = figures.get(participation.pk, NO_FIGURES)
    return participations


def my_sessions(*, user, today: date) -> tuple[list[Session], list[Session]]:
    """A teaching artist's sessions of today, and the past ones still to log (oldest first)."""
    sessions = (
        Session.objects.filter(cohort__teaching_artists=user)
        .filter(Q(date=today) | Q(date__lt=today, status=Session.Status.SCHEDULED))
        .exclude(status=Session.Status.CANCELLED, date__lt=today)
        .select_related("cohort__program", "cohort__site", "cohort__venue")
        .order_by("date", "starts_at")
    )
    today_sessions, to_log = [], []
    for session in sessions:
        (today_sessions if session.date == today else to_log).append(session)
    return today_sessions, to_log


def session_log_rows(*, session: Session) -> list[Participation]:
    """Participants who belong on a session's log, with their current mark (if any) as `.mark`."""
    marks = dict(session.attendance.values_list("participation_id", "mark"))
    rows = list(
        Participation.objects.on_log_of(session).order_by("student__last_name", "student__first_name")
    )
    for row in rows:
        row.mark = marks.get(row.pk, "")
    return rows


def student_participations(*, student) -> list[Participation]:
    """A student's arts programs with their attendance figures."""
    participations = list(
        student.participations.select_related("cohort__program", "cohort__site", "cohort__venue").order_by(
            "-joined_on"
        )
    )
    figures = attendance_figures(p.pk for p in participations)
    for participation in participations:
        participation.figures = figures.get(participation.pk, NO_FIGURES)
    return participations


def attendance_rate(*, marks: QuerySet[Attendance]) -> int | None:
    """Percent of the marks that count as attended, in one query."""
    totals = marks.aggregate(total=Count("pk"), absent=Count("pk", filter=Q(mark__in=ABSENT_MARKS)))
    if not totals["total"]:
        return None
    return round(100 * (totals["total"] - totals["absent"]) / totals["total"])


def cohort_sessions(*, cohort: Cohort) -> QuerySet[Session]:
    """A cohort's sessions with who logged them and how many marks each has."""
    return (
        cohort.sessions.select_related("logged_by")
        .annotate(marks=Count("attendance"))
        .order_by("date", "starts_at")
    )


def attendance_alerts(*, user, site=None) -> list[Participation]:
    """Current participants the user may see who are chronically absent or absent several times in a row."""
    participations = Participation.objects.visible_to(user).enrolled()
    if site is not None:
        participations = participations.filter(cohort__site=site)
    rows = list(participations.select_related("student", "cohort__program", "cohort__site", "cohort__venue"))
    figures = attendance_figures(p.pk for p in rows)
    alerts = []
    for row in rows:
        row.figures = figures.get(row.pk, NO_FIGURES)
        if row.figures.chronically_absent or row.figures.absent_in_a_row:
            alerts.append(row)
    return sorted(alerts, key=lambda p: (-p.figures.absences_in_a_row, -p.figures.absences))


def unlogged_sessions(*, user, today: date, site=None) -> QuerySet[Session]:
    """Sessions the user may see that were held before today and never logged, oldest first."""
    sessions = Session.objects.visible_to(user).unlogged().filter(date__lt=today)
    if site is not None:
        sessions = sessions.filter(cohort__site=site)
    return sessions.select_related("cohort__program", "cohort__site", "cohort__venue").prefetch_related(
        "cohort__teaching_artists"
    )


def artist_cohorts(*, user, today: date) -> list[Cohort]:
    """A teaching artist's current cohorts with `.rate`: their attendance over the term so far, one query."""
    cohorts = list(
        Cohort.objects.filter(teaching_artists=user, term_ends_on__gte=today)
        .select_related("program", "site", "venue")
        .annotate(
            marks=Count("sessions__attendance"),
            absent=Count("sessions__attendance", filter=Q(sessions__attendance__mark__in=ABSENT_MARKS)),
        )
        .order_by("term_starts_on", "pk")
    )
    for cohort in cohorts:
        cohort.rate = round(100 * (cohort.marks - cohort.absent) / cohort.marks) if cohort.marks else None
    return cohorts


def graduated_and_certified(student: OuterRef, pathway=None) -> tuple[Exists, Exists]:
    """Whether a student (of the outer query) graduated, and whether they hold a certification of the
    pathway (the outer query's, unless given): the outcomes the pathway pages and the dashboard count."""
    pathway = OuterRef("pathway") if pathway is None else pathway
    return (
        Exists(Enrollment.objects.filter(student=student, exit_reason=ExitReason.GRADUATED)),
        Exists(Credential.objects.filter(student=student, certification__pathways=pathway)),
    )


def pathway_students(*, pathway, user, site=None):
    """Students the user may see who took part in the pathway's programs (at `site`'s cohorts, if given),
    with their outcomes (1 query). The dashboard's pathway figures count the same way (`pathway_outcomes`)."""
    steps = PathwayStep.objects.filter(pathway=pathway).values("program")
    taken = Participation.objects.filter(cohort__program__in=steps)
    if site is not None:
        taken = taken.filter(cohort__site=site)
    completed = (
        taken.filter(student=OuterRef("pk"), status=Participation.Status.COMPLETED)
        .order_by()
        .values("student")
        .annotate(n=Count("cohort__program", distinct=True))
        .values("n")
    )
    graduated, certified = graduated_and_certified(OuterRef("pk"), pathway)
    return (
        Student.objects.visible_to(user)
        .filter(Exists(taken.filter(student=OuterRef("pk"))))
        .annotate(steps_done=Coalesce(Subquery(completed), 0), graduated=graduated, certified=certified)
        .order_by("last_name", "first_name", "pk")
    )


def pathway_outcomes(*, site=None) -> dict[str, int]:
    """Across every pathway: its students, and how many completed it, graduated and earned a certification.

    A student counts once per pathway they took part in, and completed it when they completed each of
    its programs. One query whatever the number of pathways. Across every site, the pairs of pathway and
    student are read from their running totals (`PathwayStudentTotals`). At one site, each pair is
    counted from the participations in the pathway's programs at the site's cohorts, with how many of
    its steps they completed (against the pathway's running total of steps).
    """
    if site is None:
        # Each figure in one query. The students, and those who completed every step, summed from a few
        # rows per pathway (`PathwayCompletionTotals`: the pairs per number of programs completed). The
        # graduated and the certified each a count of the pairs joined with its question, so the database
        # answers it with a join of both sides rather than a lookup for each pair.
        pairs = PathwayStudentTotals.objects.filter(programs__gt=0)
        by_completed = PathwayCompletionTotals.objects.all()
        graduated, certified = graduated_and_certified(OuterRef("student"))
        return scalars(
            students=total(by_completed, Coalesce(Sum("students"), 0)),
            completed=total(
                by_completed.filter(completed__gt=0, completed__gte=F("pathway__step_totals__steps")),
                Coalesce(Sum("students"), 0),
            ),
            graduated=total(pairs.filter(graduated), Count("pk")),
            certified=total(pairs.filter(certified), Count("pk")),
        )
    here = FilteredRelation("program__cohorts", condition=Q(program__cohorts__site=site))
    graduated, certified = graduated_and_certified(OuterRef("here__participations__student"))
    pairs = (
        PathwayStep.objects.order_by()
        .annotate(here=here)
        .filter(here__participations__student__isnull=False)
        # The pathway's steps from its running total (PathwayTotals): read with the pair, not counted again.
        .values(
            "pathway", student_id=F("here__participations__student"), steps=F("pathway__step_totals__steps")
        )
        .annotate(
            done=Count(
                "program",
                distinct=True,
                filter=Q(here__participations__status=Participation.Status.COMPLETED),
            ),
            is_graduated=graduated,
            is_certified=certified,
        )
    )
    return pairs.aggregate(
        students=Count("pathway"),
        completed=Count("pathway", filter=Q(done__gte=F("steps"))),
        graduated=Count("pathway", filter=Q(is_graduated=True)),
        certified=Count("pathway", filter=Q(is_certified=True)),
    )
