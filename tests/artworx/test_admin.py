"""The admin console: administrators only, every write through the services, nothing deleted."""

from datetime import date

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from sites.models import Partner
from students.models import Enrollment, ExitReason
from tests.factories import TOTP_SECRET, EnrollmentFactory, SiteFactory, StudentFactory
from tests.matrix import matrix

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "status"), matrix(admin=200, default=302))
def test_only_administrators_reach_the_admin_console(as_role, role, status):
    response = as_role(role).get(reverse("admin:index"))
    assert response.status_code == status
    if status == 302:
        assert reverse("admin:login") in response.url


def test_a_superuser_reaches_the_admin_console_once_holding_a_second_factor(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 12)
    client.force_login(root)
    assert client.get(reverse("admin:index")).url == reverse("mfa_activate_totp")
    TOTP.activate(root, TOTP_SECRET)
    client.force_login(root)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "admin:students_student_changelist",
        "admin:students_enrollment_changelist",
        "admin:students_guardian_changelist",
        "admin:students_supportprofile_changelist",
        "admin:sites_site_changelist",
        "admin:sites_partner_changelist",
        "admin:sites_closure_changelist",
        "admin:artworx_user_changelist",
        "admin:students_rosterimport_changelist",
    ],
)
def test_every_changelist_opens_with_search(as_role, enrollment, name):
    response = as_role("admin").get(reverse(name), {"q": "a"})
    assert response.status_code == 200


def test_the_student_page_in_the_admin_shows_guardians_support_and_enrollments(as_role, student):
    response = as_role("admin").get(reverse("admin:students_student_change", args=[student.pk]))
    names = {formset.opts.model._meta.model_name for formset in response.context["inline_admin_formsets"]}
    assert names == {"guardian", "supportprofile", "enrollment"}


def test_an_administrator_cannot_overfill_a_site_from_the_admin(as_role, teacher):
    full = SiteFactory(capacity=1, teachers=[teacher])
    EnrollmentFactory(site=full, teacher=teacher)
    student = StudentFactory()
    data = {"student": student.pk, "site": full.pk, "teacher": teacher.pk, "started_on": "2026-11-02"}
    response = as_role("admin").post(reverse("admin:students_enrollment_add"), data, follow=True)
    assert "is full" in response.content.decode()
    assert not student.enrollments.exists()


def test_an_administrator_enrolls_through_the_service(as_role, site, teacher):
    student = StudentFactory()
    data = {"student": student.pk, "site": site.pk, "teacher": teacher.pk, "started_on": "2026-11-02"}
    response = as_role("admin").post(reverse("admin:students_enrollment_add"), data)
    assert response.status_code == 302
    assert student.enrollments.get().is_open


def test_an_administrator_ends_an_enrollment_through_the_service(as_role, enrollment):
    data = {"ended_on": "2026-10-01", "exit_reason": ExitReason.MOVED, "exit_notes": ""}
    response = as_role("admin").post(reverse("admin:students_enrollment_change", args=[enrollment.pk]), data)
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.ended_on == date(2026, 10, 1)


def test_an_exit_before_the_start_is_refused_in_the_admin(as_role, enrollment):
    data = {"ended_on": "2026-01-01", "exit_reason": ExitReason.MOVED, "exit_notes": ""}
    response = as_role("admin").post(
        reverse("admin:students_enrollment_change", args=[enrollment.pk]), data, follow=True
    )
    assert response.status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.is_open


def test_an_administrator_cannot_cut_capacity_below_enrollment(as_role, enrollment):
    site = enrollment.site
    data = {
        "name": site.name,
        "address": site.address,
        "capacity": "0",
        "teachers": [enrollment.teacher_id],
        "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
        "is_active": "on",
    }
    as_role("admin").post(reverse("admin:sites_site_change", args=[site.pk]), data)
    site.refresh_from_db()
    assert site.capacity == 50


@pytest.mark.parametrize(
    "name", ["admin:students_student_delete", "admin:students_enrollment_delete", "admin:sites_site_delete"]
)
def test_students_enrollments_and_sites_cannot_be_deleted(as_role, enrollment, name):
    pk = {"student": enrollment.student_id, "enrollment": enrollment.pk, "site": enrollment.site_id}[
        name.split("_")[1]
    ]
    response = as_role("admin").post(reverse(name, args=[pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


def test_a_closure_added_in_the_admin_moves_due_dates(as_role, student, open_contract):
    contract = open_contract(student, date(2026, 9, 14))
    data = {"name": "Storm day", "site": "", "starts_on": "2026-10-05", "ends_on": "2026-10-05"}
    response = as_role("admin").post(reverse("admin:sites_closure_add"), data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.due_on == date(2027, 1, 4)
    assert "Storm day" in contract.due_note


def test_a_closure_with_reversed_dates_is_refused_in_the_admin(as_role):
    data = {"name": "Backwards", "site": "", "starts_on": "2026-10-05", "ends_on": "2026-10-01"}
    response = as_role("admin").post(reverse("admin:sites_closure_add"), data)
    assert response.status_code == 200
    assert "cannot end before it starts" in response.content.decode()


def test_contracts_are_opened_from_the_student_page_not_the_admin(as_role):
    assert as_role("admin").get(reverse("admin:students_contract_add")).status_code == 403


def contract_change_data(contract, **course_fields):
    course = contract.courses.get()
    row = {
        "id": course.pk,
        "contract": contract.pk,
        "subject_area": course.subject_area,
        "title": course.title,
        "credits": str(course.credits),
        "status": course.status,
        "grade": course.grade,
        "resolved_on": "",
        **course_fields,
    }
    data = {
        "courses-TOTAL_FORMS": "1",
        "courses-INITIAL_FORMS": "1",
        "courses-MIN_NUM_FORMS": "0",
        "courses-MAX_NUM_FORMS": "1000",
    }
    data.update({f"courses-0-{key}": value for key, value in row.items()})
    return data


def test_an_administrator_corrects_a_course_through_the_service(as_role, student, open_contract):
    contract = open_contract(student, date(2026, 9, 14), credits=[5])
    data = contract_change_data(contract, status="completed", grade="B", resolved_on="2026-10-01")
    response = as_role("admin").post(reverse("admin:students_contract_change", args=[contract.pk]), data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == "completed"


def test_an_inconsistent_course_correction_is_refused_in_the_admin(as_role, student, open_contract):
    contract = open_contract(student, date(2026, 9, 14), credits=[5])
    data = contract_change_data(contract, status="completed", grade="F", resolved_on="2026-10-01")
    response = as_role("admin").post(
        reverse("admin:students_contract_change", args=[contract.pk]), data, follow=True
    )
    assert "passing grade" in response.content.decode()
    assert contract.courses.get().status == "in_progress"


def test_a_partners_website_typed_without_a_scheme_is_kept_as_https(as_role):
    data = {
        "name": "Arts Council",
        "kind": "community",
        "website": "artscouncil.example.org",
        "is_active": "on",
    }
    response = as_role("admin").post(reverse("admin:sites_partner_add"), data)
    assert response.status_code == 302
    assert Partner.objects.get(name="Arts Council").website == "https://artscouncil.example.org"
