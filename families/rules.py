"""Who may read and write a family's message thread: whoever may change the student's guardians."""

import rules

from artworx.roles import is_teacher, sees_all
from students.rules import teaches_student

# Teaching artists never see family contacts (DESIGN.md rule 13); teachers only their own students'.
# One rule for reading and writing: the student page checks it once (families.sections).
may_message_family = sees_all | (is_teacher & teaches_student)
rules.add_perm("families.view_message", may_message_family)
rules.add_perm("families.add_message", may_message_family)
