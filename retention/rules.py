"""Who may make a family's copy, record corrections, and end a district contract."""

import rules

from artworx.roles import is_administrator, sees_all

# A family's copy holds the whole record (guardians, support flags, messages): the staff roles that
# see every part of it make it, never a teacher or a teaching artist.
rules.add_perm("retention.make_family_copy", sees_all)
rules.add_perm("retention.add_correction", sees_all)
# Ending a district contract anonymises hundreds of students: administrators only, two of them.
rules.add_perm("retention.plan_release", is_administrator)
rules.add_perm("retention.confirm_release", is_administrator)
