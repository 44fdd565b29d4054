"""The family thread in the admin console: read-only, written by the services and the webhooks."""

from django.contrib import admin

from artworx.admin import ReadOnlyAdmin
from families.models import FamilyNotice, Message


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "student", "guardian", "direction", "kind", "status", "error_code")
    list_filter = ("direction", "kind", "status", "channel")
    list_select_related = ("student", "guardian")
    search_fields = ("provider_sid", "phone", "student__last_name", "guardian__name")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Message._meta.fields]


@admin.register(FamilyNotice)
class FamilyNoticeAdmin(ReadOnlyAdmin):
    """What each guardian was (or is still to be) told, and the text that carried it."""

    list_display = ("on", "kind", "student", "guardian", "message")
    list_filter = ("kind", "on")
    list_select_related = ("student", "guardian", "message")
    search_fields = ("student__last_name", "guardian__name", "occasion")
    readonly_fields = [field.name for field in FamilyNotice._meta.fields]
