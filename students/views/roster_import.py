"""Roster import pages: upload, preview row by row, confirm; applying runs in a Celery worker."""

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from artworx.shortcuts import get_visible_or_404, require_perm
from artworx.uploads import MB, too_large, upload_limited
from students.models import RosterImport
from students.roster import (
    COLUMN_HELP,
    MAX_ROWS,
    OPTIONAL,
    REQUIRED,
    roster_import_apply,
    roster_import_create,
)
from students.tasks import apply_roster_import

logger = logging.getLogger(__name__)


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("District roster (.csv or .xlsx)"))

    def __init__(self, *args, refusal: ValidationError | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Said before choosing a file: a browser may show a bigger one's refusal as a reset connection.
        self.fields["file"].help_text = _("At most %(mb)d MB and %(rows)d rows.") % {
            "mb": max(1, round(settings.ARTWORX_UPLOAD_MAX_BYTES / MB)),
            "rows": MAX_ROWS,
        }
        self.refusal = refusal
        if refusal is not None:  # the file was stopped on its way in: say why, not "this field is required"
            self.fields["file"].required = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if self.refusal is not None:
            raise self.refusal
        # Checked before the file is read; the upload handler has already stopped anything larger.
        if upload.size > settings.ARTWORX_UPLOAD_MAX_BYTES:
            raise too_large(settings.ARTWORX_UPLOAD_MAX_BYTES)
        return upload


@login_required
@require_http_methods(["GET", "POST"])
@upload_limited  # the file is counted as it streams in and stopped past ARTWORX_UPLOAD_MAX_BYTES
def roster_import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a roster file and see its preview; nothing is written yet."""
    require_perm(request, "students.import_roster")
    # The body is parsed here, through the upload limit; a POST stopped by it is still a bound form.
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    refusal = too_large(settings.ARTWORX_UPLOAD_MAX_BYTES) if request.upload_limit.exceeded else None
    form = RosterUploadForm(data, files, refusal=refusal)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            roster_import = roster_import_create(name=upload.name, content=upload.read(), by=request.user)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("students:roster_import_detail", pk=roster_import.pk)
    context = {
        "form": form,
        "columns": [(name, COLUMN_HELP[name], name in REQUIRED) for name in (*REQUIRED, *OPTIONAL)],
        "imports": RosterImport.objects.select_related("uploaded_by")[:10],
    }
    return render(request, "students/roster_import_upload.html", context)


@login_required
@require_GET
def roster_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview: each row new, update or error with the reason; then the outcome once applied."""
    roster_import = get_visible_or_404(
        RosterImport.objects.all(), request=request, perm="students.import_roster", pk=pk
    )
    context = {
        "roster_import": roster_import,
        "errors": roster_import.count("error"),
        "new": roster_import.count("new"),
        "updates": roster_import.count("update"),
        "working": roster_import.status in (RosterImport.Status.QUEUED, RosterImport.Status.APPLYING),
    }
    return render(request, "students/roster_import_detail.html", context)


@login_required
@require_POST
def roster_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply a clean preview: in a worker when the broker answers, here otherwise (the embedded default)."""
    roster_import = get_visible_or_404(
        RosterImport.objects.all(), request=request, perm="students.import_roster", pk=pk
    )
    if roster_import.status != RosterImport.Status.PREVIEWED or roster_import.count("error"):
        messages.error(
            request, _("Only a preview without errors can be saved. Fix the file and upload it again.")
        )
        return redirect("students:roster_import_detail", pk=pk)
    RosterImport.objects.filter(pk=pk).update(status=RosterImport.Status.QUEUED)
    if settings.ARTWORX_RUN_TASKS_INLINE:
        roster_import_apply(roster_import_id=pk)
    else:
        try:
            apply_roster_import.delay(pk)
        except Exception:  # the broker is down: apply in this request rather than not at all
            logger.warning("Broker unreachable; applying roster import %s in the web process", pk)
            roster_import_apply(roster_import_id=pk)
    messages.success(request, _("The roster is being saved."))
    return redirect("students:roster_import_detail", pk=pk)
