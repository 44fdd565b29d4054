"""The attendance running totals' definitions (artworx.totals): per participation and per session."""

from artworx.totals import Follow, RunningTotal

# Every mark counts once; excused and unexcused absences (ABSENT_MARKS) count as absences.
MARKS = {"marks": "1", "absences": "CASE WHEN {r}.mark IN ('E', 'U') THEN 1 ELSE 0 END"}

PARTICIPATION_TOTALS = RunningTotal(
    name="programs_participationtotals",
    source="programs_attendance",
    target="programs_participationtotals",
    key="participation_id",
    measures=MARKS,
    watch=("mark",),
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

STANDINGS = (STUDENT_PROGRAMS, PATHWAY_STUDENTS, PATHWAY_STUDENTS_BY_STEP)
