"""Notification pages: the signed-in user's own list, mark read, and email preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications.forms import PreferencesForm
from notifications.models import Notification
from notifications.selectors import email_preferences, kinds_for, notification_rows
from notifications.services import (
    notification_mark_read,
    notification_preferences_save,
    notifications_mark_all_read,
)

PER_PAGE = 25


def _next_url(request: HttpRequest) -> str:
    """Where to go after a POST: a `next` on this site, else the list."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("notifications:list")


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The signed-in user's notifications, newest first, unread ones marked."""
    page = Paginator(notification_rows(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's own notifications read (someone else's: 404)."""
    notification = get_object_or_404(Notification.objects.for_recipient(request.user), pk=pk)
    notification_mark_read(notification=notification, user=request.user)
    return redirect(_next_url(request))


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every unread notification of the user read."""
    count = notifications_mark_all_read(user=request.user)
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
        % {"count": count},
    )
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """Choose, per kind, whether notifications also come by email."""
    kinds = kinds_for(user=request.user)
    initial = dict.fromkeys(email_preferences(user=request.user), True)
    form = PreferencesForm(request.POST or None, kinds=kinds, initial=initial)
    if form.is_valid():
        notification_preferences_save(user=request.user, email_kinds=form.email_kinds())
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:preferences")
    context = {"form": form, "has_email": bool(request.user.email)}
    return render(request, "notifications/notification_preferences.html", context)
