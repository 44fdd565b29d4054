"""The demo data, loaded once per test module, with the objects each role's checks are about."""

import io
from dataclasses import dataclass, fields
from datetime import date, timedelta

from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from alumni.models import Alumnus
from artworx.models import User
from notifications.models import Notification
from programs.models import Certification, Cohort, Participation, Pathway, Placement, Program, Session
from sites.models import Site
from students.models import (
    Assignment,
    Contract,
    Enrollment,
    Guardian,
    Referral,
    Review,
    RosterImport,
    Student,
    WaitlistEntry,
)
from tests.factories import UserFactory, WaitlistEntryFactory


@dataclass
class World:
    """Users by role and, for each kind of object, one in the scope of `teacher` and `teaching_artist`."""

    users: dict[str, User]
    site: Site
    student: Student
    guardian: Guardian
    enrollment: Enrollment
    contract: Contract
    assignment: Assignment
    review: Review
    roster_import: RosterImport
    waitlist_entry: WaitlistEntry
    referral: Referral
    program: Program
    pathway: Pathway
    certification: Certification
    placement: Placement
    cohort: Cohort
    participation: Participation
    session: Session
    alumnus: Alumnus
    notification: Notification

    def read_again(self) -> "World":
        """The same objects, read again from the database: what a test set on one is gone."""
        picked = [getattr(self, field.name) for field in fields(self) if field.name != "users"]
        for instance in [*self.users.values(), *picked]:
            if instance is not None:
                instance.refresh_from_db()
        return self


def build_world() -> World:
    """Load the demo and pick objects: `teacher`'s first site, `artist`'s own cohort there."""
    # The demo refuses to run without DEBUG (its users share a published password); pytest turns it off.
    with override_settings(DEBUG=True), transaction.atomic():
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    users = {
        "admin": User.objects.get(username="admin"),
        "staff": User.objects.get(username="staff"),
        "counselor": User.objects.get(username="counselor"),
        "teacher": User.objects.get(username="teacher"),
        "teaching_artist": User.objects.get(username="artist"),
        # Same roles, other places: teacher3 teaches at another site, artist2 leads other cohorts.
        "other_teacher": User.objects.get(username="teacher3"),
        "other_artist": User.objects.get(username="artist2"),
        "no_role": UserFactory(username="norole"),
    }
    teacher, artist = users["teacher"], users["teaching_artist"]
    site = Site.objects.filter(teachers=teacher).order_by("pk").first()
    assert not site.teachers.filter(pk=users["other_teacher"].pk).exists()
    cohort = (
        Cohort.objects.filter(site=site, teaching_artists=artist, term_ends_on__gte=date.today())
        .exclude(teaching_artists=users["other_artist"])
        .first()
    )
    participation = cohort.participations.filter(
        student__enrollments__teacher=teacher, student__enrollments__ended_on__isnull=True
    ).first()
    student = participation.student
    enrollment = student.enrollments.get(ended_on__isnull=True)
    guardian = student.guardians.first() or Guardian.objects.create(
        student=student, name="Rosa Example", relationship=Guardian.Relationship.PARENT
    )
    # `teacher` supervises it: the one who signs its agreement and evaluates its work.
    contract = Contract.objects.filter(
        student__enrollments__site=site, status="active", teacher=teacher
    ).first()
    assignment = Assignment.objects.create(
        contract=contract,
        course=contract.courses.first(),
        title="Essay",
        assigned_on=contract.started_on,
        due_on=contract.started_on,
    )
    review = Review.objects.create(
        contract=contract,
        opened_on=date.today(),
        missed_count=3,
        keep_until=date.today() + timedelta(days=1100),
    )
    # A referral converted into an enrollment at the teacher's site (teachers see those, DESIGN.md rule 13).
    referral = Referral.objects.get(
        pk=Referral.objects.filter(
            student__enrollments__site=site, student__enrollments__ended_on__isnull=True
        )
        .values("pk")
        .first()["pk"]
    )
    waitlist_entry = WaitlistEntryFactory(site=site)
    roster_import = RosterImport.objects.create(uploaded_by=users["staff"], filename="roster.csv")
    pathway = Pathway.objects.first()
    certification = Certification.objects.create(name="OSHA 10", issuer="OSHA")
    placement = Placement.objects.filter(student__enrollments__site=site).first() or Placement.objects.first()
    alumnus = Alumnus.objects.filter(student__enrollments__site=site).first()
    # The reminders due in the demo, written and sent as beat and the workers would (locmem email).
    call_command("send_reminders", stdout=io.StringIO())
    notification = Notification.objects.filter(recipient=users["staff"], in_app=True).first()
    return World(
        users=users,
        site=site,
        student=student,
        guardian=guardian,
        enrollment=enrollment,
        contract=contract,
        assignment=assignment,
        review=review,
        roster_import=roster_import,
        waitlist_entry=waitlist_entry,
        referral=referral,
        program=cohort.program,
        pathway=pathway,
        certification=certification,
        placement=placement,
        cohort=cohort,
        participation=participation,
        session=cohort.sessions.order_by("date", "starts_at").first(),
        alumnus=alumnus,
        notification=notification,
    )


ROLES = (
    "anonymous",
    "admin",
    "staff",
    "counselor",
    "teacher",
    "teaching_artist",
    "other_teacher",
    "other_artist",
    "no_role",
)
