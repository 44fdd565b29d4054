"""Roles (Django groups) and every permission rule of artworx, in one place.

Role-level questions ("may a teacher add students?") are answered by the predicates below through
``user.has_perm``; which rows a user may see is answered by each model's ``visible_to(user)``.
An object outside a user's scope is a 404; an action the role may not take is a 403.
"""

import rules
from django.apps import apps
from django.utils.translation import gettext_lazy as _

ADMINISTRATOR = "Administrator"
PROGRAM_STAFF = "Program staff"
COUNSELOR = "Counselor"
TEACHER = "Teacher"
TEACHING_ARTIST = "Teaching artist"
ALL_ROLES = (ADMINISTRATOR, PROGRAM_STAFF, COUNSELOR, TEACHER, TEACHING_ARTIST)
# Group names stay as they are in the database; people read their role in their own language.
ROLE_LABELS = {
    ADMINISTRATOR: _("Administrator"),
    PROGRAM_STAFF: _("Program staff"),
    COUNSELOR: _("Counselor"),
    TEACHER: _("Teacher"),
    TEACHING_ARTIST: _("Teaching artist"),
}

# Apps whose model permissions administrators get in the admin console.
ADMIN_CONSOLE_APPS = (
    "artworx",
    "auth",
    "sites",
    "students",
    "programs",
    "alumni",
    "dashboard",
    "notifications",
    "axes",  # failed logins and lockouts, to look into and reset
)

is_administrator = rules.is_superuser | rules.is_group_member(ADMINISTRATOR)
is_program_staff = rules.is_group_member(PROGRAM_STAFF)
is_counselor = rules.is_group_member(COUNSELOR)
is_teacher = rules.is_group_member(TEACHER)
is_teaching_artist = rules.is_group_member(TEACHING_ARTIST)

# DESIGN.md rule 13: program staff, counselors and administrators see every student and site.
sees_all = is_administrator | is_program_staff | is_counselor
manages_sites = is_administrator | is_program_staff
# Program staff run the arts programs: cohorts, participants, sessions, late attendance fixes.
manages_programs = is_administrator | is_program_staff


@rules.predicate
def teaches_student(user, student) -> bool:
    """The user teaches at the site where the student is enrolled now."""
    if student is None:
        return False
    from students.models import Student

    return Student.objects.for_teacher(user).filter(pk=student.pk).exists()


@rules.predicate
def teaches_contract_student(user, contract) -> bool:
    """The user teaches the contract's student now."""
    return contract is not None and teaches_student(user, contract.student)


@rules.predicate
def contract_is_active(user, contract) -> bool:
    return contract is not None and contract.is_active


@rules.predicate
def teaches_session(user, session) -> bool:
    """The user is one of the session's cohort's teaching artists."""
    return session is not None and session.cohort.teaching_artists.filter(pk=user.pk).exists()


@rules.predicate
def is_staff_contact(user, alumnus) -> bool:
    """The user is the alumnus's assigned staff contact."""
    return alumnus is not None and alumnus.staff_contact_id == user.pk


def role_names(user) -> list[str]:
    """The user's roles in the order of ALL_ROLES."""
    if not user.is_authenticated:
        return []
    names = {name for name in ALL_ROLES if rules.is_group_member(name).test(user)}
    if user.is_superuser:
        names.add(ADMINISTRATOR)
    return [name for name in ALL_ROLES if name in names]


rules.add_perm("sites.view_site", sees_all | is_teacher)
rules.add_perm("sites.add_site", manages_sites)
rules.add_perm("sites.change_site", manages_sites)

rules.add_perm("students.view_student", sees_all | is_teacher)
rules.add_perm("students.add_student", sees_all)
rules.add_perm("students.change_student", sees_all | (is_teacher & teaches_student))
rules.add_perm("students.add_guardian", sees_all | (is_teacher & teaches_student))
rules.add_perm("students.change_guardian", sees_all | (is_teacher & teaches_student))
# Support flags are need-to-know: never teaching artists; teachers only for their own students.
rules.add_perm("students.view_supportprofile", sees_all | (is_teacher & teaches_student))
rules.add_perm("students.change_supportprofile", is_administrator | is_counselor)
# Private notes are the counselor's case notes: only those who keep them read them.
rules.add_perm("students.view_support_notes", is_administrator | is_counselor)
rules.add_perm("students.add_enrollment", sees_all)
rules.add_perm("students.change_enrollment", sees_all)
rules.add_perm("students.import_roster", sees_all)
# Contracts and credits are for teachers and staff, never teaching artists (DESIGN.md rule 13).
rules.add_perm("students.view_contract", sees_all | is_teacher)
rules.add_perm("students.add_contract", sees_all | (is_teacher & teaches_student))
# A closed (completed, expired, withdrawn) contract changes only in staff hands.
rules.add_perm(
    "students.change_contract", sees_all | (is_teacher & teaches_contract_student & contract_is_active)
)
rules.add_perm("students.extend_contract", sees_all)

# Waitlists name youth not enrolled yet: staff roles only.
rules.add_perm("students.view_waitlistentry", sees_all)
rules.add_perm("students.change_waitlistentry", sees_all)
# Referral details are sensitive: never teaching artists; teachers once the youth is enrolled at
# their site (the queryset's scope); counselors, program staff and administrators record and move them.
rules.add_perm("students.view_referral", sees_all | is_teacher)
rules.add_perm("students.add_referral", sees_all)
rules.add_perm("students.change_referral", sees_all)

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
rules.add_perm("programs.change_session", manages_programs)
# Who to call about attendance: staff roles and teachers (scoped to their sites' cohorts).
rules.add_perm("programs.view_attendance_alerts", sees_all | is_teacher)
rules.add_perm("dashboard.view_dashboard", sees_all)
# Teaching artists log their own cohorts' sessions (the 7-day edit window is in the service).
rules.add_perm("programs.log_session", manages_programs | (is_teaching_artist & teaches_session))

rules.add_perm("alumni.view_alumnus", sees_all | is_teacher)
# Alumni contact details: staff roles and the assigned contact, never teachers or teaching artists.
rules.add_perm("alumni.view_alumnus_contact", sees_all | is_staff_contact)
rules.add_perm("alumni.change_alumnus", sees_all)
rules.add_perm("alumni.add_checkin", sees_all | is_staff_contact)


def sync_role_permissions(sender, **kwargs) -> None:
    """Make sure every role group exists and administrators hold the app's model permissions."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ALL_ROLES}
    if sender.label in ADMIN_CONSOLE_APPS:
        groups[ADMINISTRATOR].permissions.add(
            *Permission.objects.filter(content_type__app_label=sender.label)
        )
