"""Admin for the outbox (read-only, with a retry action), reminder settings and preferences."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from notifications.items import item_text
from notifications.models import DigestSchedule, Notification, NotificationPreference, ReminderSettings
from notifications.services import notifications_retry


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox: what was written, to whom, and how delivery went. Rows are written by services only."""

    list_display = (
        "created_at",
        "kind",
        "shown_title",
        "recipient_label",
        "language",
        "in_app",
        "by_email",
        "status",
        "attempts",
        "sent_at",
        "read_at",
        "closed_at",
    )
    list_filter = ("status", "kind", "in_app", "by_email", "language")
    list_select_related = ("recipient",)
    search_fields = (
        "dedupe_key",
        "title",
        "recipient__username",
        "recipient__last_name",
        "recipient_email",
        "recipient_name",
    )
    date_hierarchy = "created_at"
    actions = ["retry"]
    readonly_fields = ["shown_text", *(field.name for field in Notification._meta.fields)]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Shown read-only: only the services write outbox rows.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("title"))
    def shown_title(self, obj: Notification) -> str:
        """A signed-in user's item is rendered when read: its stored title is empty until it is emailed."""
        return item_text(obj, body=False)[0]

    @admin.display(description=_("text, in your language"))
    def shown_text(self, obj: Notification) -> str:
        title, body = item_text(obj)
        return f"{title}\n\n{body}"

    @admin.display(description=_("recipient"))
    def recipient_label(self, obj: Notification) -> str:
        return str(obj.recipient) if obj.recipient_id else f"{obj.recipient_name} <{obj.recipient_email}>"

    @admin.action(description=_("Retry the selected failed notifications"), permissions=["view"])
    def retry(self, request, queryset) -> None:
        count = notifications_retry(notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d failed notification will be sent by the next sweep.",
                "%(count)d failed notifications will be sent by the next sweep.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(SimpleHistoryAdmin):
    """The one set of reminder thresholds and the digest hour, with who changed them and when."""

    list_display = (
        "__str__",
        "contract_due_days",
        "attendance_remind_after_hours",
        "attendance_escalate_after_hours",
        "digest_hour",
    )

    def has_add_permission(self, request) -> bool:
        return not ReminderSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "by_email", "updated_at")
    list_filter = ("kind", "by_email")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)


@admin.register(DigestSchedule)
class DigestScheduleAdmin(SimpleHistoryAdmin):
    """Each person's digest hour (people set it on their Digest and email page)."""

    list_display = ("user", "hour", "enabled", "updated_at")
    list_filter = ("enabled", "hour")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__last_name")
    autocomplete_fields = ("user",)
