"""Loaded by every Python a test starts with `tests.clock.child_clock()` in its environment: the child
reads the test's clock (the moment in ARTWORX_TEST_CLOCK, time passing from there), so a worker or a
server in another process agrees with the test on what "today" is. Without that variable it does nothing.
"""

import os

if os.environ.get("ARTWORX_TEST_CLOCK"):
    from datetime import datetime

    import time_machine

    time_machine.travel(datetime.fromisoformat(os.environ["ARTWORX_TEST_CLOCK"]), tick=True).start()
