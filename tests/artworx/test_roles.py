"""Model permissions serve the admin console only; everything else is answered by artworx.roles."""

import pytest

pytestmark = pytest.mark.django_db


def test_model_permissions_count_only_for_administrators(users):
    # The Administrator group holds the model permissions; a counselor given one directly gains nothing.
    from django.contrib.auth.models import Permission

    counselor = users["counselor"]
    counselor.user_permissions.add(Permission.objects.get(codename="delete_student"))
    assert not counselor.has_perm("students.delete_student")
    assert users["admin"].has_perm("students.delete_student")
    assert users["admin"].has_module_perms("students") and not counselor.has_module_perms("students")
