"""Targets are edited in the admin console."""

from django.contrib import admin

from reports.models import Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("key", "direction", "percent")
    list_editable = ("direction", "percent")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
