"""The family thread and notices in the admin console: read-only, searchable."""

import pytest
from django.urls import reverse

from families.models import Message
from tests.factories import GuardianFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["admin:families_message_changelist", "admin:families_familynotice_changelist"]
)
def test_the_family_changelists_open_with_search(as_role, name):
    assert as_role("admin").get(reverse(name), {"q": "a"}).status_code == 200


def test_messages_are_read_only_in_the_admin(as_role, student):
    message = Message.objects.create(
        student=student, direction="in", kind="reply", body="hola", phone="+12135550123", status="received"
    )
    client = as_role("admin")
    assert client.get(reverse("admin:families_message_add")).status_code == 403
    url = reverse("admin:families_message_change", args=[message.pk])
    client.post(url, {"body": "changed"})
    message.refresh_from_db()
    assert message.body == "hola"


def test_the_guardian_page_in_the_admin_shows_the_consent_history(as_role, student):
    guardian = GuardianFactory(student=student, consents_to_messages=True)
    response = as_role("admin").get(reverse("admin:students_guardian_change", args=[guardian.pk]))
    names = {formset.opts.model._meta.model_name for formset in response.context["inline_admin_formsets"]}
    assert names == {"guardianconsent"}
    assert "On a paper form" in response.content.decode()
