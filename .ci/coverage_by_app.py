"""Branch coverage per app, from the .coverage file `make test` wrote with --cov: one line per app,
then the lines of services and selectors no test reaches."""

import json
import subprocess
import sys
from collections import defaultdict

subprocess.run([sys.executable, "-m", "coverage", "json", "-q", "-o", "coverage.json"], check=True)
with open("coverage.json") as report:
    files = json.load(report)["files"]
apps = defaultdict(lambda: [0, 0])  # app → [covered lines and branches, all of them]
for path, data in files.items():
    summary = data["summary"]
    app = apps[path.split("/")[0]]
    app[0] += summary["covered_lines"] + summary.get("covered_branches", 0)
    app[1] += summary["num_statements"] + summary.get("num_branches", 0)
print(f"{'app':<16}{'covered':>10}")
for name, (covered, total) in sorted(apps.items()):
    print(f"{name:<16}{100 * covered / total if total else 100:>9.1f} %")
print("\nLines of services and selectors no test reaches:")
subprocess.run(
    [sys.executable, "-m", "coverage", "report", "--include=*/services*,*/selectors*", "--fail-under=0"],
    check=True,
)
