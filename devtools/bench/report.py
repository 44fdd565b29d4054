"""Targets for the benchmark's figures, and the Markdown table written into docs/benchmarks.md."""

from dataclasses import dataclass

PAGES = {
    "trivial", "dashboard", "dashboard_computed", "student_list", "student_detail", "site_detail",
    "cohort_detail", "my_sessions", "session_log_get", "session_log_post", "contract_due_soon",
    "alumni_list", "referral_funnel",
}  # fmt: skip
LINEAR = {
    "export_students",
    "sweep_first",
    "family_texts",
}  # their work grows with the data: about linear is the target
MAX_PAGE_QUERIES = 15
# The student page is not among the pages the targets name; it reads the history of four tables
# and the support profile, and is pinned at its own budget; +1 for the read audit's one INSERT, +1 for
# the guardians' consent history, +2 for the family thread and the guardians who accept texts.
# Logging a roll closes its "please log" items for everyone (one UPDATE, issue #23).
QUERY_BUDGETS = {"student_detail": 21 + 1 + 2, "session_log_post": MAX_PAGE_QUERIES + 1}
MAX_GROWTH, MAX_LINEAR_GROWTH = 2.0, 12.0
MEDIAN_TARGETS_MS = {
    "dashboard": 300,
    "dashboard_computed": 300,
    "session_log_post": 60,
    "sweep_second": 2_000,
    "export_students": 5_000,
    "family_texts": 10_000,  # issue #17: the evening's absence texts for every site, composed and queued
}
PAGE_MEDIAN_MS = 150


@dataclass
class Verdict:
    growth: float | None
    misses: list[str]


def verdict(name: str, small: dict | None, large: dict) -> Verdict:
    """Which targets a scenario misses at the largest scale."""
    misses = []
    growth = round(large["median_ms"] / small["median_ms"], 2) if small and small["median_ms"] else None
    budget = QUERY_BUDGETS.get(name, MAX_PAGE_QUERIES)
    if name in PAGES and large["queries"] > budget:
        misses.append(f"{large['queries']} queries > {budget}")
    if name in PAGES and small and small["queries"] != large["queries"]:
        misses.append(f"queries grow {small['queries']} → {large['queries']}")
    limit = MAX_LINEAR_GROWTH if name in LINEAR else MAX_GROWTH
    if growth is not None and growth > limit:
        misses.append(f"growth {growth} > {limit:g}")
    target = MEDIAN_TARGETS_MS.get(name, PAGE_MEDIAN_MS if name in PAGES else None)
    if target and large["median_ms"] > target:
        misses.append(f"median {large['median_ms']:.0f} ms > {target} ms")
    return Verdict(growth, misses)


def markdown(run: dict) -> str:
    """The results of one run as a Markdown section."""
    scales = sorted(run["scales"], key=float)
    small, large = run["scales"][scales[0]], run["scales"][scales[-1]]
    by_name = {r["name"]: r for r in small["results"]}
    trivial = {
        s: next(r for r in run["scales"][s]["results"] if r["name"] == "trivial")["median_ms"] for s in scales
    }
    m = run["machine"]
    lines = [
        f"Run on {m['date']} by `make bench`: {m['cpu']}, {m['cores']} cores, {m['memory']}, "
        f"{m['database']}, Python {m['python']}, Django {m['django']}.",
        "",
        "| scale | generated in | " + " | ".join(run["scales"][scales[0]]["counts"]) + " |",
        "|---|---|" + "---|" * len(small["counts"]),
    ]
    for s in scales:
        data = run["scales"][s]
        lines.append(
            f"| {s} | {data['seed_seconds']:.0f} s | "
            + " | ".join(f"{v:,}" for v in data["counts"].values())
            + " |"
        )
    lines += [
        "",
        f"Median and 95th percentile of repeated runs; queries from one run; × trivial is the median over "
        f"the trivial signed-in page's ({trivial[scales[-1]]} ms at scale {scales[-1]}); growth is scale "
        f"{scales[-1]} over scale {scales[0]}.",
        "",
        f"| page or action | queries ({scales[0]} / {scales[-1]}) | median {scales[0]} | median {scales[-1]} "
        f"| p95 {scales[-1]} | × trivial | growth | target met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in large["results"]:
        s = by_name.get(r["name"])
        v = verdict(r["name"], s, r)
        detail = f" ({r['detail']})" if r.get("detail") else ""
        lines.append(
            f"| {r['label']}{detail} | {s['queries'] if s else '–'} / {r['queries']} "
            f"| {s['median_ms'] if s else '–'} ms | {r['median_ms']} ms | {r['p95_ms']} ms "
            f"| {r['median_ms'] / trivial[scales[-1]]:.1f} | {v.growth if v.growth is not None else '–'} "
            f"| {'yes' if not v.misses else 'no: ' + '; '.join(v.misses)} |"
        )
    return "\n".join(lines)


def write_section(path, name: str, section: str) -> None:
    """Replace the generated section `name` of docs/benchmarks.md, or append it."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{start}\n{section}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
