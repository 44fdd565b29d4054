"""Who may read and write a family's thread: staff roles, and teachers of the student's site."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("staff", True),
        ("counselor", True),
        ("teacher", True),
        ("other_teacher", False),
        ("teaching_artist", False),
        ("no_role", False),
    ],
)
def test_the_thread_is_for_those_who_may_see_guardians(users, student, role, allowed):
    user = users[role]
    assert user.has_perm("families.view_message", student) is allowed
    assert user.has_perm("families.add_message", student) is allowed


def test_the_thread_is_not_on_the_page_of_a_student_of_another_site(as_role, student):
    page = as_role("teacher").get(reverse("students:detail", args=[student.pk])).content.decode()
    assert "data-family-thread" in page
    assert as_role("other_teacher").get(reverse("students:detail", args=[student.pk])).status_code == 404
