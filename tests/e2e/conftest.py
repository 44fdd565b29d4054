"""Browser tests: Playwright driving the system Chromium against Django's live server."""

import os
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.e2e import signin

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            # A journey through the browser: untraced when coverage is measured (README, "Coverage").
            item.add_marker(pytest.mark.untraced)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium (browsers cannot be downloaded here), closed to the outside network."""
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM}: apt-get install chromium (CI always does)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def fresh_codes():
    """Each test starts at the suite's moment with an empty cache, where the server keeps the codes it
    has seen: a code used by an earlier test may be given again (tests/e2e/signin.py)."""
    signin.forget_used_codes()
