"""The written agreement's pages: the signing page a student or guardian opens from a link (no account),
and the contract page's actions: send for signatures, resend a link, the teacher's signature."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from artworx.signin.addresses import client_address
from students.models import SignerRole
from students.printing import agreement_pdf_bytes
from students.services import (
    agreement_resend,
    agreement_send,
    agreement_sign,
    current_version,
    signature_link_read,
)
from students.views.contracts import _visible_contract

# A refused link answers with what happened; none of them writes anything.
LINK_REFUSALS = {
    "link_forged": 400,
    "link_expired": 410,
    "link_used": 410,
    "link_old_version": 410,
    "link_closed": 410,
}


class SignForm(forms.Form):
    """A signature: the signer types their full name and says they read and agree."""

    typed_name = forms.CharField(label=gettext_lazy("Type your full name"), max_length=200)
    agree = forms.BooleanField(
        label=gettext_lazy("I have read this agreement and I agree to it."),
        error_messages={"required": gettext_lazy("Tick the box to say you read and agree.")},
    )


def _reader_language(request: HttpRequest, default: str) -> str:
    """The signer's language, or the one they switched to on the page (English or Spanish)."""
    chosen = request.GET.get("lang") or request.POST.get("lang")
    return chosen if chosen in ("en", "es") else (default if default in ("en", "es") else "en")


@never_cache
@require_http_methods(["GET", "POST"])
def agreement_sign_link(request: HttpRequest, token: str) -> HttpResponse:
    """The agreement in the signer's language with a signature form, opened from the emailed link."""
    try:
        # The refusal is worded in the page's language: the one asked for, else the browser's.
        with translation.override(_reader_language(request, request.LANGUAGE_CODE)):
            link = signature_link_read(token)
    except ValidationError as refusal:
        with translation.override(_reader_language(request, request.LANGUAGE_CODE)):
            return render(
                request,
                "students/agreement_link_refused.html",
                {"message": " ".join(refusal.messages), "code": refusal.code},
                status=LINK_REFUSALS.get(refusal.code, 400),
            )
    language = _reader_language(request, link.language)
    with translation.override(language):
        form = SignForm(request.POST or None)
        if form.is_valid():
            try:
                agreement_sign(
                    version=link.version,
                    role=link.role,
                    typed_name=form.cleaned_data["typed_name"],
                    language=language,
                    ip_address=client_address(request),
                    guardian=link.guardian,
                )
            except ValidationError as refusal:
                form.add_error(None, refusal)
            else:
                return render(request, "students/agreement_signed.html", {"link": link, "language": language})
        context = {
            "link": link,
            "version": link.version,
            "text": link.version.content["text"][language],
            "form": form,
            "language": language,
            "other_language": "es" if language == "en" else "en",
        }
        return render(request, "students/agreement_sign.html", context)


@login_required
@require_POST
def agreement_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the draft of the agreement for signatures: the student's and guardians' links go out."""
    contract = _visible_contract(request, pk, "students.send_agreement")
    try:
        agreement_send(contract=contract, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("The agreement was sent for signatures."))
    return redirect("students:contract_detail", pk=contract.pk)


@login_required
@require_POST
def agreement_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a student's or guardian's signing link again."""
    contract = _visible_contract(request, pk, "students.send_agreement")
    try:
        reached = agreement_resend(contract=contract, role=request.POST.get("role", ""), by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("Link sent to %(names)s.") % {"names": ", ".join(reached)})
    return redirect("students:contract_detail", pk=contract.pk)


class TeacherSignForm(SignForm):
    typed_name = forms.CharField(label=gettext_lazy("Your full name"), max_length=200)


@login_required
@require_POST
def agreement_teacher_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervising teacher signs the version out for signatures, in the app."""
    contract = _visible_contract(request, pk, "students.sign_agreement")
    form = TeacherSignForm(request.POST)
    version = current_version(contract)
    if not form.is_valid() or version is None:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("students:contract_detail", pk=contract.pk)
    try:
        agreement_sign(
            version=version,
            role=SignerRole.TEACHER,
            typed_name=form.cleaned_data["typed_name"],
            language=translation.get_language()[:2],
            ip_address=client_address(request),
            user=request.user,
        )
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        contract.refresh_from_db()
        if contract.is_active:
            messages.success(request, _("Signed: everyone has signed and the contract is active."))
        else:
            messages.success(request, _("Signed."))
    return redirect("students:contract_detail", pk=contract.pk)


@login_required
@require_GET
def agreement_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One version of the agreement as a PDF, with its signatures and hash, in the reader's language."""
    contract = _visible_contract(request, pk, "students.view_contract")
    version = get_object_or_404(contract.agreement_versions, number=number)
    language = _reader_language(request, translation.get_language()[:2])
    with translation.override(language):
        pdf = agreement_pdf_bytes(version=version, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"agreement-{contract.pk}-v{version.number}-{language}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
