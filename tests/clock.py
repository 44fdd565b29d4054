"""The suite's clock: every test starts at one fixed moment and time passes from there, so what a test
checks never depends on the hour, the day or the time zone the suite runs at.

The moment is `ARTWORX_TEST_NOW` (ISO 8601 with an offset), by default a Wednesday afternoon of the autumn
term in Los Angeles. `make test-moments` runs the tests that read the date again at the moments where
dates go wrong: a minute before midnight in Los Angeles (the next day in UTC), the first school morning
after the autumn clock change (a "day ago" is 25 hours) and the Monday after a holiday closure. Child
processes the tests start (a Celery worker, gunicorn, manage.py) read the same clock through
`tests/clockwork/sitecustomize.py` when started with `child_clock()`.
"""

import os
from datetime import datetime

import time_machine
from django.utils import timezone

DEFAULT_NOW = "2026-11-18T14:00:00-08:00"
# The moments `make test-moments` runs the suite at, by name (ARTWORX_TEST_MOMENT).
MOMENTS = {
    "before-midnight": "2026-11-18T23:59:00-08:00",  # 07:59 UTC on the 19th
    "after-the-clock-change": "2026-11-02T08:30:00-08:00",  # Pacific time fell back at 2:00 on the 1st
    "monday-after-a-holiday": "2026-11-30T08:30:00-08:00",  # the Thanksgiving break closed the 26th-27th
}
NOW = datetime.fromisoformat(
    os.environ.get("ARTWORX_TEST_NOW") or MOMENTS.get(os.environ.get("ARTWORX_TEST_MOMENT", ""), DEFAULT_NOW)
)
if NOW.tzinfo is None:
    raise ValueError(f"ARTWORX_TEST_NOW needs an offset (like -08:00): {NOW.isoformat()}")

CLOCKWORK = os.path.join(os.path.dirname(__file__), "clockwork")


def travel() -> time_machine.travel:
    """Travel to the suite's moment; time passes from there at its usual pace."""
    return time_machine.travel(NOW, tick=True)


def child_clock() -> dict[str, str]:
    """Environment that puts a child Python process on this process's clock, from the moment it starts."""
    path = os.environ.get("PYTHONPATH", "")
    return {
        "ARTWORX_TEST_CLOCK": timezone.now().isoformat(),
        "PYTHONPATH": f"{CLOCKWORK}{os.pathsep}{path}" if path else CLOCKWORK,
    }
