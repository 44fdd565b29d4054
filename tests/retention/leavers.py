"""Students who left long ago, with a record in every table a student's records live in."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from alumni.models import Alumnus, CheckIn
from families.models import FamilyNotice, Message
from notifications.models import Kind, Notification
from programs.models import (
    Attendance,
    Certification,
    Credential,
    Participation,
    Placement,
    PlacementHours,
    Session,
)
from retention.models import Correction, LegalHold
from sites.models import Partner
from students.models import (
    Assignment,
    Contract,
    Enrollment,
    GuardianConsent,
    RecordRead,
    Referral,
    Review,
    Student,
    WaitlistEntry,
)
from tests.agreements import open_signed_contract
from tests.factories import CohortFactory, EnrollmentFactory, GuardianFactory, ReferralFactory

STARTED = date(2019, 9, 3)
LEFT = date(2020, 6, 12)  # six years before the suite's clock: past the default five


def leaver(*, site, teacher, staff, cohort=None, graduate: bool = False, left_on: date = LEFT) -> Student:
    """A student enrolled from STARTED to `left_on`, with guardians, a signed contract and its work, arts
    programs with logged sessions, credentials, a placement, messages, a referral, a lifted legal hold, a
    correction, a read-audit row, an outbox item and an admin log line; a graduate is an alumnus who
    withdrew consent, with check-ins."""
    enrollment = EnrollmentFactory(site=site, teacher=teacher, started_on=STARTED)
    student = enrollment.student
    student.email, student.address, student.phone = "kid@example.org", "12 Elm St", "(213) 555-0111"
    student.preferred_name = "Kiddo"
    student.save()
    student.support_profile.private_notes = "Talks about home"
    student.support_profile.on_probation = True
    student.support_profile.save()
    guardian = GuardianFactory(student=student, email="parent@example.org", consents_to_messages=True)
    GuardianConsent.objects.filter(guardian=guardian).update(note="said yes at pickup")
    contract = open_signed_contract(
        student=student,
        started_on=date(2019, 9, 9),
        courses=[{"subject_area": "english", "title": "English 11A", "credits": Decimal(5)}],
    )
    Contract.objects.filter(pk=contract.pk).update(extension_reason="family emergency", due_note="moved")
    course = contract.courses.get()
    course.status, course.grade, course.resolved_on = "completed", "B", date(2020, 1, 10)
    course.save()
    Assignment.objects.create(
        contract=contract,
        course=course,
        title="Essay on my family",
        assigned_on=date(2019, 9, 9),
        due_on=date(2019, 9, 20),
        handed_in_on=date(2019, 9, 19),
    )
    Review.objects.create(
        contract=contract,
        opened_on=date(2019, 10, 1),
        missed_count=3,
        findings="Missed work while ill",
        changes="Fewer hours",
        keep_until=date(2022, 10, 1),
    )
    WaitlistEntry.objects.create(student=student, site=site, added_on=date(2019, 8, 1), skip_reason="moved")
    Referral.objects.filter(pk=ReferralFactory(received_on=date(2019, 8, 1)).pk).update(
        student=student, notes="Referred by aunt", email="kid@example.org"
    )
    cohort = cohort or CohortFactory(
        site=site, term_starts_on=date(2019, 9, 9), term_ends_on=date(2019, 12, 13)
    )
    participation = Participation.objects.create(
        cohort=cohort, student=student, joined_on=date(2019, 9, 9), override_reason="portfolio"
    )
    session, _created = Session.objects.get_or_create(
        cohort=cohort,
        date=date(2019, 9, 9),
        defaults={
            "starts_at": time(15, 30),
            "duration_minutes": 90,
            "status": "logged",
            "topic": "Portraits",
            "notes": "Ana was upset",
            "activities": "Sketching",
        },
    )
    Attendance.objects.create(session=session, participation=participation, mark="P")
    certification, _ = Certification.objects.get_or_create(name="OSHA 10", defaults={"issuer": "OSHA"})
    Credential.objects.create(
        student=student, certification=certification, earned_on=date(2020, 3, 1), evidence="card 123"
    )
    partner = Partner.objects.create(name=f"Theatre {student.pk}", kind="cultural")
    placement = Placement.objects.create(
        student=student,
        partner=partner,
        kind="internship",
        title="Stage crew",
        supervisor_name="Sam Boss",
        supervisor_email="sam@example.org",
        starts_on=date(2020, 1, 6),
        planned_hours=Decimal(40),
    )
    PlacementHours.objects.create(
        placement=placement,
        date=date(2020, 1, 7),
        hours=Decimal(4),
        supervisor_approval="Sam Boss",
        signed_off_by=staff,
    )
    message = Message.objects.create(
        student=student,
        guardian=guardian,
        direction="out",
        kind="staff",
        body="Ana missed class",
        phone="+12135550100",
        status="sent",
        provider_sid=f"SM{student.pk:032d}",
        written_by=staff,
    )
    FamilyNotice.objects.create(
        guardian=guardian,
        student=student,
        kind="absence",
        occasion=f"attendance-{student.pk}",
        on=date(2019, 9, 9),
        details={"first_name": "Ana"},
        message=message,
    )
    Notification.objects.create(
        recipient=None,
        recipient_email="parent@example.org",
        recipient_name="Ana's mother",
        kind=Kind.CONTRACT_DUE_SOON,
        subject_type=ContentType.objects.get_for_model(Contract),
        subject_id=contract.pk,
        dedupe_key=f"due-{contract.pk}",
        in_app=False,
        by_email=True,
        title="Ana's contract",
        body="Ana has 5 days",
        status="sent",
        sent_at=timezone.now(),
    )
    RecordRead.objects.create(
        user=staff, student=student, parts="support", at=timezone.now(), path=f"/students/{student.pk}/"
    )
    hold = LegalHold.objects.create(student=student, reason="subpoena about Ana", set_by=staff)
    hold.delete()  # lifted: its history stays, naming the student
    Correction.objects.create(
        student=student,
        record="student",
        field="address",
        before="1 Oak",
        after="12 Elm St",
        reason="moved",
        requested_by="Ana's mother",
        recorded_by=staff,
        recorded_at=timezone.now(),
    )
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(Student),
        object_id=str(student.pk),
        object_repr=str(student),
        action_flag=CHANGE,
        change_message="Changed address",
    )
    exit_reason = "graduated" if graduate else "moved"
    Enrollment.objects.filter(pk=enrollment.pk).update(
        ended_on=left_on, exit_reason=exit_reason, exit_notes="gone"
    )
    if graduate:
        alumnus = Alumnus.objects.create(
            student=student,
            graduated_on=left_on,
            plans="college",
            phone="213",
            email="grad@example.org",
            address="12 Elm St",
            consents_to_contact=True,
        )
        CheckIn.objects.create(
            alumnus=alumnus,
            date=left_on + timedelta(days=30),
            staff=staff,
            method="call",
            outcome="college",
            notes="At LACC",
            next_due_on=left_on + timedelta(days=120),
        )
        alumnus.consents_to_contact = False
        alumnus.save()
    return student
