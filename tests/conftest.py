"""Shared fixtures: one user per role, a site with a teacher, and the CI guard for skipped tests."""

import io
import os
import re
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import coverage
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from artworx import roles
from artworx.context_processors import forget_navigation
from students.services import contract_open
from tests import clock, database
from tests.agreements import open_signed_contract
from tests.factories import EnrollmentFactory, SiteFactory, UserFactory
from tests.security.world import World, build_world

# Fixtures for tests that start a real Celery worker in a thread (celery_app, celery_worker).
pytest_plugins = ("celery.contrib.pytest",)

IN_CI = os.environ.get("CI", "").lower() == "true"


@contextmanager
def coverage_paused():
    """A block run untraced when the run measures coverage. Every measuring instance stops: on an xdist
    worker pytest-cov starts two, and stopping the newest alone lets the older one trace on."""
    paused = []
    while (measuring := coverage.Coverage.current()) is not None:
        measuring.stop()
        paused.append(measuring)
    try:
        yield
    finally:
        for measuring in reversed(paused):
            measuring.start()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test marked `untraced` runs with coverage paused (README, "Coverage")."""
    if item.get_closest_marker("untraced") is None:
        return (yield)
    with coverage_paused():
        return (yield)


def pytest_configure(config):
    """The whole session runs on the suite's clock (tests/clock.py): fixtures that outlive one test, such
    as the demo data of a module, are made at its moment too."""
    clock.travel().start()


# A module whose code reads the clock, or loads the demo (made relative to today), depends on the date:
# marked `clock`, it runs again at the moments where dates go wrong (make test-moments). The crawls of
# the demo in tests/security/ are left out of that: they check links and scope, not dates.
READS_THE_CLOCK = re.compile(r"localdate\(|timezone\.now\(|date\.today\(|localtime\(|time_machine|seed_demo")


@cache
def reads_the_clock(path) -> bool:
    return bool(READS_THE_CLOCK.search(Path(path).read_text()))


def shares_module_fixtures(item) -> bool:
    """Whether a test uses a fixture made once per module, such as the demo world of tests/security/
    (`module_clock`, which every module has, aside)."""
    fixtures = item._fixtureinfo.name2fixturedefs
    return any(defs[-1].scope == "module" for name, defs in fixtures.items() if name != "module_clock")


# The fixtures that give a test the demo (`world` and `demo` ask for `demo_world` by name), by where they
# are defined: tests/e2e/test_accessibility.py has a `world` of its own.
DEMO_FIXTURES = {("demo_world", "tests"), ("demo", "tests"), ("world", "tests/security")}


def reads_the_demo(item) -> bool:
    fixtures = item._fixtureinfo.name2fixturedefs
    return any((name, defs[-1].baseid) in DEMO_FIXTURES for name, defs in fixtures.items())


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """With several workers (`make test`, pytest-xdist --dist loadgroup), the tests that read the demo
    (`demo_world`: the crawls of tests/security/ and the browser tests that walk it) run on one worker,
    which loads it once; the tests of any other module with module fixtures run on one worker, so those
    are made once; the fault tests run one after another, as each starts servers and workers of its own
    and measures how they recover. Every other test goes to whichever worker is free, in the order
    pytest-django sorted them: the tests that empty the database (`transactional_db`) after those that
    read what the migrations wrote. First among the hooks: xdist reads the groups in its own hook."""
    for item in items:
        if item.nodeid.startswith("tests/faults/"):
            item.add_marker(pytest.mark.xdist_group("faults"))
        elif reads_the_demo(item):
            item.add_marker(pytest.mark.xdist_group("demo"))
        elif shares_module_fixtures(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
        if "world" in item.fixturenames:  # the crawls of the demo in tests/security/
            item.add_marker(pytest.mark.slow)
        if reads_the_clock(item.path):
            item.add_marker(pytest.mark.clock)


UNGROUPED = pytest.StashKey[bool]()


def pytest_collection_finish(session):
    """On a worker, a grouped test's id carries its group (xdist appends "@group" to it): with a pytest
    that xdist cannot mark so, each module would be spread over every worker and make its demo data once
    per worker, and the fault tests would run at the same time."""
    grouping = session.config.getoption("loadgroup", False)
    grouped = [item.nodeid for item in session.items if item.get_closest_marker("xdist_group")]
    session.config.stash[UNGROUPED] = bool(grouping and grouped and "@" not in grouped[0])


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    """On PostgreSQL, each worker's test database starts as a copy of one already migrated
    (tests/database.py)..."""
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            database.copy_migrated_database()


@pytest.fixture(scope="session")
def migrated_rows_kept(django_db_setup, django_db_blocker):
    """The rows the migrations wrote, copied once per worker; from then on a test that empties the
    database leaves them as the migrations did, in place of Django's flush (tests/database.py)."""
    with django_db_blocker.unblock():
        database.keep_rows("migrated")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", database.fixture_teardown)
        yield


