"""The benchmark's data keeps every rule; every benchmarked page keeps its query budget as data grows."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from devtools.bench.http import parse_wrk
from devtools.bench.pages import Bench, rolled_back
from devtools.bench.report import MAX_PAGE_QUERIES, QUERY_BUDGETS, http_markdown, write_section
from devtools.bench.seed import County, check_rules
from programs.models import Attendance, Session
from students.models import Enrollment, Student
from students.pace_turns import turns_write

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


@pytest.mark.slow  # builds two networks: 5 s
def test_benchmarked_pages_take_the_same_queries_on_a_larger_network(settings):
    settings.SECURE_SSL_REDIRECT = False
    # Each network with its contracts' turning days of pace written, as `make bench` measures it (and as
    # the quarter-hourly task leaves it).
    County(scale=0.02, name="Alpha").build()
    turns_write()
    small = measure(Bench(repeats=1))
    County(scale=0.06, name="Beta", seed=8).build()  # three times the sites, students, sessions, alumni
    turns_write()
    large = measure(Bench(repeats=1))
    assert large == small
    # The dashboard too, computed from an empty cache: its cards read running totals (issue #22).
    over = {name: n for name, n in large.items() if n > QUERY_BUDGETS.get(name, MAX_PAGE_QUERIES)}
    assert not over, f"pages over their query budget: {over}"


def test_seed_bench_refuses_a_scale_above_the_statewide_network():
    with pytest.raises(Exception, match="at most 10"):
        call_command("seed_bench", scale=11)


WRK_REPORT = """Running 5s test @ http://127.0.0.1:8108/
  2 threads and 8 connections
  Latency Distribution
     50%   12.50ms
     75%   20.00ms
     90%   31.20ms
     99%    1.20s
  1234 requests in 5.00s, 10.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    246.80
Transfer/sec:      2.00MB
p95_us 45000
"""


def test_wrk_reports_are_read_with_the_95th_percentile():
    figures = parse_wrk(WRK_REPORT)
    assert figures["requests_per_second"] == 246.8 and figures["requests"] == 1234
    assert figures["latency_ms"] == {"50": 12.5, "75": 20.0, "90": 31.2, "99": 1200.0, "95": 45.0}
    assert figures["non_2xx"] == 3


def fake_http(trivial_ms: float, page_ms: float, staff_rate: float) -> dict:
    """The figures measure_http returns, made up."""
    mix = parse_wrk(WRK_REPORT) | {"requests_per_second": staff_rate, "non_2xx": 0, "pages": ["/a", "/b"]}
    page = {"latency_ms": {"50": page_ms}, "requests_per_second": 1000 / page_ms}
    return {
        "workers": 2,
        "connections": 8,
        "page_seconds": 5,
        "mix_seconds": 20,
        "writer_every_seconds": 10.0,
        "load_before": {"loadavg": [0.1, 0.2, 0.3], "others_cpu_percent": 1.5},
        "load_after": {"loadavg": [1.9, 1.2, 0.6], "others_cpu_percent": 2.0},
        "pages": [
            {"name": "trivial", "label": "trivial", "latency_ms": {"50": trivial_ms}, "times_trivial": 1},
            {"name": "alumni_list", "label": "alumni list", **page, "times_trivial": page_ms / trivial_ms},
        ],
        "mixes": {
            "staff": mix,
            "staff, with the writer": mix | {"writer_changes": 2, "writer_errors": []},
        },
    }


def test_the_http_section_reads_ratios_growth_load_and_the_issues_figures():
    run = {
        "machine": {"date": "2026-12-01T01:00", "cpu": "AMD EPYC", "cores": 2, "database": "PostgreSQL 15"},
        "scales": {
            "1": {"http": fake_http(trivial_ms=2.0, page_ms=10.0, staff_rate=120)},
            "10": {"http": fake_http(trivial_ms=2.0, page_ms=25.0, staff_rate=60)},
        },
    }
    text = http_markdown(run)
    assert "| alumni list | 10.0 ms | 5.0 | 25.0 ms | 12.5 | 2.5 | no |" in text
    assert "- scale 10: before [0.1, 0.2, 0.3], other jobs 1.5 %" in text
    assert "| 1 | staff | 2 | 120 | 12.5 ms | 31.2 ms | 45.0 ms | 1200.0 ms | 0 | yes |" in text
    assert "| 10 | staff, with the writer (2 changes) | 2 | 60 | " in text
    assert "no: 60 req/s < 80" in text


def test_the_http_section_replaces_its_own_part_of_the_page_only(tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\n<!-- bench:start -->\nold figures\n<!-- bench:end -->\n")
    write_section(page, "http", "first")
    write_section(page, "http", "second")
    text = page.read_text()
    assert "old figures" in text and "second" in text and "first" not in text
