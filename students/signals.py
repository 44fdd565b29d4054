"""What students tell the apps above them, which this app does not know."""

from django.dispatch import Signal

# A student graduated: sent inside `enrollment_exit`'s transaction with `student`, `graduated_on`,
# `diploma` and `plans`, so the alumni record (alumni.services.alumnus_create_for_graduate) is opened,
# or refused, together with the exit.
student_graduated = Signal()

# A review of missed work opened: sent inside `review_open_if_due`'s transaction with `review`, so the
# family is told that the teacher is reviewing (families.receivers).
review_opened = Signal()

# A guardian's signing link is ready: sent by `agreement_links_send` with `version`, `guardian` and
# `url`. A receiver that will text the link returns True (families.receivers); the email goes anyway.
signature_link_ready = Signal()
