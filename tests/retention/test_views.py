"""A family's copy, corrections and district releases on the web: who may, what they get, bad input."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from artworx import roles
from retention.models import Anonymisation, Correction, DistrictRelease
from retention.services.releases import (
    release_confirm,
    release_plan,
    release_signature_holds,
)
from students.models import Student
from tests.factories import EnrollmentFactory, GuardianFactory, UserFactory
from tests.matrix import matrix
from tests.retention.leavers import leaver

pytestmark = pytest.mark.django_db
STAFF_ONLY = matrix(
    default=403, admin=200, staff=200, counselor=200, teaching_artist=404, other_teacher=404, no_role=404
)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize(("role", "status"), STAFF_ONLY)
def test_the_copy_page_is_for_staff_who_see_the_student(as_role, student, role, status):
    assert as_role(role).get(reverse("retention:family_copy", args=[student.pk])).status_code == status


@pytest.mark.parametrize(("role", "status"), STAFF_ONLY)
def test_the_zip_holds_the_records_as_json_and_the_pdf(as_role, student, role, status):
    response = as_role(role).get(reverse("retention:family_copy_zip", args=[student.pk]), {"language": "en"})
    assert response.status_code == status
    if status == 200:
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        data = json.loads(archive.read(f"student-{student.pk}.json"))
        assert data["records"]["students.Student"][0]["last_name"] == student.last_name
        assert data["records"]["students.Enrollment"][0]["site_id"] == student.enrollments.get().site_id
        assert f"student-{student.pk}-en.pdf" in archive.namelist()


def test_the_pdf_is_in_the_familys_language(as_role, student):
    GuardianFactory(student=student, language="es", is_primary=True)
    response = as_role("staff").get(reverse("retention:family_copy_pdf", args=[student.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert student.last_name in text and "Historial de cambios" in text
    english = as_role("staff").get(
        reverse("retention:family_copy_pdf", args=[student.pk]), {"language": "en"}
    )
    assert "History of changes" in pdf_text(english.content)


def test_the_copy_leaves_out_the_staff_working_notes(as_role, student):
    student.support_profile.private_notes = "Working note QXNOTE"
    student.support_profile.save()
    response = as_role("staff").get(reverse("retention:family_copy_zip", args=[student.pk]))
    data = zipfile.ZipFile(io.BytesIO(response.content)).read(f"student-{student.pk}.json").decode()
    assert "QXNOTE" not in data and "on_probation" in data


def test_an_unknown_language_says_so_and_makes_nothing(as_role, student):
    response = as_role("staff").get(
        reverse("retention:family_copy_pdf", args=[student.pk]), {"language": "fr"}
    )
    assert response.status_code == 302 and response.url == reverse("retention:family_copy", args=[student.pk])


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(
        default=403, admin=302, staff=302, counselor=302, teaching_artist=404, other_teacher=404, no_role=404
    ),
)
def test_a_correction_changes_the_record_and_keeps_what_and_why(as_role, student, role, status):
    url = reverse("retention:correction_create", args=[student.pk])
    data = {"field": "address", "value": "40 Main St", "reason": "Moved in May", "requested_by": "Mother"}
    response = as_role(role).post(url, data)
    assert response.status_code == status
    student.refresh_from_db()
    if role != "anonymous" and status == 302:
        correction = Correction.objects.get(student=student)
        assert (correction.before, correction.after, correction.reason) == ("", "40 Main St", "Moved in May")
        assert student.address == "40 Main St"
    else:
        assert not Correction.objects.exists() and student.address == ""


def test_a_correction_that_does_not_validate_says_why_and_writes_nothing(as_role, student):
    url = reverse("retention:correction_create", args=[student.pk])
    data = {"field": "date_of_birth", "value": "not a date", "reason": "typo", "requested_by": "Mother"}
    response = as_role("staff").post(url, data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Correction.objects.exists()


def test_the_copy_page_lists_corrections_in_a_fixed_number_of_queries(as_role, student, users):
    client = as_role("staff")
    url = reverse("retention:family_copy", args=[student.pk])
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    Correction.objects.create(
        student=student,
        record="student",
        field="address",
        reason="r",
        requested_by="m",
        recorded_by=users["staff"],
        recorded_at=student.created_at,
    )
    one = queries()
    for _ in range(5):
        Correction.objects.create(
            student=student,
            record="student",
            field="address",
            reason="r",
            requested_by="m",
            recorded_by=users["staff"],
            recorded_at=student.created_at,
        )
    assert queries() == one


# Ending a district contract ------------------------------------------------------------------------------


@pytest.fixture
def district(site, teacher, users):
    """Two leavers of district ids LA…, one enrolled now, one of another district."""
    staff = users["staff"]
    gone = [leaver(site=site, teacher=teacher, staff=staff) for _ in range(2)]
    for n, student in enumerate(gone):
        Student.objects.filter(pk=student.pk).update(district_id=f"LA{n:05d}")
    enrolled = EnrollmentFactory(site=site, teacher=teacher, student__district_id="LA99999").student
    other = leaver(site=site, teacher=teacher, staff=staff)
    Student.objects.filter(pk=other.pk).update(district_id="SF00001")
    return gone, enrolled, other


@pytest.mark.parametrize(("role", "status"), matrix(default=403, admin=302))
def test_only_an_administrator_makes_the_dry_run(as_role, district, role, status):
    response = as_role(role).post(
        reverse("retention:release_list"), {"district": "LAUSD", "district_id_prefix": "LA"}
    )
    assert response.status_code == status
    assert DistrictRelease.objects.exists() is (role == "admin")


def test_the_dry_run_counts_by_kind_keeps_who_is_enrolled_and_changes_nothing(as_role, district):
    gone = district[0]
    as_role("admin").post(
        reverse("retention:release_list"), {"district": "LAUSD", "district_id_prefix": "LA"}
    )
    release = DistrictRelease.objects.get()
    assert sorted(release.student_ids) == sorted(s.pk for s in gone)
    assert release.plan["students"] == 2 and release.plan["kept: enrolled now"] == 1
    assert not Anonymisation.objects.exists()


def test_a_selection_with_nothing_in_it_says_so(as_role, district):
    response = as_role("admin").post(reverse("retention:release_list"), {"district": "LAUSD"})
    assert response.status_code == 200 and response.context["form"].errors
    response = as_role("admin").post(
        reverse("retention:release_list"), {"district": "X", "district_id_prefix": "ZZ"}
    )
    assert response.status_code == 200 and "No student" in str(response.context["form"].errors)
    assert not DistrictRelease.objects.exists()


def test_two_different_administrators_confirm_then_it_exports_anonymises_and_signs(
    as_role, district, users, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.ARTWORX_RUN_TASKS_INLINE = True  # as on the embedded default; a worker runs the same function
    gone, enrolled, other = district
    second = UserFactory(username="admin2", role=roles.ADMINISTRATOR)
    as_role("admin").post(
        reverse("retention:release_list"), {"district": "LAUSD", "district_id_prefix": "LA"}
    )
    release = DistrictRelease.objects.get()
    confirm = reverse("retention:release_confirm", args=[release.pk])
    client = as_role("admin")
    client.post(confirm)
    client.post(confirm)  # the same administrator again: refused
    release.refresh_from_db()
    assert release.status == DistrictRelease.Status.CONFIRMED and release.second_confirmed_by is None
    assert not Anonymisation.objects.exists()
    client.force_login(second)
    client.post(confirm)
    release.refresh_from_db()

    assert release.status == DistrictRelease.Status.DONE and release_signature_holds(release)
    assert release.summary["students_anonymised"] == 2
    assert release.summary["first_confirmed_by"] == str(users["admin"])
    archive = zipfile.ZipFile(tmp_path / release.export_name)
    assert sorted(archive.namelist()) == sorted(f"student-{s.pk}.json" for s in gone)
    assert set(Anonymisation.objects.values_list("student_id", flat=True)) == {s.pk for s in gone}
    assert Student.objects.get(pk=enrolled.pk).district_id == "LA99999"  # enrolled now: untouched
    assert Student.objects.get(pk=other.pk).district_id == "SF00001"
    response = client.get(reverse("retention:release_export", args=[release.pk]))
    assert response.status_code == 200
    release.summary["students_anonymised"] = 3
    assert not release_signature_holds(release)


@pytest.mark.parametrize(("role", "status"), matrix(default=403, admin=200))
def test_a_release_page_shows_the_dry_run_and_who_confirmed_to_an_administrator_only(
    as_role, district, users, role, status
):
    release = release_plan(district="LAUSD", district_id_prefix="LA", by=users["admin"])
    response = as_role(role).get(reverse("retention:release_detail", args=[release.pk]))
    assert response.status_code == status
    if status == 200:
        assert response.context["plan"] == sorted(release.plan.items())
        page = response.content.decode()
        assert "Dry run by" in page and "Confirm: export, then anonymise these students" in page
        assert not response.context["export_available"]  # nothing exported before two confirmations


def test_a_third_confirmation_is_refused(district, users):
    second = UserFactory(username="admin2", role=roles.ADMINISTRATOR)
    release = release_plan(district="LAUSD", district_id_prefix="LA", by=users["admin"])
    release_confirm(release=release, by=users["admin"])
    release_confirm(release=release, by=second)
    with pytest.raises(Exception, match="already confirmed twice"):
        release_confirm(release=release, by=users["admin"])


@pytest.mark.parametrize(("role", "shown"), [("staff", True), ("counselor", True), ("teacher", False)])
def test_the_student_page_links_to_the_copy_for_staff_roles(as_role, student, role, shown):
    response = as_role(role).get(reverse("students:detail", args=[student.pk]))
    assert response.status_code == 200
    assert (reverse("retention:family_copy", args=[student.pk]) in response.content.decode()) is shown
