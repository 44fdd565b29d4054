"""The attendance running totals' definitions (artworx.totals): per participation, session, day and cohort,
and the pathway standings."""

from dataclasses import replace

from artworx.totals import Follow, Recount, RunningTotal
from programs.models import AbsenceThresholds

# Every mark counts once; excused and unexcused absences (ABSENT_MARKS) count as absences.
MARKS = {"marks": "1", "absences": "CASE WHEN {r}.mark IN ('E', 'U') THEN 1 ELSE 0 END"}

# Each participation's totals carry its cohort and status, copied when it is first marked and kept by the
# row trigger below, so the cohorts' chronic absence (COHORT_ABSENCE) is a total of these rows alone.
# Every writer of these rows first takes the thresholds' lock, shared (see COHORT_ABSENCE): before the rows,
# so that a recount waiting for it never waits on a writer that waits for rows another writer holds.
THRESHOLDS_LOCK = "'programs_absencethresholds'::regclass::oid::bigint"
THRESHOLDS_SHARED = f"PERFORM pg_advisory_xact_lock_shared({THRESHOLDS_LOCK})"
PARTICIPATION_TOTALS = RunningTotal(
    name="programs_participationtotals",
    source="programs_attendance",
    target="programs_participationtotals",
    key="participation_id",
    measures=MARKS,
    watch=("mark",),
    extras={"cohort_id": "p.cohort_id", "status": "p.status"},
    joins="JOIN programs_participation p ON p.id = d.participation_id",
    guard=THRESHOLDS_SHARED,
    follows=(
        # A participation ended, moved to another cohort or corrected. An upsert, not an update: a first
        # mark written at the same moment inserts the row with what it read, and one of the two waits for
        # the other on the key, so the row always ends with the participation as committed.
        Follow(
            name="programs_participationtotals_participation_changed",
            table="programs_participation",
            columns=("cohort_id", "status"),
            statement=(
                "INSERT INTO programs_participationtotals "
                "(participation_id, cohort_id, status, marks, absences) "
                "VALUES (NEW.id, NEW.cohort_id, NEW.status, 0, 0) "
                "ON CONFLICT (participation_id) DO UPDATE SET "
                "cohort_id = excluded.cohort_id, status = excluded.status"
            ),
            guard=THRESHOLDS_SHARED,
        ),
    ),
)

SESSION_TOTALS = RunningTotal(
    name="programs_sessiontotals",
    source="programs_attendance",
    target="programs_sessiontotals",
    key="session_id",
    measures=MARKS,
    watch=("mark",),
    extras={"date": "s.date", "site_id": "c.site_id"},
    joins="JOIN programs_session s ON s.id = d.session_id JOIN programs_cohort c ON c.id = s.cohort_id",
    follows=(
        # A session moved (only unlogged ones move, but the admin or a script may) or re-assigned.
        Follow(
            name="programs_sessiontotals_session_moved",
            table="programs_session",
            columns=("date", "cohort_id"),
            statement=(
                "UPDATE programs_sessiontotals SET date = NEW.date, "
                "site_id = (SELECT site_id FROM programs_cohort WHERE id = NEW.cohort_id) "
                "WHERE session_id = NEW.id"
            ),
        ),
        # A cohort moved to another site (or to a partner venue): its sessions count there now.
        Follow(
            name="programs_sessiontotals_cohort_moved",
            table="programs_cohort",
            columns=("site_id",),
            statement=(
                "UPDATE programs_sessiontotals SET site_id = NEW.site_id "
                "WHERE session_id IN (SELECT id FROM programs_session WHERE cohort_id = NEW.id)"
            ),
        ),
    ),
)

TOTALS = (PARTICIPATION_TOTALS, SESSION_TOTALS)

# As migration programs/0010 first installed it, before the cohort and status were copied (0015).
FIRST_PARTICIPATION_TOTALS = replace(PARTICIPATION_TOTALS, extras={}, joins="", follows=(), guard="")

# A total of totals: the sessions' marks per day across every site. A session moved to another day moves
# its totals row's date (the Follow above), and with it its marks from one day to the other.
DAY_TOTALS = RunningTotal(
    name="programs_daytotals",
    source="programs_sessiontotals",
    target="programs_daytotals",
    key="date",
    measures={"marks": "{r}.marks", "absences": "{r}.absences"},
    watch=("marks", "absences"),
)

# A pathway's steps ((pathway, program) is unique, so a row is a program of the pathway).
PATHWAY_STEPS = RunningTotal(
    name="programs_pathwaytotals",
    source="programs_pathwaystep",
    target="programs_pathwaytotals",
    key="pathway_id",
    measures={"steps": "1"},
    watch=(),
)

# Who took and completed which program, and so which pathway: a total of totals. A student's standing in
# a program (their participations and completions in its cohorts) is summed from the participations;
# a student's standing in a pathway (how many of its programs they took part in and completed) is summed
# from the standings, over the pathway's steps. The pathway outcomes then count narrow rows.
COMPLETED = "CASE WHEN {r}.status = 'completed' THEN 1 ELSE 0 END"

