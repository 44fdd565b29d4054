"""The admin console site and the mixins that keep its writes inside the rules."""

from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from artworx.roles import is_administrator, people_with


class ArtworxAdminSite(admin.AdminSite):
    """The Django admin, open to active administrators only."""

    site_header = _("artworx admin console")
    site_title = _("artworx admin")

    def has_permission(self, request) -> bool:
        return request.user.is_active and is_administrator(request.user)

    def login(self, request, extra_context=None):
        """No side door: the console's sign-in is the app's, with its lockout and second factor."""
        # The sign-in page checks that "next" stays on this site before following it.
        return redirect_to_login(request.GET.get("next") or reverse("admin:index", current_app=self.name))


class ServiceAdminMixin:
    """Turn a service's refusal into an error message instead of a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # The admin's own transaction has rolled back: nothing was written.
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class RolePickersMixin:
    """Pickers of people list only those holding the role the place needs: `role_pickers` maps a
    many-to-many or foreign-key field to a role (artworx.roles). The service refuses anyone else on
    every path."""

    role_pickers: dict[str, str] = {}

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.role_pickers:
            kwargs["queryset"] = people_with(self.role_pickers[db_field.name])
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.role_pickers:
            kwargs["queryset"] = people_with(self.role_pickers[db_field.name])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class NoDeleteMixin:
    """Records we must keep (DESIGN.md rule 12): end or archive them, never delete."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
