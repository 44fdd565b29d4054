"""What students tell the apps above them, which this app does not know."""

from django.dispatch import Signal

# A student graduated: sent inside `enrollment_exit`'s transaction with `student`, `graduated_on`,
# `diploma` and `plans`, so the alumni record (alumni.services.alumnus_create_for_graduate) is opened,
# or refused, together with the exit.
student_graduated = Signal()
