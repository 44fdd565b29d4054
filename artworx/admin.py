"""Admin for users and their roles."""

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialApp, SocialToken
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from artworx.models import User


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record only the services write (an audit, a message log): shown here, never added, changed or
    deleted."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users and their roles (groups)."""

    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Preferences"), {"fields": ("language", "phone")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "is_active", "role_list")
    list_filter = ("groups", "is_active", "is_staff", "is_superuser")
    actions = ["deactivate"]
    search_fields = ("username", "first_name", "last_name", "email")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def role_list(self, obj) -> str:
        return ", ".join(group.name for group in obj.groups.all())

    @admin.action(description=_("Deactivate the selected accounts (signs them out everywhere)"))
    def deactivate(self, request, queryset) -> None:
        # An inactive user's sessions stop working at their next request: Django's ModelBackend (which
        # every session's backend is) refuses inactive users in get_user, so nothing else is needed.
        count = queryset.exclude(pk=request.user.pk).update(is_active=False)
        self.message_user(request, _("%(count)d account(s) deactivated.") % {"count": count})


# Signing in (allauth): single sign-on providers come from the environment only, and no provider
# token is kept, so neither is edited here; a person's email is the one on their user row.
# Administrators keep "Authenticators" (to remove a lost authenticator app) and "Social accounts"
# (to undo a single sign-on connection).
for model in (SocialApp, SocialToken, EmailAddress):
    admin.site.unregister(model)
