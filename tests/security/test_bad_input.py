"""Property-based tests: every form and the roster import take any input without a 500, a partial write
or an unescaped payload in the page."""

import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from students.models import RosterImport, Student
from tests.security.url_table import POST, URLS

# A sweep of the whole application for one property: untraced when coverage is measured (README, "Coverage").
pytestmark = pytest.mark.untraced

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '" autofocus onfocus="alert(1)'
PAYLOADS = [
    SCRIPT,
    ATTRIBUTE,
    "'; DROP TABLE students_student; --",
    "1 OR 1=1",
    "{{ request.user.password }}",
    "{% debug %}",
    "\x00",
    "9" * 400,
    "-1",
    "1e309",
    "NaN",
    "2026-02-30",
    "99999-01-01",
    "😀" * 60,
    "",
]
VALUE = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=200),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.lists(st.sampled_from(PAYLOADS), min_size=2, max_size=3),  # several values for one field
)
APPS = ("artworx", "notifications", "sites", "students", "programs", "alumni")
WRITERS = ("admin", "staff", "counselor", "teacher", "teaching_artist")
# A form no role may reach has no input to take: the single sign-on routes answer 404 to everyone
# while no provider is configured (tests/security/test_single_sign_on.py forges their input with
# providers on).
FORM_ROWS = {
    name: row
    for name, row in URLS.items()
    if POST in row.allowed and any(row.expected[role] in (200, 302) for role in WRITERS)
}


def row_counts() -> dict[str, int]:
    """Rows in every table of the project (history tables included), in one query."""
    tables = sorted(
        {model._meta.db_table for label in APPS for model in apps.get_app_config(label).get_models()}
    )
    # Table names come from the models, never from input.
    counts = ", ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(table)})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def field_names(html: str) -> list[str]:
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html))
    return sorted(names - {"csrfmiddlewaretoken", "next", "language"})


def assert_escaped(html: str) -> None:
    assert SCRIPT not in html and ATTRIBUTE not in html


def writer(world, row) -> str:
    """The first role the table lets through (the form is shown or the action taken)."""
    return next(role for role in WRITERS if row.expected[role] in (200, 302))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FORM_ROWS))
def test_no_form_answers_bad_input_with_a_500_a_partial_write_or_a_raw_payload(world, name):
    row = FORM_ROWS[name]
    client = Client(raise_request_exception=True)
    client.force_login(world.users[writer(world, row)])
    url = reverse(name, kwargs=row.kwargs(world))
    fields = field_names(client.get(url).content.decode()) if "GET" in row.allowed else []

    @given(data=st.fixed_dictionaries(dict.fromkeys(fields, VALUE)) if fields else st.just({}))
    def post_anything(data):
        with transaction.atomic():
            before = row_counts()
            response = client.post(url, data)
            assert response.status_code < 500
            if response.status_code == 302:
                # Saved: wherever it leads shows the stored values escaped.
                assert_escaped(client.get(response.url).content.decode())
            else:
                assert row_counts() == before, "an error response wrote rows"
                assert_escaped(response.content.decode())
            transaction.set_rollback(True)

    post_anything()


def roster_file(rows: list[list[str]], header: list[str]) -> bytes:
    lines = [",".join(header)] + [
        ",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in rows
    ]
    return "\n".join(lines).encode()


HEADER = ["district_id", "first_name", "last_name", "date_of_birth", "grade", "site", "teacher", "started_on"]


@pytest.mark.django_db
def test_the_roster_import_takes_any_file_without_a_500_or_a_partial_write(world):
    client = Client(raise_request_exception=True)
    client.force_login(world.users["staff"])
    cell = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=40))
    files = st.one_of(
        st.lists(st.lists(cell, min_size=8, max_size=8), max_size=5).map(
            lambda rows: roster_file(rows, HEADER)
        ),
        st.binary(max_size=500),
        st.text(max_size=500).map(str.encode),
    )

    @given(content=files, name=st.sampled_from(["roster.csv", "roster.xlsx", "roster.txt", SCRIPT + ".csv"]))
    def upload_anything(content, name):
        with transaction.atomic():
            students = Student.objects.count()
            imports = RosterImport.objects.count()
            response = client.post(
                reverse("students:roster_import"), {"file": SimpleUploadedFile(name, content)}
            )
            assert response.status_code in (200, 302)
            if response.status_code == 200:
                assert RosterImport.objects.count() == imports
                assert_escaped(response.content.decode())
            else:
                preview = client.get(response.url)
                assert_escaped(preview.content.decode())
                roster_import = RosterImport.objects.latest("pk")
                confirm = client.post(
                    reverse("students:roster_import_confirm", kwargs={"pk": roster_import.pk})
                )
                assert confirm.status_code == 302
                roster_import.refresh_from_db()
                if roster_import.status != RosterImport.Status.APPLIED:
                    assert Student.objects.count() == students, "a roster that failed wrote students"
                assert_escaped(client.get(confirm.url).content.decode())
            assert Student.objects.count() >= students
            transaction.set_rollback(True)

    upload_anything()
