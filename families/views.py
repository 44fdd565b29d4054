"""The family thread's pages: staff write to a family; the provider's webhooks report and deliver texts."""

import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from artworx.phones import phone_e164
from artworx.shortcuts import get_visible_or_404
from families.forms import FamilyMessageForm
from families.models import Message
from families.services import family_text_queue, inbound_text_receive, message_status_record
from students.models import Student

logger = logging.getLogger(__name__)


@login_required
@require_POST
def family_message_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a short text to a student's guardian from the student page."""
    student = get_visible_or_404(
        Student.objects.visible_to(request.user), request=request, perm="families.add_message", pk=pk
    )
    form = FamilyMessageForm(request.POST, student=student)
    if form.is_valid():
        try:
            message = family_text_queue(
                student=student,
                guardian=form.cleaned_data["guardian"],
                body=form.body(),
                kind=Message.Kind.STAFF,
                occasion=f"staff-{uuid.uuid4().hex}",
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if message.notification.not_before:
                messages.success(request, _("Message queued: it goes out at 8:00, after quiet hours."))
            else:
                messages.success(request, _("Message queued for %(name)s.") % {"name": message.guardian.name})
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors))
    return redirect("students:detail", pk=student.pk)


def _signed_by_provider(request: HttpRequest) -> bool:
    """Whether the request carries the provider's valid signature for our public address of this path."""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    url = settings.ARTWORX_BASE_URL + request.get_full_path()
    return RequestValidator(token).validate(url, request.POST, signature)


@csrf_exempt
@require_POST
def status_callback(request: HttpRequest) -> HttpResponse:
    """Twilio reports a message's status: queued, sent, delivered, undelivered or failed (with a code)."""
    if not _signed_by_provider(request):
        logger.warning("Refused a status callback without a valid signature.")
        return HttpResponseForbidden("Invalid signature.")
    message_id = request.GET.get("message", "")
    try:
        recorded = message_status_record(
            sid=request.POST.get("MessageSid", ""),
            status=request.POST.get("MessageStatus", ""),
            error_code=request.POST.get("ErrorCode", ""),
            message_id=int(message_id) if message_id.isdigit() and len(message_id) < 12 else None,
        )
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain")
    if recorded is None:
        return HttpResponse("Unknown message.", status=404, content_type="text/plain")
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def inbound_text(request: HttpRequest) -> HttpResponse:
    """A family texts our number: STOP/ALTO and START/INICIAR act at once; others land on the thread."""
    if not _signed_by_provider(request):
        logger.warning("Refused an inbound text without a valid signature.")
        return HttpResponseForbidden("Invalid signature.")
    sid, number = request.POST.get("MessageSid", ""), phone_e164(request.POST.get("From", ""))
    if not sid or not number:
        return HttpResponse(
            "A text needs MessageSid and a From number.", status=400, content_type="text/plain"
        )
    reply = inbound_text_receive(sid=sid, from_number=number, body=request.POST.get("Body", ""))
    twiml = MessagingResponse()
    if reply:
        twiml.message(reply)
    return HttpResponse(str(twiml), content_type="application/xml")
