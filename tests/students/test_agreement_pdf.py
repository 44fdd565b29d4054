"""The printable agreement: a PDF of a signed version names the people, the hash and the signatures."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from students.models import AgreementVersion
from tests.factories import GuardianFactory
from tests.matrix import matrix

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 9, 14)


@pytest.fixture
def signed(student, open_contract):
    GuardianFactory(student=student, name="Rosa Flores", email="rosa@example.org", language="es")
    return open_contract(student, MONDAY).agreement_versions.get()


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_pdf_of_a_signed_version_has_the_names_the_hash_and_the_signatures(as_role, signed, student):
    url = reverse("students:agreement_pdf", args=[signed.contract_id, signed.number])
    text = pdf_text(as_role("teacher").get(url, {"lang": "en"}))
    assert "Independent study written agreement" in text
    assert student.display_name in text and signed.contract.site.name in text
    assert "English" in text and "Course 0" in text
    assert signed.content_hash in text.replace(" ", "")
    for signature in signed.signatures.all():
        assert signature.get_role_display() in text and signature.typed_name in text
    assert "Rosa Flores" in text and "203.0.113.9" in text


def test_the_pdf_reads_in_spanish(as_role, signed):
    url = reverse("students:agreement_pdf", args=[signed.contract_id, signed.number])
    text = pdf_text(as_role("staff").get(url, {"lang": "es"}))
    assert "Acuerdo escrito de estudio independiente" in text and "Firmas" in text
    assert "Padre, madre o tutor" in text and "voluntario" in text


def test_a_paper_version_prints_as_signed_on_paper(as_role, signed):
    AgreementVersion.objects.filter(pk=signed.pk).update(on_paper=True)
    signed.signatures.all().delete()
    url = reverse("students:agreement_pdf", args=[signed.contract_id, signed.number])
    assert "Signed on paper" in pdf_text(as_role("staff").get(url, {"lang": "en"}))


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(
        admin=200, staff=200, counselor=200, teacher=200, other_teacher=404, teaching_artist=404, no_role=404
    ),
)
def test_pdf_permissions(as_role, signed, role, status):
    url = reverse("students:agreement_pdf", args=[signed.contract_id, signed.number])
    assert as_role(role).get(url).status_code == status


def test_an_unknown_version_is_not_found(as_role, signed):
    url = reverse("students:agreement_pdf", args=[signed.contract_id, 9])
    assert as_role("staff").get(url).status_code == 404
