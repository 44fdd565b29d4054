"""The history of changes a page shows (artworx.history.change_history): every record's versions, with
who made them, read in one query; the changed fields named as simple-history's diff names them."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from simple_history.manager import HistoryDescriptor

from artworx.history import KeptHistoryDescriptor, change_history, history_user
from programs.models import Cohort
from students.models import Enrollment, Guardian, Student, SupportProfile
from students.selectors import student_change_history
from tests.factories import EnrollmentFactory, GuardianFactory, StudentFactory

pytestmark = pytest.mark.django_db


def edit(instance, **values):
    for name, value in values.items():
        setattr(instance, name, value)
    instance.save()


@pytest.fixture
def record(users):
    """A student made by the counselor and changed by the teacher and by the system, with a guardian,
    an enrollment and a support profile that changed too."""
    with history_user(users["counselor"]):
        student = StudentFactory(first_name="Ana", grade=10)
        guardian = GuardianFactory(student=student, name="Rosa Cruz")
    with history_user(users["teacher"]):
        edit(student, first_name="Ana Sofía", grade=11)
        edit(guardian, phone="(213) 555-0199")
        EnrollmentFactory(student=student)
    edit(student, prior_credits=Decimal("130.0"))  # no one: the system
    edit(student.support_profile, private_notes="Court date in October", on_probation=True)
    edit(student, first_name="Ana Sofía")  # saved without a change
    return student


def test_it_names_who_changed_which_fields_newest_first(users, record):
    changes = student_change_history(student=record, include_support=True, include_notes=False)
    shown = [(c.what, c.kind, c.who, c.fields) for c in changes]
    assert shown == [
        ("Profile", "~", None, []),
        ("Support profile", "~", None, ["on probation"]),  # never "private notes"
        ("Profile", "~", None, ["prior credits"]),
        ("Enrollment", "+", users["teacher"], []),
        ("Guardian", "~", users["teacher"], ["mobile phone"]),
        ("Profile", "~", users["teacher"], ["first name", "grade"]),
        ("Guardian", "+", users["counselor"], []),
        ("Support profile", "+", users["counselor"], []),
        ("Profile", "+", users["counselor"], []),
    ]


def test_it_finds_the_fields_simple_history_finds(record):
    """The same changed fields as simple-history's own diff of each version against the one before."""
    for model, label in [(Student, "Profile"), (Guardian, "Guardian"), (SupportProfile, "Support profile")]:
        versions = list(model.history.order_by("history_date", "history_id"))
        expected = [
            sorted(
                str(model._meta.get_field(name).verbose_name)
                for name in new.diff_against(old, excluded_fields=["updated_at", "created_at"]).changed_fields
            )
            for old, new in itertools.pairwise(versions)
        ]
        found = [
            sorted(c.fields)
            for c in reversed(change_history([(model.history.all(), label)], limit=100))
            if c.kind == "~"
        ]
        assert found == expected, model


def test_four_records_take_one_query_however_long_their_history(users, record, django_assert_num_queries):
    with django_assert_num_queries(1):
        student_change_history(student=record, include_support=True, include_notes=True)
    enrollment = record.enrollments.get()
    with history_user(users["staff"]):
        for grade in (9, 10, 11, 12):
            edit(record, grade=grade)
        for day in (2, 3, 4):
            edit(enrollment, started_on=date(2026, 9, day))
    with django_assert_num_queries(1):
        changes = student_change_history(student=record, include_support=True, include_notes=True)
    enrollments = [c for c in changes if c.what == "Enrollment"]
    assert len(enrollments) == Enrollment.history.count() == 4
    assert [(c.who, c.fields) for c in enrollments[:3]] == [(users["staff"], ["started on"])] * 3
    assert str(enrollments[0].who) == str(users["staff"])


def test_the_limit_keeps_the_newest(record):
    changes = student_change_history(student=record, include_support=True, include_notes=True, limit=2)
    assert [c.what for c in changes] == ["Profile", "Support profile"]
    assert sorted(changes[1].fields) == ["on probation", "private notes"]


def test_every_history_builds_its_manager_class_once_and_still_reads_the_instances_versions(users):
    """`Model.history` on every model (and on the many-to-many histories of the historical models)
    gives a manager of one class built when the app was ready, bound to the instance as before."""
    kept = [
        (model, name)
        for model in apps.get_models()
        for name, value in vars(model).items()
        if isinstance(value, HistoryDescriptor)
    ]
    assert {model for model, _name in kept} >= {Student, Guardian, Enrollment, Cohort, Cohort.history.model}
    assert all(type(vars(model)[name]) is KeptHistoryDescriptor for model, name in kept)
    assert type(Student.history) is type(Student.history)  # one class, not a new one per access
    with history_user(users["counselor"]):
        student = StudentFactory(first_name="Ana")
        edit(student, first_name="Ana María")
    assert [v.first_name for v in student.history.order_by("history_id")] == ["Ana", "Ana María"]
    assert student.history.instance == student
