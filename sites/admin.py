"""Admin for sites, partners and closures."""

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from artworx.console import NoDeleteMixin, RolePickersMixin, ServiceAdminMixin
from artworx.roles import COUNSELOR, PROGRAM_STAFF, TEACHER
from sites.models import Closure, Partner, Site
from sites.services import closure_delete, closure_save, site_save


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin):
    """Partner organisations."""

    list_display = ("name", "kind", "contact_name", "phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "contact_name", "email")
    # A website typed without its scheme ("example.org") is kept as https://, not http://.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class ClosureInline(admin.TabularInline):
    """A site's own closures; saved through the closure service so due dates follow."""

    model = Closure
    extra = 0
    fields = ("name", "starts_on", "ends_on")


@admin.register(Site)
class SiteAdmin(ServiceAdminMixin, RolePickersMixin, NoDeleteMixin, SimpleHistoryAdmin):
    """Sites; capacity changes go through the site service."""

    list_display = ("name", "partner", "capacity", "is_active")
    list_filter = ("is_active", "partner")
    list_select_related = ("partner",)
    search_fields = ("name", "address")
    autocomplete_fields = ("partner",)
    filter_horizontal = ("teachers",)
    role_pickers = {"teachers": TEACHER, "lead": PROGRAM_STAFF, "counselor": COUNSELOR}
    inlines = [ClosureInline]

    def save_model(self, request, obj, form, change) -> None:
        site_save(site=obj, teachers=form.cleaned_data["teachers"])

    def save_formset(self, request, form, formset, change) -> None:
        for closure in formset.save(commit=False):
            closure_save(closure=closure)
        for closure in formset.deleted_objects:
            closure_delete(closure=closure)


@admin.register(Closure)
class ClosureAdmin(SimpleHistoryAdmin):
    """Non-instructional days, organisation-wide or per site."""

    list_display = ("name", "starts_on", "ends_on", "site")
    list_filter = ("site",)
    list_select_related = ("site",)
    search_fields = ("name",)
    date_hierarchy = "starts_on"

    def save_model(self, request, obj, form, change) -> None:
        closure_save(closure=obj)

    def delete_model(self, request, obj) -> None:
        closure_delete(closure=obj)

    def delete_queryset(self, request, queryset) -> None:
        for closure in queryset:
            closure_delete(closure=closure)
