"""Career pathways: credentials, placements and their hours, and the pathway page against its targets."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from programs.models import Certification, Credential, Pathway, PathwayStep, Placement, PlacementHours
from programs.services import credential_record, placement_create, placement_hours_log
from reports.models import Target
from students.models import ExitReason
from students.services import enrollment_exit
from tests.factories import CohortFactory, EnrollmentFactory, PartnerFactory, ProgramFactory, StudentFactory
from tests.matrix import matrix

pytestmark = pytest.mark.django_db

EARNED = date(2026, 10, 1)


@pytest.fixture
def pathway(site):
    """Stagecraft in two programs, preparing for one certification."""
    pathway = Pathway.objects.create(name="Stagecraft Technical Theatre")
    for position in (1, 2):
        PathwayStep.objects.create(pathway=pathway, program=ProgramFactory(), position=position)
    certification = Certification.objects.create(name="OSHA 10 Entertainment", issuer="OSHA")
    certification.pathways.add(pathway)
    return pathway


def join(student, pathway, site, *, completed: int):
    """Put a student in a cohort of each program of the pathway; the first `completed` are completed."""
    for n, step in enumerate(pathway.steps.all()):
        cohort = CohortFactory(program=step.program, site=site)
        status = "completed" if n < completed else "enrolled"
        cohort.participations.create(student=student, joined_on=date(2026, 9, 14), status=status)


def test_a_credential_cannot_expire_before_it_is_earned_nor_be_earned_in_the_future(pathway, student):
    certification = pathway.certifications.get()
    with pytest.raises(ValidationError):
        credential_record(
            student=student,
            certification=certification,
            earned_on=EARNED,
            expires_on=EARNED - timedelta(days=1),
        )
    with pytest.raises(ValidationError) as future:
        credential_record(
            student=student, certification=certification, earned_on=timezone.localdate() + timedelta(days=1)
        )
    assert future.value.code == "future"
    assert not Credential.objects.exists()
    with pytest.raises(IntegrityError):
        Credential.objects.create(
            student=student,
            certification=certification,
            earned_on=EARNED,
            expires_on=EARNED - timedelta(days=1),
        )


@pytest.fixture
def placement(student):
    return placement_create(
        student=student,
        partner=PartnerFactory(name="IATSE Local 33"),
        kind=Placement.Kind.INTERNSHIP,
        supervisor_name="Pat Moreno",
        starts_on=date(2026, 10, 1),
        planned_hours=Decimal(40),
    )


def test_college_units_are_for_dual_enrollment_only(student):
    with pytest.raises(ValidationError) as error:
        placement_create(
            student=student,
            partner=PartnerFactory(),
            kind=Placement.Kind.MENTORSHIP,
            supervisor_name="Pat",
            starts_on=EARNED,
            planned_hours=Decimal(10),
            college_units=Decimal(3),
        )
    assert error.value.code == "college_units"
    dual = placement_create(
        student=student,
        partner=PartnerFactory(kind="college"),
        kind=Placement.Kind.DUAL_ENROLLMENT,
        supervisor_name="Prof. Lee",
        starts_on=EARNED,
        planned_hours=Decimal(48),
        college_units=Decimal(3),
    )
    assert dual.college_units == 3


@pytest.mark.parametrize(
    "on, hours, approval, code",
    [
        (date(2026, 10, 5), Decimal(0), "Timesheet", "hours"),
        (date(2026, 10, 5), Decimal(-2), "Timesheet", "hours"),
        (None, Decimal(3), "Timesheet", "future"),
        (date(2026, 9, 30), Decimal(3), "Timesheet", "before_start"),
        (date(2026, 10, 5), Decimal(3), "  ", "sign_off"),
    ],
)
def test_bad_hours_are_refused_and_nothing_is_written(placement, on, hours, approval, code):
    on = on or timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        placement_hours_log(placement=placement, on=on, hours=hours, supervisor_approval=approval)
    assert error.value.code == code
    assert not PlacementHours.objects.exists()


def test_hours_are_signed_off_by_program_staff_or_the_supervisors_approval(placement, users):
    with pytest.raises(ValidationError) as error:
        placement_hours_log(
            placement=placement, on=date(2026, 10, 5), hours=Decimal(4), signed_off_by=users["teacher"]
        )
    assert error.value.code == "sign_off"
    by_staff = placement_hours_log(
        placement=placement, on=date(2026, 10, 5), hours=Decimal(4), signed_off_by=users["staff"]
    )
    by_supervisor = placement_hours_log(
        placement=placement, on=date(2026, 10, 6), hours=Decimal("2.5"), supervisor_approval="Email 10/6"
    )
    assert {by_staff.signed_off_by, by_supervisor.supervisor_approval} == {users["staff"], "Email 10/6"}
    with pytest.raises(IntegrityError):
        PlacementHours.objects.create(placement=placement, date=date(2026, 10, 7), hours=Decimal(1))


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(admin=200, staff=200, counselor=200, teacher=200, other_teacher=200),
)
def test_pathway_page_permissions(as_role, pathway, role, status):
    response = as_role(role).get(reverse("programs:pathway_detail", args=[pathway.pk]))
    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("login"))


def test_a_teacher_sees_only_their_own_students_in_a_pathway(as_role, pathway, site, student, other_site):
    join(student, pathway, site, completed=1)
    stranger = EnrollmentFactory(site=other_site).student
    join(stranger, pathway, other_site, completed=0)
    assert [
        s.pk
        for s in as_role("teacher")
        .get(reverse("programs:pathway_detail", args=[pathway.pk]))
        .context["students"]
    ] == [student.pk]


def test_the_pathway_page_refuses_the_wrong_method(as_role, pathway):
    assert as_role("staff").post(reverse("programs:pathway_detail", args=[pathway.pk])).status_code == 405


def test_the_pathway_page_measures_its_students_against_the_targets(as_role, pathway, site, teacher):
    target = Target.objects.get(key=Target.Key.PATHWAY_COMPLETION)
    target.percent = 50
    target.save()  # as the admin console saves it
    done = EnrollmentFactory(site=site, teacher=teacher)
    join(done.student, pathway, site, completed=2)
    credential_record(student=done.student, certification=pathway.certifications.get(), earned_on=EARNED)
    enrollment_exit(enrollment=done, ended_on=date(2026, 11, 2), exit_reason=ExitReason.GRADUATED)
    halfway = EnrollmentFactory(site=site, teacher=teacher).student
    join(halfway, pathway, site, completed=1)
    StudentFactory()  # not in the pathway
    response = as_role("staff").get(reverse("programs:pathway_detail", args=[pathway.pk]))
    figures = {
        f.key: (f.count, f.total, f.percent, f.target, f.meets_target) for f in response.context["figures"]
    }
    assert figures == {
        "pathway_completion": (1, 2, 50, 50, True),
        "pathway_graduation": (1, 2, 50, 100, False),
        "pathway_certification": (1, 2, 50, 95, False),
    }


def test_the_pathway_page_queries_do_not_grow_with_students(
    as_role, pathway, site, teacher, django_assert_num_queries
):
    client = as_role("staff")

    def add_students(n):
        for _ in range(n):
            join(EnrollmentFactory(site=site, teacher=teacher).student, pathway, site, completed=1)

    add_students(2)
    # session, user, groups, pathway, steps, students with outcomes, targets, certifications, the bell
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(9) as first:
        client.get(reverse("programs:pathway_detail", args=[pathway.pk]))
    add_students(8)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("programs:pathway_detail", args=[pathway.pk]))
    assert len(response.context["students"]) == 10


# Credential and placement pages -----------------------------------------------------------------

RECORDS = matrix(
    admin=200, staff=200, counselor=403, teacher=403, other_teacher=404, teaching_artist=404, no_role=404
)


@pytest.mark.parametrize("name", ["programs:credential_create", "programs:placement_create"])
@pytest.mark.parametrize(("role", "status"), RECORDS)
def test_credential_and_placement_form_permissions(as_role, student, name, role, status):
    response = as_role(role).get(reverse(name, args=[student.pk]))
    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(
        admin=200, staff=200, counselor=200, teacher=200, other_teacher=404, teaching_artist=404, no_role=404
    ),
)
def test_placement_page_permissions(as_role, placement, role, status):
    assert as_role(role).get(reverse("programs:placement_detail", args=[placement.pk])).status_code == status


def test_only_program_staff_log_hours_on_the_placement_page(as_role, placement):
    url = reverse("programs:placement_detail", args=[placement.pk])
    data = {"on": "2026-10-05", "hours": "3", "supervisor_approval": "Timesheet"}
    assert as_role("counselor").post(url, data).status_code == 403
    assert as_role("staff").post(url, {**data, "hours": "0"}).status_code == 200
    assert not PlacementHours.objects.exists()
    response = as_role("staff").post(url, {"on": "2026-10-05", "hours": "3", "staff_sign_off": "on"})
    assert response.status_code == 302
    assert PlacementHours.objects.get().signed_off_by.username == "staff"
    assert as_role("staff").put(url).status_code == 405


def test_staff_record_a_credential_and_bad_dates_are_refused(as_role, pathway, student):
    url = reverse("programs:credential_create", args=[student.pk])
    certification = pathway.certifications.get()
    data = {"certification": certification.pk, "earned_on": "2026-10-01", "expires_on": "2026-09-01"}
    response = as_role("staff").post(url, data)
    assert response.status_code == 200 and "cannot expire before" in response.content.decode()
    assert not Credential.objects.exists()
    response = as_role("staff").post(url, {**data, "expires_on": "2029-10-01", "evidence": "Card 1234"})
    assert response.url == reverse("students:detail", args=[student.pk])
    assert Credential.objects.get().evidence == "Card 1234"


def test_staff_add_a_dual_enrollment_placement(as_role, student):
    college = PartnerFactory(kind="college")
    data = {
        "kind": "dual_enrollment",
        "partner": college.pk,
        "supervisor_name": "Prof. Lee",
        "starts_on": "2026-10-01",
        "planned_hours": "48",
        "college_units": "3",
    }
    response = as_role("staff").post(reverse("programs:placement_create", args=[student.pk]), data)
    placement = Placement.objects.get()
    assert response.url == reverse("programs:placement_detail", args=[placement.pk])
    assert placement.college_units == 3
    bad = as_role("staff").post(
        reverse("programs:placement_create", args=[student.pk]), {**data, "kind": "internship"}
    )
    assert bad.status_code == 200 and "dual enrollment only" in bad.content.decode()
    assert Placement.objects.count() == 1


@pytest.mark.parametrize(("role", "status"), matrix(admin=200, staff=200))
def test_certification_form_permissions(as_role, users, role, status):
    response = as_role(role).get(reverse("programs:certification_create"))
    assert response.status_code == status


def test_staff_attach_a_new_certification_to_a_pathway(as_role, pathway):
    url = reverse("programs:certification_create")
    assert as_role("staff").post(url, {"name": "", "issuer": "OSHA"}).status_code == 200
    assert Certification.objects.count() == 1
    response = as_role("staff").post(
        url, {"name": "Fall protection", "issuer": "OSHA", "pathways": [pathway.pk]}
    )
    assert response.status_code == 302
    assert set(pathway.certifications.values_list("name", flat=True)) == {
        "OSHA 10 Entertainment",
        "Fall protection",
    }
