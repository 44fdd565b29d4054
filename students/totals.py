"""The credit register's running totals (artworx.totals): credits planned and done per contract."""

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
