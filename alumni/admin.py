"""Admin for alumni with their check-ins; check-ins are recorded through the service."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from alumni.models import Alumnus, CheckIn
from alumni.services import alumnus_save, check_in_record
from artworx.console import NoDeleteMixin, ServiceAdminMixin


class CheckInInline(admin.TabularInline):
    """The outcome timeline; new check-ins go through the check-in service so the cadence follows."""

    model = CheckIn
    extra = 0
    fields = ("date", "staff", "method", "reached", "outcome", "next_due_on", "notes")
    can_delete = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Alumnus)
class AlumnusAdmin(ServiceAdminMixin, NoDeleteMixin, SimpleHistoryAdmin):
    """Alumni are created by graduating a student; here contacts, consent and staff contact are kept."""

    list_display = (
        "student",
        "graduated_on",
        "diploma",
        "current_outcome",
        "next_check_in_on",
        "staff_contact",
    )
    list_filter = ("diploma", "current_outcome", "consents_to_contact", "staff_contact")
    list_select_related = ("student", "staff_contact")
    search_fields = ("student__first_name", "student__last_name", "email", "phone")
    autocomplete_fields = ("staff_contact",)
    readonly_fields = (
        "student",
        "graduated_on",
        "current_outcome",
        "outcome_at_6_months",
        "outcome_at_12_months",
        "next_check_in_on",
    )
    date_hierarchy = "graduated_on"
    inlines = [CheckInInline]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        alumnus_save(alumnus=obj)

    def save_formset(self, request, form, formset, change) -> None:
        for check_in in formset.save(commit=False):
            check_in_record(
                alumnus=form.instance,
                date=check_in.date,
                staff=check_in.staff,
                method=check_in.method,
                reached=check_in.reached,
                outcome=check_in.outcome,
                notes=check_in.notes,
                next_due_on=check_in.next_due_on,
            )


@admin.register(CheckIn)
class CheckInAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Check-ins are read here; record new ones on the alumnus."""

    list_display = ("alumnus", "date", "staff", "method", "reached", "outcome", "next_due_on")
    list_filter = ("method", "reached", "outcome")
    list_select_related = ("alumnus__student", "staff")
    search_fields = ("alumnus__student__first_name", "alumnus__student__last_name")
    date_hierarchy = "date"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
