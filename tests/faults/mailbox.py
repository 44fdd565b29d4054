"""An email backend a worker process writes to and a test reads: one file per message, with a gate.

Set ARTWORX_TEST_MAILDIR to a folder. With ARTWORX_TEST_MAIL_GATE set to a path, each send waits
until that file exists before writing (ARTWORX_TEST_MAIL_GATE_AT=before) or after writing
(`after`: the "mail server" has the message, the sender has not returned yet).
"""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


def _wait_for_gate() -> None:
    gate = os.environ.get("ARTWORX_TEST_MAIL_GATE")
    if not gate:
        return
    Path(os.environ["ARTWORX_TEST_MAILDIR"], f"waiting-{os.getpid()}-{uuid.uuid4().hex}").touch()
    while not Path(gate).exists():
        time.sleep(0.05)


class EmailBackend(BaseEmailBackend):
    """Write each message to ARTWORX_TEST_MAILDIR as <uuid>.eml, holding at the gate if there is one."""

    def send_messages(self, email_messages) -> int:
        folder = Path(os.environ["ARTWORX_TEST_MAILDIR"])
        gate_at = os.environ.get("ARTWORX_TEST_MAIL_GATE_AT", "before")
        for message in email_messages:
            if gate_at == "before":
                _wait_for_gate()
            path = folder / f"{uuid.uuid4().hex}.eml"
            path.with_suffix(".tmp").write_bytes(message.message().as_bytes())
            path.with_suffix(".tmp").rename(path)  # whole or not at all for the reading test
            if gate_at == "after":
                _wait_for_gate()
        return len(email_messages)


def delivered(folder: Path) -> list[str]:
    """The To: address of each message written to the folder (one entry per message)."""
    addresses = []
    for path in sorted(folder.glob("*.eml")):
        for line in path.read_text().splitlines():
            if line.lower().startswith("to: "):
                addresses.append(line[4:].strip())
                break
    return addresses
