"""Roster import: bad files and rows explained, nothing written until confirmed, then all or nothing."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from artworx import roles
from students.models import Enrollment, RosterImport, Student, SupportProfile
from students.roster import roster_import_apply, roster_import_create, roster_read
from students.tasks import apply_roster_import
from students.views import roster_import as import_views
from tests.factories import EnrollmentFactory, SiteFactory, StudentFactory, UserFactory
from tests.matrix import matrix

pytestmark = pytest.mark.django_db
HEADER = "district_id,first_name,last_name,date_of_birth,grade,site,teacher,started_on\n"


def csv_file(*lines: str) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode()


def row(n: int, site="Eastside Storefront", teacher="teacher", **over) -> str:
    values = {
        "district_id": f"77{n:04d}",
        "first_name": f"Ana{n}",
        "last_name": "Ruiz",
        "date_of_birth": "2009-04-01",
        "grade": "11",
        "site": site,
        "teacher": teacher,
        "started_on": "2026-11-02",
        **over,
    }
    return ",".join(values.values())


@pytest.mark.parametrize("name", ["students:roster_import"])
@pytest.mark.parametrize(("role", "status"), matrix(admin=200, staff=200, counselor=200))
def test_roster_import_permissions(as_role, name, role, status):
    assert as_role(role).get(reverse(name)).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(
        admin=200, staff=200, counselor=200, teacher=403, teaching_artist=403, other_teacher=403, no_role=403
    ),
)
def test_roster_preview_permissions(as_role, users, site, teacher, role, status):
    imported = roster_import_create(name="r.csv", content=csv_file(row(1)), by=users["staff"])
    assert (
        as_role(role).get(reverse("students:roster_import_detail", args=[imported.pk])).status_code == status
    )


def test_confirm_is_post_only(as_role, users, site, teacher):
    imported = roster_import_create(name="r.csv", content=csv_file(row(1)), by=users["staff"])
    assert (
        as_role("staff").get(reverse("students:roster_import_confirm", args=[imported.pk])).status_code == 405
    )


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("r.csv", b"", "empty"),
        ("r.csv", HEADER.encode(), "empty"),
        ("r.csv", b"district_id,first_name\n1,Ana\n", "columns"),
        ("r.csv", (HEADER + "1,Jos\xe9,R,2009-01-01,11,S,t,2026-11-02\n").encode("latin-1"), "encoding"),
        ("r.csv", b"x" * (3 * 1024 * 1024), "too_large"),
        ("r.csv", (HEADER + "1,Ana\x00,R,2009-01-01,11,S,t,2026-11-02\n").encode(), "binary"),
        ("r.pdf", b"%PDF", "format"),
        ("r.xlsx", b"not a workbook", "unreadable"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(name, content, code):
    with pytest.raises(ValidationError) as refusal:
        roster_read(name=name, content=content)
    assert refusal.value.code == code


def test_every_kind_of_bad_row_is_explained_and_nothing_is_written(users, site, teacher, other_site):
    EnrollmentFactory(site=other_site, student__district_id="990001")
    content = csv_file(
        row(1),
        row(2, site="Nowhere"),
        row(3, teacher="nobody"),
        row(4, grade="13"),
        row(5, date_of_birth="31/31/2009"),
        row(6, first_name='=HYPERLINK("http://x","y")'),
        row(1),
        row(7, district_id="990001"),
        row(8, last_name=""),
    )
    imported = roster_import_create(name="r.csv", content=content, by=users["staff"])
    reasons = {r["line"]: " ".join(r["errors"]) for r in imported.results}
    assert imported.results[0]["action"] == "new"
    assert "unknown site" in reasons[3]
    assert "no active teacher is called nobody" in reasons[4]
    assert "grade must be 9 to 12" in reasons[5]
    assert "date_of_birth is not a date" in reasons[6]
    assert "formula" in reasons[7]
    assert "appears twice" in reasons[8]
    assert "already enrolled at" in reasons[9]
    assert "last_name is empty" in reasons[10]
    assert Student.objects.count() == 1 and Enrollment.objects.count() == 1


def test_a_full_site_is_caught_in_the_preview(users, teacher):
    small = SiteFactory(name="Tiny", capacity=2, teachers=[teacher])
    imported = roster_import_create(
        name="r.csv", content=csv_file(*(row(n, site="Tiny") for n in range(3))), by=users["staff"]
    )
    assert [r["action"] for r in imported.results] == ["new", "new", "error"]
    assert "Tiny is full" in imported.results[2]["errors"][0]
    assert small.enrollments.count() == 0


def test_an_existing_student_is_updated_not_duplicated(users, site, teacher):
    old = StudentFactory(district_id="770001", first_name="Old")
    imported = roster_import_create(name="r.csv", content=csv_file(row(1)), by=users["staff"])
    assert imported.results[0]["action"] == "update"
    roster_import_apply(roster_import_id=imported.pk)
    student = Student.objects.get(district_id="770001")
    assert student.first_name == "Ana1" and student.enrollments.open().get().site == site
    assert student.updated_at > old.updated_at  # the batched update keeps the row's timestamp true


def test_confirming_saves_every_row_through_the_services(as_role, users, site, teacher, settings):
    settings.ARTWORX_RUN_TASKS_INLINE = True
    imported = roster_import_create(name="r.csv", content=csv_file(row(1), row(2)), by=users["staff"])
    response = as_role("staff").post(reverse("students:roster_import_confirm", args=[imported.pk]))
    assert response.status_code == 302
    imported.refresh_from_db()
    assert (imported.status, imported.applied) == ("applied", 2)
    assert Enrollment.objects.open().filter(site=site).count() == 2
    assert Student.objects.get(district_id="770001").support_profile is not None


def test_a_row_that_fails_at_saving_leaves_nothing_written(users, teacher):
    tiny = SiteFactory(name="Tiny", capacity=2, teachers=[teacher])
    imported = roster_import_create(
        name="r.csv", content=csv_file(row(1, site="Tiny"), row(2, site="Tiny")), by=users["staff"]
    )
    EnrollmentFactory(site=tiny, teacher=teacher)  # a seat went after the preview
    result = roster_import_apply(roster_import_id=imported.pk)
    assert result.status == "failed" and "Row 3" in result.message and "full" in result.message
    assert not Student.objects.filter(district_id__startswith="77").exists()
    assert tiny.enrollments.count() == 1


def test_a_preview_with_errors_cannot_be_confirmed(as_role, users, site, teacher):
    imported = roster_import_create(name="r.csv", content=csv_file(row(1, grade="14")), by=users["staff"])
    as_role("staff").post(reverse("students:roster_import_confirm", args=[imported.pk]))
    imported.refresh_from_db()
    assert imported.status == "previewed" and not Student.objects.exists()


def test_with_a_worker_the_import_is_queued_not_applied_in_the_request(
    as_role, users, site, teacher, settings, monkeypatch
):
    settings.ARTWORX_RUN_TASKS_INLINE = False
    queued = []
    monkeypatch.setattr(import_views.apply_roster_import, "delay", queued.append)
    imported = roster_import_create(name="r.csv", content=csv_file(row(1)), by=users["staff"])
    as_role("staff").post(reverse("students:roster_import_confirm", args=[imported.pk]))
    assert queued == [imported.pk]
    imported.refresh_from_db()
    assert imported.status == "queued" and not Student.objects.exists()

    assert apply_roster_import(imported.pk) == "applied"
    assert apply_roster_import(imported.pk) == "applied"  # again: nothing more happens
    assert Student.objects.filter(district_id="770001").count() == 1


def test_the_upload_page_previews_a_file(as_role, site, teacher):
    upload = SimpleUploadedFile("roster.csv", csv_file(row(1)), content_type="text/csv")
    response = as_role("staff").post(reverse("students:roster_import"), {"file": upload})
    imported = RosterImport.objects.get()
    assert response.url == reverse("students:roster_import_detail", args=[imported.pk])
    assert not Student.objects.exists()


def test_a_bad_upload_is_refused_on_the_form(as_role):
    upload = SimpleUploadedFile("roster.csv", HEADER.encode(), content_type="text/csv")
    response = as_role("staff").post(reverse("students:roster_import"), {"file": upload})
    assert response.status_code == 200
    assert "no rows of students" in response.content.decode()
    empty = SimpleUploadedFile("roster.csv", b"", content_type="text/csv")
    assert (
        "The submitted file is empty"
        in as_role("staff").post(reverse("students:roster_import"), {"file": empty}).content.decode()
    )
    assert not RosterImport.objects.exists()


def test_an_excel_roster_is_read(users, site, teacher):
    book = Workbook()
    book.active.append(HEADER.strip().split(","))
    book.active.append(row(1).split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    imported = roster_import_create(name="roster.xlsx", content=buffer.getvalue(), by=users["staff"])
    assert [r["action"] for r in imported.results] == ["new"]


def test_a_2000_row_preview_takes_a_fixed_number_of_queries(users, teacher, django_assert_max_num_queries):
    sites = [SiteFactory(name=f"Site {n}", capacity=50, teachers=[teacher]) for n in range(3)]
    content, staff = csv_file(*(row(n, site=sites[n % 3].name) for n in range(2000))), users["staff"]
    with django_assert_max_num_queries(10):
        imported = roster_import_create(name="big.csv", content=content, by=staff)
    assert len(imported.results) == 2000


def _import_for_sites(sites, teachers, rows: int, users):
    """A file of `rows` new students spread over sites, 25 per teacher."""
    lines = [
        row(n, site=sites[n // 50].name, teacher=teachers[2 * (n // 50) + (n % 50) // 25].username)
        for n in range(rows)
    ]
    return roster_import_create(name="r.csv", content=csv_file(*lines), by=users["staff"])


def _sites_with_teachers(count: int):
    teachers = [UserFactory(username=f"t{n}", role=roles.TEACHER) for n in range(2 * count)]
    sites = [
        SiteFactory(name=f"Import {n}", capacity=50, teachers=teachers[2 * n : 2 * n + 2])
        for n in range(count)
    ]
    return sites, teachers


@pytest.mark.postgres  # SQLite caps a statement at 999 parameters, so its batches are a few dozen rows
def test_saving_an_import_takes_the_same_queries_for_50_rows_as_for_500(users):
    sites, teachers = _sites_with_teachers(10)
    queries = []
    for rows in (50, 500):
        imported = _import_for_sites(sites, teachers, rows, users)
        with CaptureQueriesContext(connection) as captured:
            result = roster_import_apply(roster_import_id=imported.pk)
        assert (result.status, result.applied) == ("applied", rows)
        queries.append(len(captured.captured_queries))
        Enrollment.objects.all().delete()
        Enrollment.history.all().delete()
        SupportProfile.objects.all().delete()
        Student.objects.all().delete()
    # Batches of 500 rows: the larger file adds no query per row.
    assert queries[1] <= queries[0] + 2, queries


def test_an_import_records_who_created_each_student_and_enrollment(users, site, teacher):
    imported = roster_import_create(name="r.csv", content=csv_file(row(1), row(2)), by=users["staff"])
    roster_import_apply(roster_import_id=imported.pk)
    students = Student.objects.filter(district_id__in=["770001", "770002"])
    assert {h.history_user for h in Student.history.filter(id__in=students)} == {users["staff"]}
    assert {h.history_user for h in Enrollment.history.filter(student__in=students)} == {users["staff"]}
    assert SupportProfile.history.filter(student__in=students).count() == 2


def test_an_import_refuses_a_teacher_past_25_and_names_the_row(users):
    sites, teachers = _sites_with_teachers(1)
    lines = [row(n, site=sites[0].name, teacher=teachers[0].username) for n in range(26)]
    imported = RosterImport.objects.create(
        uploaded_by=users["staff"], filename="r.csv", rows=roster_read(name="r.csv", content=csv_file(*lines))
    )  # saved without the preview: the service itself must refuse
    result = roster_import_apply(roster_import_id=imported.pk)
    assert result.status == "failed"
    assert "Row 27" in result.message and "already carries 25 students" in result.message
    assert not Student.objects.filter(district_id__startswith="77").exists()


def test_an_import_refuses_a_teacher_of_another_site(users, site, teacher, other_site):
    lines = [row(1, site=other_site.name)]
    imported = RosterImport.objects.create(
        uploaded_by=users["staff"], filename="r.csv", rows=roster_read(name="r.csv", content=csv_file(*lines))
    )
    result = roster_import_apply(roster_import_id=imported.pk)
    assert result.status == "failed" and "Row 2" in result.message and "does not teach at" in result.message
    assert not Enrollment.objects.exists()


def test_the_preview_and_the_import_refuse_the_same_rows_for_capacity(users, teacher, settings):
    """Every row the preview refuses is the row the import stops at, for the same reason, in turn."""
    settings.ARTWORX_MAX_CASELOAD = 2
    second = UserFactory(username="second", role=roles.TEACHER)
    tiny = SiteFactory(name="Tiny", capacity=3, teachers=[teacher, second])
    EnrollmentFactory(site=tiny, teacher=teacher)  # one seat taken, and one of teacher's two
    lines = [
        row(1, site="Tiny"),  # teacher's last place
        row(2, site="Tiny"),  # teacher full: caseload
        row(3, site="Tiny", teacher="second"),
        row(4, site="Tiny", teacher="second"),  # site full (3 seats), though second has a place
        row(5, site="Tiny", teacher="second"),  # still full: a refused row took no seat
    ]
    preview = roster_import_create(name="r.csv", content=csv_file(*lines), by=users["staff"]).results
    refused = [r for r in preview if r["action"] == "error"]
    assert [r["line"] for r in refused] == [3, 5, 6]
    assert "already carries 2 students" in refused[0]["errors"][0]
    assert "Tiny is full" in refused[1]["errors"][0]
    for n, reason in enumerate(refused):
        # The file as it stands once the rows refused before this one were taken out.
        kept = [line for i, line in enumerate(lines, start=2) if i not in {r["line"] for r in refused[:n]}]
        attempt = RosterImport.objects.create(
            uploaded_by=users["staff"],
            filename="r.csv",
            rows=roster_read(name="r.csv", content=csv_file(*kept)),
        )
        result = roster_import_apply(roster_import_id=attempt.pk)
        assert result.status == "failed"
        line_in_kept = 2 + [i for i in range(2, 7) if i not in {r["line"] for r in refused[:n]}].index(
            reason["line"]
        )
        assert result.message == f"Row {line_in_kept}: {' '.join(reason['errors'])}"
    clean = [line for i, line in enumerate(lines, start=2) if i not in {r["line"] for r in refused}]
    attempt = RosterImport.objects.create(
        uploaded_by=users["staff"], filename="r.csv", rows=roster_read(name="r.csv", content=csv_file(*clean))
    )
    assert roster_import_apply(roster_import_id=attempt.pk).status == "applied"
    assert tiny.enrollments.open().count() == 3


def test_a_teacher_is_found_by_full_name_email_or_username(users, site, teacher):
    teacher.first_name, teacher.last_name, teacher.email = "Kim", "Nguyen", "kim.nguyen@example.org"
    teacher.save()
    content = csv_file(
        row(1, teacher="Kim Nguyen"), row(2, teacher="KIM.NGUYEN@example.org"), row(3, teacher="teacher")
    )
    imported = roster_import_create(name="r.csv", content=content, by=users["staff"])
    assert [r["action"] for r in imported.results] == ["new", "new", "new"]
    roster_import_apply(roster_import_id=imported.pk)
    assert set(Enrollment.objects.values_list("teacher", flat=True)) == {teacher.pk}


def test_a_name_two_teachers_share_is_refused_with_both_named(users, site, teacher):
    teacher.first_name, teacher.last_name, teacher.email = "Kim", "Nguyen", "kim@example.org"
    teacher.save()
    other = UserFactory(
        first_name="Kim", last_name="Nguyen", email="k.nguyen@example.org", role=roles.TEACHER
    )
    site.teachers.add(other)
    imported = roster_import_create(
        name="r.csv", content=csv_file(row(1, teacher="Kim Nguyen")), by=users["staff"]
    )
    [result] = imported.results
    assert result["action"] == "error"
    assert "kim@example.org" in result["errors"][0] and "k.nguyen@example.org" in result["errors"][0]


def test_an_update_row_shows_each_field_it_changes(as_role, users, site, teacher):
    student = EnrollmentFactory(
        site=site,
        teacher=teacher,
        student__district_id="770001",
        student__date_of_birth=date(2009, 1, 1),
        student__grade=11,
        student__phone="(213) 555-0199",
    ).student
    content = csv_file(
        row(1, first_name=student.first_name, last_name=student.last_name, date_of_birth="2009-02-03")
    )
    imported = roster_import_create(name="r.csv", content=content, by=users["staff"])
    [result] = imported.results
    assert result["action"] == "update"
    changed = {change["field"]: (change["old"], change["new"]) for change in result["changes"]}
    assert changed["Date of birth"] == ("01/01/2009", "02/03/2009")
    assert "First name" not in changed
    assert "Phone" not in changed  # a column the file does not have leaves the field as it is
    page = as_role("staff").get(reverse("students:roster_import_detail", args=[imported.pk])).content.decode()
    assert "Date of birth: 01/01/2009 → 02/03/2009" in page


def test_an_error_preview_offers_a_corrected_upload_and_counts_in_words(as_role, users, site, teacher):
    content = csv_file(row(1), row(2, grade="13"))
    imported = roster_import_create(name="r.csv", content=content, by=users["staff"])
    page = as_role("staff").get(reverse("students:roster_import_detail", args=[imported.pk])).content.decode()
    assert "Upload a corrected file" in page and reverse("students:roster_import") in page
    assert "1 new" in page and "0 updates" in page and "1 with errors" in page


def test_the_upload_page_says_what_each_column_takes(as_role):
    page = as_role("staff").get(reverse("students:roster_import")).content.decode()
    assert "full name, email or username" in page
    assert "optional" in page
