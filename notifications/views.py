"""Notification pages: the Today page of open items, the list, mark read, snooze, "not mine",
and preferences (digest hour, urgent kinds by email)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications.forms import PreferencesForm, SnoozeForm
from notifications.items import item_hand_back, item_snooze, item_text
from notifications.models import Notification
from notifications.selectors import (
    digest_schedule,
    email_preferences,
    kinds_for,
    notification_rows,
    today_groups,
)
from notifications.services import (
    digest_schedule_save,
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
def today(request: HttpRequest) -> HttpResponse:
    """The signed-in user's open items by kind, most urgent first, each with the button to act."""
    day = timezone.localdate()
    groups = today_groups(user=request.user, today=day)
    context = {"groups": groups, "tomorrow": day + timedelta(days=1)}
    return render(request, "notifications/today.html", context)


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The signed-in user's notifications, newest first, unread ones marked, in the reader's language."""
    page = Paginator(notification_rows(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    for notification in page:
        notification.shown_title, notification.shown_body = item_text(notification)
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_snooze(request: HttpRequest, pk: int) -> HttpResponse:
    """Hide one of the user's open items until a date (someone else's: 404)."""
    notification = get_object_or_404(Notification.objects.for_recipient(request.user), pk=pk)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid date to snooze until."))
        return redirect("notifications:today")
    try:
        item_snooze(notification=notification, until=form.cleaned_data["until"], user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Snoozed until %(date)s.") % {"date": form.cleaned_data["until"]})
    return redirect("notifications:today")


@login_required
@require_POST
def notification_not_mine(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Not mine": hand one of the user's open items back to the site's lead (someone else's: 404)."""
    notification = get_object_or_404(
        Notification.objects.for_recipient(request.user).filter(closed_at__isnull=True), pk=pk
    )
    try:
        lead = item_hand_back(notification=notification, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Handed back to %(lead)s.") % {"lead": lead})
    return redirect("notifications:today")


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
    schedule = digest_schedule(user=request.user)
    initial = {
        **dict.fromkeys(email_preferences(user=request.user), True),
        "digest_enabled": schedule.enabled,
        "digest_hour": schedule.hour,
    }
    form = PreferencesForm(request.POST or None, kinds=kinds, initial=initial)
    if form.is_valid():
        notification_preferences_save(user=request.user, email_kinds=form.email_kinds())
        digest_schedule_save(
            user=request.user,
            hour=form.cleaned_data["digest_hour"],
            enabled=form.cleaned_data["digest_enabled"],
        )
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:preferences")
    context = {"form": form, "has_email": bool(request.user.email), "has_urgent_kinds": bool(kinds)}
    return render(request, "notifications/notification_preferences.html", context)
