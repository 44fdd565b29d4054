"""The benchmark's data keeps every rule; every benchmarked page keeps its query budget as data grows."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from devtools.bench.pages import Bench, rolled_back
from devtools.bench.report import MAX_PAGE_QUERIES, QUERY_BUDGETS
from devtools.bench.seed import County, check_rules
from programs.models import Attendance, Session
from students.models import Enrollment, Student

pytestmark = pytest.mark.django_db


def test_seed_bench_writes_a_network_that_keeps_every_rule():
    call_command("seed_bench", scale=0.02)
    assert check_rules() == []
    assert Enrollment.objects.filter(ended_on__isnull=True).count() >= 2 * 45
    assert Session.objects.filter(status=Session.Status.LOGGED).exists()
    # Every row has its creation in the audit history, as if saved through the services.
    assert Attendance.history.count() == Attendance.objects.count() > 0
    assert Student.history.count() == Student.objects.count()


def test_seed_bench_refuses_a_database_with_sites():
    County(scale=0.02).build()
    with pytest.raises(Exception, match="already has sites"):
        call_command("seed_bench", scale=0.02)


def test_check_rules_finds_a_site_over_capacity():
    County(scale=0.02).build()
    enrollment = Enrollment.objects.filter(ended_on__isnull=True).first()
    site = enrollment.site
    site.capacity = 1
    site.save()
    assert any("over capacity" in problem for problem in check_rules())


def measure(bench: Bench) -> dict[str, int]:
    """Each benchmarked page's queries, the dashboard both computed and from its cache."""
    counts = {}
    for name, _label, user, url in bench.page_specs():
        client = bench.client(user)
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            assert client.get(url, secure=True).status_code == 200, url
        counts[name] = len(cold.captured_queries)
        if name == "dashboard":
            with CaptureQueriesContext(connection) as warm:
                client.get(url, secure=True)
            counts["dashboard_cached"] = len(warm.captured_queries)
    client, data = bench.client(bench.artist), bench.log_post_data()

    def post():  # undone afterwards, so both networks log the same session from the same state
        with CaptureQueriesContext(connection) as queries:
            assert client.post(bench.log_url, data, secure=True).status_code == 302
        return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])

    counts["session_log_post"] = rolled_back(post)()
    return counts


def test_benchmarked_pages_take_the_same_queries_on_a_larger_network(settings):
    settings.SECURE_SSL_REDIRECT = False
    County(scale=0.02, name="Alpha").build()
    small = measure(Bench(repeats=1))
    County(scale=0.06, name="Beta", seed=8).build()  # three times the sites, students, sessions, alumni
    large = measure(Bench(repeats=1))
    assert large == small
    # The dashboard too, computed from an empty cache: its cards read running totals (issue #22).
    over = {name: n for name, n in large.items() if n > QUERY_BUDGETS.get(name, MAX_PAGE_QUERIES)}
    assert not over, f"pages over their query budget: {over}"
