"""Admin for users and their roles."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from artworx.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users and their roles (groups)."""

    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Preferences"), {"fields": ("language", "phone")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "is_active", "role_list")
    list_filter = ("groups", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def role_list(self, obj) -> str:
        return ", ".join(group.name for group in obj.groups.all())