STUDENT_PROGRAMS = RunningTotal(
    name="programs_studentprogramtotals",
    source="programs_participation",
    target="programs_studentprogramtotals",
    key=("student_id", "program_id"),
    measures={"participations": "1", "completions": COMPLETED},
    watch=("cohort_id", "status"),
    derived={"program_id": "c.program_id"},
    lookup=("programs_cohort c", "c.id = {r}.cohort_id"),
    follows=(
        # A cohort given another program (the admin console): its participations count there now.
        Follow(
            name="programs_studentprogramtotals_cohort_program",
            table="programs_cohort",
            columns=("program_id",),
            statement=(
                "INSERT INTO programs_studentprogramtotals "  # noqa: S608 - names from the code
                "(student_id, program_id, participations, completions) "
                "SELECT p.student_id, m.program_id, SUM(m.sign), "
                f"SUM(m.sign * {COMPLETED.format(r='p')}) "
                "FROM programs_participation p CROSS JOIN "
                "(SELECT OLD.program_id AS program_id, -1 AS sign UNION ALL SELECT NEW.program_id, 1) m "
                "WHERE p.cohort_id = NEW.id GROUP BY p.student_id, m.program_id "
                "ORDER BY p.student_id, m.program_id "
                "ON CONFLICT (student_id, program_id) DO UPDATE SET "
                "participations = programs_studentprogramtotals.participations + excluded.participations, "
                "completions = programs_studentprogramtotals.completions + excluded.completions"
            ),
        ),
    ),
)

# A step written waits for the standings being written, and holds new ones back until it commits: each
# side then reads what the other committed (PostgreSQL's READ COMMITTED takes a new snapshot for each
# statement), so a student's first participation in a program cannot miss a step added at that moment.
STEPS_LOCK = "'programs_pathwaystep'::regclass::oid::bigint"
TOOK = "CASE WHEN {t}.participations > 0 THEN 1 ELSE 0 END"
DONE = "CASE WHEN {t}.completions > 0 THEN 1 ELSE 0 END"

PATHWAY_STUDENTS = RunningTotal(
    name="programs_pathwaystudenttotals",
    source="programs_studentprogramtotals",
    target="programs_pathwaystudenttotals",
    key=("pathway_id", "student_id"),
    measures={"programs": TOOK.format(t="{r}"), "completed": DONE.format(t="{r}")},
    watch=("participations", "completions"),
    derived={"pathway_id": "s.pathway_id"},
    lookup=("programs_pathwaystep s", "s.program_id = {r}.program_id"),
    guard=f"PERFORM pg_advisory_xact_lock_shared({STEPS_LOCK})",
)

# The same table from the steps: a program added to (or taken out of) a pathway brings (or takes) its
# students' standings with it.
PATHWAY_STUDENTS_BY_STEP = RunningTotal(
    name="programs_pathwaystudenttotals_step",
    source="programs_pathwaystep",
    target="programs_pathwaystudenttotals",
    key=("pathway_id", "student_id"),
    measures={"programs": TOOK.format(t="t"), "completed": DONE.format(t="t")},
    watch=("program_id",),
    derived={"student_id": "t.student_id"},
    lookup=("programs_studentprogramtotals t", "t.program_id = {r}.program_id"),
    guard=f"PERFORM pg_advisory_xact_lock({STEPS_LOCK})",
)

# A total of the pairs: per pathway, how many of its students (a pair whose `programs` fell to 0 is no
# longer one) completed how many of its programs. The outcomes read a few rows per pathway.
PATHWAY_COMPLETION = RunningTotal(
    name="programs_pathwaycompletiontotals",
    source="programs_pathwaystudenttotals",
    target="programs_pathwaycompletiontotals",
    key=("pathway_id", "completed"),
    measures={"students": "CASE WHEN {r}.programs > 0 THEN 1 ELSE 0 END"},
    watch=("programs",),
)

STANDINGS = (STUDENT_PROGRAMS, PATHWAY_STUDENTS, PATHWAY_STUDENTS_BY_STEP)

# A total of totals: each cohort's current participants (enrolled, marked at least once) and how many of
# them are chronically absent (rule 10: absent from at least the line's percent of at least the minimum
# of sessions, as programs.selectors.AttendanceFigures.chronically_absent says it), with the thresholds
# saved in the admin console. Saving the thresholds counts every cohort again; the lock makes that
# recount and the marks written at the same moment wait for each other.


def _threshold(column: str) -> str:
    """A threshold as saved, or its default while never saved."""
    default = AbsenceThresholds._meta.get_field(column).default
    saved = f"SELECT {column} FROM programs_absencethresholds WHERE id = 1"  # noqa: S608 - names from the code
    return f"COALESCE(({saved}), {default})"


CURRENT = "{r}.status = 'enrolled' AND {r}.marks"
COHORT_ABSENCE = RunningTotal(
    name="programs_cohortabsencetotals",
    source="programs_participationtotals",
    target="programs_cohortabsencetotals",
    key="cohort_id",
    measures={
        "participants": f"CASE WHEN {CURRENT} > 0 THEN 1 ELSE 0 END",
        "chronic": (
            f"CASE WHEN {CURRENT} >= {_threshold('chronic_absence_min_sessions')} AND {{r}}.absences * 100 "
            f">= {_threshold('chronic_absence_percent')} * {{r}}.marks THEN 1 ELSE 0 END"
        ),
    },
    watch=("marks", "absences", "status"),
    guard=THRESHOLDS_SHARED,
    recounted=Recount(
        name="programs_cohortabsencetotals_thresholds",
        table="programs_absencethresholds",
        guard=f"PERFORM pg_advisory_xact_lock({THRESHOLDS_LOCK})",
    ),
)
