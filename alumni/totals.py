"""The alumni's running totals (artworx.totals): alumni per graduation day and outcomes at the horizons."""

from artworx.totals import RunningTotal

# Every alumnus counts once, under their graduation day and their outcomes at 6 and 12 months (empty
# while not reached); a check-in that moves an outcome moves the alumnus from one row to another.
OUTCOME_TOTALS = RunningTotal(
    name="alumni_outcometotals",
    source="alumni_alumnus",
    target="alumni_outcometotals",
    key=("graduated_on", "outcome_at_6_months", "outcome_at_12_months"),
    measures={"alumni": "1"},
    watch=(),
)
