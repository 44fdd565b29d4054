"""Agreement pages: the signing link (no account), the contract page's actions, their permissions."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from students.models import Contract, Signature
from students.services import agreement_send, agreement_sign, contract_course_add, signature_link_url
from tests.agreements import at_nine
from tests.factories import GuardianFactory
from tests.matrix import matrix

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 9, 14)


@pytest.fixture
def guardian(student):
    return GuardianFactory(student=student, name="Rosa Flores", email="rosa@example.org", language="es")


@pytest.fixture
def draft(student, guardian, open_contract):
    return open_contract(student, MONDAY, signed=False)


@pytest.fixture
def version(draft):
    return agreement_send(contract=draft, by=draft.teacher)


@pytest.fixture
def guardian_url(version, guardian):
    return signature_link_url(version=version, role="guardian", guardian=guardian)


def test_a_guardian_reads_the_agreement_in_spanish_without_an_account(client, guardian_url, student):
    response = client.get(guardian_url)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es">' in page
    assert "Acuerdo escrito de estudio independiente" in page and "voluntario" in page
    assert f"Firmar como Rosa Flores, padre, madre o tutor de {student.display_name}" in page
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    english = client.get(guardian_url, {"lang": "en"}).content.decode()
    assert "Independent study written agreement" in english and "voluntary" in english


def test_a_guardian_signs_from_the_link_and_the_link_is_then_spent(client, guardian_url, guardian, version):
    response = client.post(guardian_url, {"typed_name": "Rosa Flores", "agree": "on", "lang": "es"})
    assert response.status_code == 200 and "Gracias" in response.content.decode()
    signature = Signature.objects.get()
    assert (signature.role, signature.guardian, signature.typed_name) == ("guardian", guardian, "Rosa Flores")
    assert (signature.ip_address, signature.language) == ("127.0.0.1", "es")
    assert signature.version_hash == version.content_hash
    again = client.post(guardian_url, {"typed_name": "Rosa Flores", "agree": "on", "lang": "es"})
    assert again.status_code == 410 and "ya se firmó" in again.content.decode()
    assert Signature.objects.count() == 1


def test_a_signature_without_a_name_or_the_tick_writes_nothing(client, guardian_url):
    for data in (
        {"typed_name": "", "agree": "on"},
        {"typed_name": "Rosa"},
        {"typed_name": "   ", "agree": "on"},
    ):
        response = client.post(guardian_url, data)
        assert response.status_code == 200
        assert "is-invalid" in response.content.decode() or "alert-danger" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_forged_link_gets_a_clear_page_and_writes_nothing(client, guardian_url):
    response = client.post(guardian_url[:-3] + "xx/", {"typed_name": "Mallory", "agree": "on"})
    assert response.status_code == 400
    assert "not valid" in response.content.decode() and "Nothing was signed" in response.content.decode()
    spanish = client.get(guardian_url[:-3] + "xx/", {"lang": "es"})
    assert "no es válido" in spanish.content.decode() and "No se firmó nada" in spanish.content.decode()
    assert not Signature.objects.exists()


def test_an_expired_link_gets_a_clear_page_and_writes_nothing(client, guardian_url, settings):
    settings.ARTWORX_SIGNATURE_LINK_MAX_AGE = 60
    with time_machine.travel(at_nine(date.today() + timedelta(days=1))):
        response = client.post(guardian_url, {"typed_name": "Rosa", "agree": "on"})
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_link_for_an_old_version_gets_a_clear_page_and_writes_nothing(client, guardian_url, draft):
    contract_course_add(contract=draft, subject_area="math", title="Geometry", credits=5, by=draft.teacher)
    response = client.post(guardian_url, {"typed_name": "Rosa", "agree": "on"})
    assert response.status_code == 410 and "changed after this link was sent" in response.content.decode()
    assert not Signature.objects.exists()


def test_the_contract_page_shows_who_still_has_to_sign(as_role, version, student, guardian):
    agreement_sign(
        version=version, role="student", typed_name="Me", language="en", ip_address=None
    )  # fmt: skip
    page = as_role("teacher").get(reverse("students:contract_detail", args=[version.contract_id])).content
    page = page.decode()
    assert "Awaiting signatures" in page and "Still to sign" in page
    assert "Rosa Flores" in page and "Sign as supervising teacher" in page
    assert "✓ Student: Me" in page


def test_the_teacher_signs_in_the_app_and_the_contract_turns_active(as_role, version, guardian):
    for role in ("student", "guardian"):
        agreement_sign(
            version=version, role=role, typed_name="X", language="en", ip_address=None,
            guardian=guardian if role == "guardian" else None,
        )  # fmt: skip
    url = reverse("students:agreement_sign", args=[version.contract_id])
    response = as_role("teacher").post(url, {"typed_name": "Terry Teacher", "agree": "on"}, follow=True)
    assert "the contract is active" in response.content.decode()
    assert Contract.objects.get(pk=version.contract_id).status == "active"
    assert Signature.objects.get(role="teacher").ip_address == "127.0.0.1"


def test_the_teacher_signing_without_the_tick_writes_nothing(as_role, version):
    url = reverse("students:agreement_sign", args=[version.contract_id])
    as_role("teacher").post(url, {"typed_name": "Terry Teacher"})
    assert not Signature.objects.exists()


def test_sending_from_the_contract_page_puts_it_out_for_signatures(as_role, draft, mailoutbox):
    url = reverse("students:agreement_send", args=[draft.pk])
    response = as_role("teacher").post(url)
    assert response.url == reverse("students:contract_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == "awaiting_signatures"
    second = as_role("teacher").post(url, follow=True)  # nothing left to send: a message, not a 500
    assert "no draft of the agreement" in second.content.decode()


SENDERS = matrix(
    admin=302, staff=302, counselor=302, teacher=302, other_teacher=404, teaching_artist=404, no_role=404
)


@pytest.mark.parametrize(("role", "status"), SENDERS)
def test_send_permissions(as_role, draft, role, status):
    assert as_role(role).post(reverse("students:agreement_send", args=[draft.pk])).status_code == status


@pytest.mark.parametrize(("role", "status"), SENDERS)
def test_resend_permissions(as_role, version, role, status):
    url = reverse("students:agreement_resend", args=[version.contract_id])
    assert as_role(role).post(url, {"role": "guardian"}).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(
        admin=403, staff=403, counselor=403, teacher=302, other_teacher=404, teaching_artist=404, no_role=404
    ),
)
def test_teacher_sign_permissions(as_role, version, role, status):
    url = reverse("students:agreement_sign", args=[version.contract_id])
    assert as_role(role).post(url, {"typed_name": "T", "agree": "on"}).status_code == status


def test_the_actions_refuse_get(as_role, version):
    client = as_role("staff")
    for name in ("agreement_send", "agreement_resend", "agreement_sign"):
        assert client.get(reverse(f"students:{name}", args=[version.contract_id])).status_code == 405


def test_resending_a_link_emails_it_again(
    as_role, version, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.ARTWORX_RUN_TASKS_INLINE = True  # sent in the request, as on the embedded default
    url = reverse("students:agreement_resend", args=[version.contract_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = as_role("teacher").post(url, {"role": "guardian"}, follow=True)
    assert "Link sent to Rosa Flores" in response.content.decode()
    assert [m.to for m in mailoutbox] == [["rosa@example.org"]]
    bad = as_role("teacher").post(url, {"role": "teacher"}, follow=True)
    assert "does not sign through a link" in bad.content.decode()
