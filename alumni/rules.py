"""Who may see alumni, their contact details and record check-ins."""

import rules

from artworx.roles import is_teacher, sees_all


@rules.predicate
def is_staff_contact(user, alumnus) -> bool:
    """The user is the alumnus's assigned staff contact."""
    return alumnus is not None and alumnus.staff_contact_id == user.pk


rules.add_perm("alumni.view_alumnus", sees_all | is_teacher)
# Alumni contact details: staff roles and the assigned contact, never teachers or teaching artists.
rules.add_perm("alumni.view_alumnus_contact", sees_all | is_staff_contact)
rules.add_perm("alumni.change_alumnus", sees_all)
rules.add_perm("alumni.add_checkin", sees_all | is_staff_contact)
