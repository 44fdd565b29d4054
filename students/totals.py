"""The credit register's running totals (artworx.totals): credits planned and done per contract, and
credits earned per day; the referrals received per day, by the funnel's steps they reached; and each
site's open enrollments."""

from artworx.totals import RunningTotal

CONTRACT_CREDITS = RunningTotal(
    name="students_contractcredits",
    source="students_contractcourse",
    target="students_contractcredits",
    key="contract_id",
    measures={
        "planned": "{r}.credits",
        "done": "CASE WHEN {r}.status = 'completed' THEN {r}.credits ELSE 0 END",
    },
    watch=("credits", "status"),
)

# The credits of the courses completed each day, for the dashboard's "credits earned" in a period across
# every site: the days of the period summed instead of every course completed in it (127,000 in 90 days
# at statewide scale). A course in progress has no day (a constraint): it moves no total.
CREDITS_EARNED = RunningTotal(
    name="students_creditsearned",
    source="students_contractcourse",
    target="students_creditsearned",
    key="resolved_on",
    measures={"credits": "CASE WHEN {r}.status = 'completed' THEN {r}.credits ELSE 0 END"},
    watch=("credits", "status"),
)

# The referrals received each day and how many of them reached each later step (a step's date is set once
# reached): the dashboard's funnel over a period sums its days. A referral dated again moves between days.
REFERRAL_DAYS = RunningTotal(
    name="students_referraldaytotals",
    source="students_referral",
    target="students_referraldaytotals",
    key="received_on",
    measures={
        "received": "1",
        **{
            step: f"CASE WHEN {{r}}.{step}_on IS NOT NULL THEN 1 ELSE 0 END"
            for step in ("contacted", "assessed", "enrolled")
        },
    },
    watch=("contacted_on", "assessed_on", "enrolled_on"),
)

# Each site's open enrollments (an enrollment ended, or moved to another site, moves its seat).
SITE_ENROLLMENTS = RunningTotal(
    name="students_siteenrollmenttotals",
    source="students_enrollment",
    target="students_siteenrollmenttotals",
    key="site_id",
    measures={"enrolled": "CASE WHEN {r}.ended_on IS NULL THEN 1 ELSE 0 END"},
    watch=("ended_on",),
)
