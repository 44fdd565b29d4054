"""The printable written agreement: a PDF of one version with its signatures and hash (WeasyPrint)."""

from django.template.loader import render_to_string
from django.utils import translation

from artworx.pdf import pdf_of
from students.models import AgreementVersion, SignerRole


def agreement_pdf_bytes(*, version: AgreementVersion, language: str) -> bytes:
    """The version as a PDF in a language: what it says (as hashed), who signed it when, and its hash."""
    text = version.content.get("text", {}).get(language)
    signatures = list(version.signatures.order_by("signed_at", "pk"))
    signed = {signature.role for signature in signatures}
    with translation.override(language):
        missing = []
        if version.status in (AgreementVersion.Status.DRAFT, AgreementVersion.Status.SENT):
            missing = [str(SignerRole(role).label) for role in version.required_roles if role not in signed]
        html = render_to_string(
            "students/agreement_pdf.html",
            {
                "version": version,
                "text": text,
                "signatures": signatures,
                "missing": missing,
                "language": language,
            },
        )
    return pdf_of(html)
