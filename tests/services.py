"""`python3 tests/services.py URL`: exit 0 when a server listens at the URL's host and port.

`make test` runs on PostgreSQL and Redis when they answer on loopback; this uses the standard library
only, so it works before the virtualenv exists.
"""

import socket
import sys
from urllib.parse import urlsplit

DEFAULT_PORTS = {"postgres": 5432, "redis": 6379}


def answers(url: str) -> bool:
    """True when something accepts a connection at the URL's host and port within a second."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or DEFAULT_PORTS[parts.scheme]), timeout=1):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(0 if answers(sys.argv[1]) else 1)
