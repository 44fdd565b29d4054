"""The dashboard's figures, kept between requests until any of the data behind them changes
(artworx.cache: keyed by the newest history row of every table the board reads).

The whole board is kept under one key (`BoardKeys.board`). Its three costly parts are kept under keys
of their own, which change only with the tables each part reads (`PARTS`): a roll logged on a school
day lets the board go, and the board computed again reuses the contracts' pace, the pathways and the
alumni outcomes, which no mark changes (issue #22).
"""

from collections.abc import Callable
from dataclasses import dataclass

from alumni.models import Alumnus, CheckIn
from artworx.cache import cached, data_versions, version_key, versions_of
from artworx.roles import sees_all
from programs.models import (
    AbsenceThresholds,
    Attendance,
    Cohort,
    Credential,
    Participation,
    Pathway,
    Placement,
    Program,
    Session,
)
from reports.models import Target
from sites.models import Closure, Site
from students.models import Contract, ContractCourse, Enrollment, Referral, Review, Student

SOURCES = [
    Attendance, Session, Participation, Cohort, Program, Pathway, Credential, Placement, Contract,
    ContractCourse, Enrollment, Student, Referral, Alumnus, CheckIn, Site, Closure, Target,
    AbsenceThresholds, Review,
]  # fmt: skip

# What each costly part reads (a teacher's scope reads their students' enrollments too).
PARTS = {
    "pace": [Contract, ContractCourse, Closure, Enrollment, Student],
    "pathways": [Pathway, Program, Cohort, Participation, Enrollment, Credential],
    "alumni": [Alumnus, CheckIn, Enrollment, Student],
}


def compute_now(part: str, compute: Callable):
    """Compute a part of the board without keeping it (the board's default)."""
    return compute()


@dataclass(frozen=True)
class BoardKeys:
    """The key of one board and of each of its parts."""

    board: str
    parts: dict[str, str]

    def keep(self, part: str, compute: Callable):
        """The part kept under its own key, or computed and kept now."""
        return cached(self.parts[part], compute)


def board_keys(*, user, site, start, end, today) -> BoardKeys:
    """The keys of one board (the filters, the day, the user's scope and the data's version) and of
    its parts (the site, the day, the scope and the version of what each reads), in one query."""
    scope = "all" if sees_all(user) else f"user{user.pk}"
    site_id = site.pk if site else ""
    versions = data_versions(SOURCES)
    return BoardKeys(
        board=version_key(
            "dashboard", scope, site_id, start, end, today, version=versions_of(versions, SOURCES)
        ),
        parts={
            part: version_key(
                f"dashboard-{part}", scope, site_id, today, version=versions_of(versions, models)
            )
            for part, models in PARTS.items()
        },
    )
