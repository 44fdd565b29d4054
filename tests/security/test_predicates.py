"""Each permission predicate on its own: the roles that pass it and those that fail it, and for the
object predicates, the user's own object against another's. The URL matrix (test_url_matrix.py) checks
the pages these build; here a predicate that changes meaning fails by name.

Every predicate defined in an app's rules.py or in artworx/roles.py must have its rows here: a new one
fails `test_every_predicate_is_tested` until it does."""

import importlib
from datetime import date, time

import pytest
import rules

from alumni.models import Alumnus
from artworx import roles
from programs.models import Session
from students.services import contract_course_resolve, enrollment_transfer
from tests.factories import CohortFactory, EnrollmentFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db
RULES_MODULES = [
    "artworx.roles",
    "alumni.rules",
    "families.rules",
    "programs.rules",
    "reports.rules",
    "sites.rules",
    "students.rules",
]
EVERYONE = {"admin", "staff", "counselor", "teacher", "teaching_artist", "other_teacher", "no_role"}

# predicate name → the roles of the `users` fixture that pass it (the rest fail it).
ROLE_PREDICATES = {
    "is_administrator": {"admin"},
    "is_program_staff": {"staff"},
    "is_counselor": {"counselor"},
    "is_teacher": {"teacher", "other_teacher"},
    "is_teaching_artist": {"teaching_artist"},
    "sees_all": {"admin", "staff", "counselor"},
    "manages_sites": {"admin", "staff"},
    "manages_programs": {"admin", "staff"},
}


def predicates() -> dict[str, rules.Predicate]:
    """Every predicate the rules modules define, by name."""
    found = {}
    for name in RULES_MODULES:
        module = importlib.import_module(name)
        found.update(
            {attr: value for attr, value in vars(module).items() if isinstance(value, rules.Predicate)}
        )
    return found


@pytest.mark.parametrize("name", sorted(ROLE_PREDICATES))
def test_a_role_predicate_passes_its_roles_only(users, name):
    predicate = predicates()[name]
    passing = {role for role in sorted(EVERYONE) if predicate.test(users[role])}
    assert passing == ROLE_PREDICATES[name]


def test_a_superuser_is_an_administrator_whatever_their_groups():
    assert roles.is_administrator.test(UserFactory(is_superuser=True))
    assert not roles.is_program_staff.test(UserFactory(is_superuser=True))


@pytest.fixture
def objects(site, teacher, users, other_site, open_contract):
    """A student at `site` with an active contract, a cohort led by the artist with a session, an
    alumnus whose contact is the counselor; and for each, another one that is not theirs."""
    student = EnrollmentFactory(site=site, teacher=teacher, started_on=date(2026, 9, 1)).student
    elsewhere = EnrollmentFactory(site=other_site, started_on=date(2026, 9, 1)).student
    contract = open_contract(student, started_on=date(2026, 9, 14))
    cohort = CohortFactory(site=site, teaching_artists=[users["teaching_artist"]])
    session = Session.objects.create(
        cohort=cohort, date=date(2026, 11, 16), starts_at=time(15, 30), duration_minutes=90
    )
    other_cohort = CohortFactory(site=site)
    graduate = EnrollmentFactory(site=SiteFactory(), started_on=date(2025, 9, 1)).student
    alumnus = Alumnus.objects.create(
        student=graduate, graduated_on=date(2026, 6, 12), staff_contact=users["counselor"]
    )
    return {
        "student": (student, elsewhere),
        "contract": (contract, open_contract(elsewhere, started_on=date(2026, 9, 14))),
        "cohort": (cohort, other_cohort),
        "session": (
            session,
            Session.objects.create(
                cohort=other_cohort, date=date(2026, 11, 16), starts_at=time(15, 30), duration_minutes=90
            ),
        ),
        "alumnus": (alumnus, None),
    }


# predicate name → (the kind of object, who passes it with their own object, who passes it with another
# one); a role predicate joined in passes for any object.
SEES_ALL = {"admin", "staff", "counselor"}
OBJECT_PREDICATES = {
    "teaches_student": ("student", {"teacher"}, set()),
    "teaches_contract_student": ("contract", {"teacher"}, set()),
    "supervises_contract": ("contract", {"teacher"}, set()),
    "leads_cohort": ("cohort", {"teaching_artist"}, set()),
    "teaches_session": ("session", {"teaching_artist"}, set()),
    "is_staff_contact": ("alumnus", {"counselor"}, set()),
    "may_message_family": ("student", SEES_ALL | {"teacher"}, SEES_ALL),
}


@pytest.mark.parametrize("name", sorted(OBJECT_PREDICATES))
def test_an_object_predicate_passes_for_the_users_own_object_only(users, objects, name):
    predicate = predicates()[name]
    kind, expected, with_another = OBJECT_PREDICATES[name]
    own, other = objects[kind]
    assert {role for role in sorted(EVERYONE) if predicate.test(users[role], own)} == expected
    assert {role for role in expected if predicate.test(users[role], other)} == with_another  # not theirs
    assert {role for role in EVERYONE if predicate.test(users[role], None)} == with_another


def test_a_teacher_no_longer_teaches_a_student_who_moved_away(users, objects, other_site):
    student, _elsewhere = objects["student"]
    teaches = predicates()["teaches_student"]
    assert teaches.test(users["teacher"], student)
    enrollment_transfer(
        enrollment=student.enrollments.get(ended_on__isnull=True),
        site=other_site,
        teacher=users["other_teacher"],
        on=date(2026, 11, 2),
    )
    assert not teaches.test(users["teacher"], student)
    assert teaches.test(users["other_teacher"], student)


def test_only_a_contract_not_yet_closed_is_open(users, objects):
    contract, _other = objects["contract"]
    is_open = predicates()["contract_is_open"]
    assert is_open.test(users["teacher"], contract)
    for course in contract.courses.all():
        contract_course_resolve(
            course=course, status="completed", grade="B", resolved_on=date(2026, 11, 2), by=users["staff"]
        )
    contract.refresh_from_db()
    assert not is_open.test(users["teacher"], contract)  # completed: it changes in staff hands only
    assert not is_open.test(users["teacher"], None)


def test_every_predicate_is_tested():
    tested = {
        *ROLE_PREDICATES,
        *OBJECT_PREDICATES,
        "contract_is_open",  # test_only_a_contract_not_yet_closed_is_open
    }
    # rules' own building blocks imported into a module are not ours to test
    ours = {name for name, predicate in predicates().items() if not name.startswith("is_group_member")}
    assert ours - tested == set(), "add the predicate's roles to this module"