@pytest.fixture(scope="session")
def demo_world(migrated_rows_kept, django_db_blocker) -> World:
    """On PostgreSQL, the demo with the objects the security tests pick (tests/security/world.py), loaded
    once per worker (some 15 seconds) and kept as the set "world" (tests/database.py)."""
    # Untraced: the demo's loading is measured where it is tested (tests/devtools/test_seed_demo.py).
    with django_db_blocker.unblock(), coverage_paused():
        built = build_world()
        database.keep_rows("world")
        database.empty_to_migrated()
    return built


@pytest.fixture
def demo(transactional_db, request) -> None:
    """The demo, for a test that empties the database after it (a browser test): written back from the
    worker's copy on PostgreSQL, loaded on SQLite."""
    if connection.vendor == "postgresql":
        request.getfixturevalue("demo_world")
        database.restore_rows("world")
    else:
        with override_settings(DEBUG=True):  # the demo refuses to run without DEBUG; pytest turns it off
            call_command("seed_demo", verbosity=0, stdout=io.StringIO())


def empties_the_database(item) -> bool:
    """Whether pytest-django empties every table after this test (as it sorts them)."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(item.fixturenames))


@pytest.fixture(autouse=True)
def emptied_to_migrated(request):
    """A test that empties the database leaves the migrated rows for the tests after it on its worker."""
    if empties_the_database(request.node):
        request.getfixturevalue("migrated_rows_kept")


@pytest.fixture(scope="session")
def django_db_keepdb(request):
    """...which pytest-django keeps as it is, rather than making and migrating it again (`--create-db`
    still does)."""
    return connection.vendor == "postgresql" or request.config.getvalue("reuse_db")


@pytest.fixture(scope="module", autouse=True)
def module_clock():
    """A module's fixtures are made at the suite's moment..."""
    with clock.travel():
        yield


@pytest.fixture(autouse=True)
def test_clock(module_clock):
    """...and each of its tests starts at that moment too, however long the tests before it took."""
    with clock.travel() as traveller:
        yield traveller


@cache
def redis_answers() -> bool:
    """Whether the Redis at REDIS_URL answers a ping within a second."""
    import redis

    try:
        return bool(
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        )
    except (redis.RedisError, OSError):
        return False


def pytest_runtest_setup(item):
    """Tests that need PostgreSQL or Redis skip with a reason locally, and fail in CI instead of skipping."""
    if item.config.stash.get(UNGROUPED, False):
        pytest.fail(
            "pytest-xdist could not group the tests (--dist loadgroup) with this pytest: see its pin in "
            "pyproject.toml"
        )
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        reason = "needs PostgreSQL row locks: set DATABASE_URL=postgres://... (CI always does)"
        if IN_CI:
            pytest.fail(f"CI must run this test on PostgreSQL; {reason}")
        pytest.skip(reason)
    if item.get_closest_marker("redis") and not redis_answers():
        reason = "needs a Redis answering at REDIS_URL for a real Celery worker (CI always has one)"
        if IN_CI:
            pytest.fail(f"CI must run this test against Redis; {reason}")
        pytest.skip(reason)


@pytest.fixture
def site(db):
    """A site of 50 with one teacher."""
    return SiteFactory(name="Eastside Storefront")


@pytest.fixture
def teacher(site):
    user = UserFactory(username="teacher", role=roles.TEACHER)
    site.teachers.add(user)
    return user


@pytest.fixture
def other_site(db):
    return SiteFactory(name="Westside Storefront")


@pytest.fixture
def other_teacher(other_site):
    """A teacher at another site: sees nothing of `site`."""
    user = UserFactory(username="other_teacher", role=roles.TEACHER)
    other_site.teachers.add(user)
    return user


@pytest.fixture
def enrollment(site, teacher):
    """A student enrolled at `site` with `teacher`."""
    return EnrollmentFactory(site=site, teacher=teacher)


@pytest.fixture
def student(enrollment):
    return enrollment.student


# The users of `users` who are not the site's teachers: their usernames and roles.
ROLE_USERS = {
    "admin": ("admin", roles.ADMINISTRATOR),
    "staff": ("staff", roles.PROGRAM_STAFF),
    "counselor": ("counselor", roles.COUNSELOR),
    "teaching_artist": ("artist", roles.TEACHING_ARTIST),
    "no_role": ("norole", None),
}


class UsersByRole(dict):
    """One user per role name, made the first time a test asks for it: most tests sign in as one role,
    and each user costs a few queries."""

    names = (*ROLE_USERS, "teacher", "other_teacher")

    def __init__(self, request):
        super().__init__()
        self.request = request

    def __missing__(self, name: str):
        if name in ("teacher", "other_teacher"):  # the fixtures of the same names: one of each site
            user = self.request.getfixturevalue(name)
        else:
            username, role = ROLE_USERS[name]
            user = UserFactory(username=username, role=role)
        self[name] = user
        return user

    def made(self) -> "UsersByRole":
        for name in self.names:
            self[name]  # made on first use
        return self

    def values(self):
        return dict.values(self.made())

    def items(self):
        return dict.items(self.made())


@pytest.fixture
def users(db, request) -> UsersByRole:
    """One user per role, plus a teacher of another site and a user with no role, each made on first use
    (`users["staff"]`); `values()` and `items()` make them all."""
    return UsersByRole(request)


@pytest.fixture
def as_role(client, users):
    """Log the test client in as a role name from `users` ('anonymous' stays logged out)."""

    def login(role: str):
        if role != "anonymous":
            client.force_login(users[role])
        return client

    return login


@pytest.fixture(autouse=True)
def empty_cache(settings):
    """Each test starts with an empty cache of its own process (ids repeat after a rollback, and a
    shared Redis cache would carry values from one test, or one run, to the next)."""
    from django.core.cache import cache  # here: the module's `cache` is functools'

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Production's sessions (read from the cache, written through to the database), whether or not
    # REDIS_URL is set for the run: a page's query count is the same in every run.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    cache.clear()
    forget_navigation()  # the top bar's links this process wrote (artworx.context_processors)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: LocaleMiddleware activates the language of a request
    made by an earlier test in this thread and nothing deactivates it."""
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Hash test passwords cheaply, in module fixtures too (each demo world's users cost 0.35 s each
    with the default hasher); production keeps Django's default hasher."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def open_contract(db):
    """Open a contract through the services: `open_contract(student, started_on, credits=[5, 5])`."""

    def make(student, started_on=date(2026, 9, 14), credits=(5, 5), length_days=None, signed=True):
        """Active from `started_on`, its agreement signed by everyone that day; `signed=False`: a draft."""
        courses = [
            {"subject_area": "english", "title": f"Course {n}", "credits": Decimal(c)}
            for n, c in enumerate(credits)
        ]
        opener = open_signed_contract if signed else contract_open
        return opener(student=student, started_on=started_on, courses=courses, length_days=length_days)

    return make


# Property-based tests (hypothesis): a modest number of examples keeps the suite quick; CI runs more.
hypothesis_settings.register_profile(
    "dev",
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
hypothesis_settings.register_profile("ci", parent=hypothesis_settings.get_profile("dev"), max_examples=25)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if IN_CI else "dev"))
