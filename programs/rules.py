"""Who may see and run programs, pathways, cohorts, sessions and credentials."""

import rules

from artworx.roles import is_teacher, is_teaching_artist, manages_programs, sees_all


@rules.predicate
def leads_cohort(user, cohort) -> bool:
    """The user is one of the cohort's teaching artists."""
    return cohort is not None and cohort.teaching_artists.filter(pk=user.pk).exists()


@rules.predicate
def teaches_session(user, session) -> bool:
    """The user is one of the session's cohort's teaching artists."""
    return session is not None and leads_cohort(user, session.cohort)


rules.add_perm("programs.view_program", sees_all | is_teacher | is_teaching_artist)
rules.add_perm("programs.add_program", manages_programs)
rules.add_perm("programs.change_program", manages_programs)
# Pathway outcomes list students: staff roles, and teachers for their own sites' students (scoped).
rules.add_perm("programs.view_pathway", sees_all | is_teacher)
rules.add_perm("programs.add_pathway", manages_programs)
# Credentials, placements and their hours are recorded and signed off by program staff.
rules.add_perm("programs.add_certification", manages_programs)
rules.add_perm("programs.add_credential", manages_programs)
rules.add_perm("programs.add_placement", manages_programs)
rules.add_perm("programs.add_placementhours", manages_programs)
rules.add_perm("programs.change_pathway", manages_programs)
rules.add_perm("programs.view_cohort", sees_all | is_teacher | is_teaching_artist)
rules.add_perm("programs.add_cohort", manages_programs)
rules.add_perm("programs.change_cohort", manages_programs)
rules.add_perm("programs.add_participation", manages_programs)
rules.add_perm("programs.change_participation", manages_programs)
# Why staff waived a prerequisite is staff's note about a student: not for teaching artists.
rules.add_perm("programs.view_override_reason", sees_all | is_teacher)
rules.add_perm("programs.change_session", manages_programs)
# Who to call about attendance: staff roles and teachers (scoped to their sites' cohorts).
rules.add_perm("programs.view_attendance_alerts", sees_all | is_teacher)
# Teaching artists log their own cohorts' sessions (the 7-day edit window is in the service).
rules.add_perm("programs.log_session", manages_programs | (is_teaching_artist & teaches_session))
# The same, asked once for a whole cohort (its page shows the log buttons only to those who may log).
rules.add_perm("programs.log_cohort_sessions", manages_programs | (is_teaching_artist & leads_cohort))
