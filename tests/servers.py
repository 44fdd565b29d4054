"""The local stand-ins for outside services (an SMS provider, identity providers) serve from a thread."""

import threading
from socketserver import BaseServer

# `shutdown()` returns once the serving loop next looks at its flag: every 10 ms here, not every half
# second (the library's default), which a test paid at every teardown.
POLL_SECONDS = 0.01


def serving_thread(server: BaseServer) -> threading.Thread:
    """A daemon thread (not started) that serves `server` until its `shutdown()`."""
    return threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True)
