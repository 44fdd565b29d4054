"""The dashboard's figures, kept between requests until any of the data behind them changes
(artworx.cache: keyed by the newest history row of every table the board reads)."""

from alumni.models import Alumnus, CheckIn
from artworx.cache import version_key
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


def board_key(*, user, site, start, end, today) -> str:
    """The key of one board: the filters, the day, the user's scope and the data's version."""
    scope = "all" if sees_all(user) else f"user{user.pk}"
    return version_key("dashboard", scope, site.pk if site else "", start, end, today, sources=SOURCES)
