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

# A pathway's steps ((pathway, program) is unique, so a row is a program of the pathway).
PATHWAY_STEPS = RunningTotal(
    name="programs_pathwaytotals",
    source="programs_pathwaystep",
    target="programs_pathwaytotals",
    key="pathway_id",
    measures={"steps": "1"},
    watch=(),
)
