"""Who may see and change students, support profiles, enrollments, contracts, waitlists, referrals."""

import rules

from artworx.roles import is_administrator, is_counselor, is_teacher, sees_all
from students.models import Student


@rules.predicate
def teaches_student(user, student) -> bool:
    """The user teaches at the site where the student is enrolled now."""
    if student is None:
        return False
    return Student.objects.for_teacher(user).filter(pk=student.pk).exists()


@rules.predicate
def teaches_contract_student(user, contract) -> bool:
    """The user teaches the contract's student now."""
    return contract is not None and teaches_student(user, contract.student)


@rules.predicate
def contract_is_open(user, contract) -> bool:
    """The contract is not closed: a draft, awaiting signatures or running (a closed one changes only in
    staff hands)."""
    return contract is not None and contract.is_open


@rules.predicate
def supervises_contract(user, contract) -> bool:
    """The user is the contract's supervising teacher (the one who signs its agreement)."""
    return contract is not None and contract.teacher_id == user.pk


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
# The read audit (who opened a student's sensitive record) is for administrators only.
rules.add_perm("students.view_recordread", is_administrator)
# Contracts and credits are for teachers and staff, never teaching artists (DESIGN.md rule 13).
rules.add_perm("students.view_contract", sees_all | is_teacher)
rules.add_perm("students.add_contract", sees_all | (is_teacher & teaches_student))
# A closed (completed, expired, withdrawn) contract changes only in staff hands.
rules.add_perm(
    "students.change_contract", sees_all | (is_teacher & teaches_contract_student & contract_is_open)
)
# The agreement: staff and the student's teachers send it and resend links; only the supervising
# teacher signs it as teacher (EC 51747(g)(9)); cancelling a contract that has not started is staff's.
rules.add_perm(
    "students.send_agreement", sees_all | (is_teacher & teaches_contract_student & contract_is_open)
)
rules.add_perm("students.sign_agreement", is_teacher & supervises_contract & teaches_contract_student)
rules.add_perm("students.cancel_contract", sees_all)
# Work product: staff and the student's teachers record assignments and hand-ins; only a teacher of the
# student evaluates work for credit (EC 51747.5) and decides a missed-work review.
rules.add_perm("students.record_work", sees_all | (is_teacher & teaches_contract_student))
rules.add_perm("students.evaluate_work", is_teacher & teaches_contract_student)
rules.add_perm("students.decide_review", is_teacher & teaches_contract_student)
rules.add_perm("students.extend_contract", sees_all)
# Waitlists name youth not enrolled yet: staff roles only.
rules.add_perm("students.view_waitlistentry", sees_all)
rules.add_perm("students.change_waitlistentry", sees_all)
# Referral details are sensitive: never teaching artists; teachers once the youth is enrolled at
# their site (the queryset's scope); counselors, program staff and administrators record and move them.
rules.add_perm("students.view_referral", sees_all | is_teacher)
rules.add_perm("students.add_referral", sees_all)
rules.add_perm("students.change_referral", sees_all)
