"""What sites tell the apps above them, which this app does not know.

Both are sent inside the writing transaction, so a receiver's refusal (a `ValidationError`) or its
writes stand or fall with the change.
"""

from django.dispatch import Signal

# A site's capacity or teachers are about to change; its row is locked. Arguments: `site` (with the
# new values, not saved yet) and `teachers`. A receiver refuses a change that would break a rule of its
# own (students: capacity below the students enrolled, a teacher removed with students).
site_changing = Signal()

# Closures changed the instructional calendar of `site_ids` (None in the set: the whole organisation),
# for the human-readable `reason`. Students move the due dates of the contracts it affects (rule 5).
calendar_changed = Signal()
