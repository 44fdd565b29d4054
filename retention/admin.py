"""Admin for the retention policy, legal holds, and the records anonymisations and releases leave."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from artworx.admin import ReadOnlyAdmin
from artworx.console import NoDeleteMixin
from retention.models import Anonymisation, Correction, DistrictRelease, LegalHold, RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """The one retention policy: how long each kind of record stays identifiable."""

    list_display = ("__str__", "student_months", "alumnus_months", "referral_months", "message_months")

    def has_add_permission(self, request) -> bool:
        return not RetentionPolicy.objects.exists()


@admin.register(LegalHold)
class LegalHoldAdmin(SimpleHistoryAdmin):
    """Students whose records are kept identifiable whatever the policy says; deleting a hold lifts it."""

    list_display = ("student", "reason", "set_by", "created_at")
    list_select_related = ("student", "set_by")
    autocomplete_fields = ("student",)
    search_fields = ("student__last_name", "student__first_name", "student__district_id")
    fields = ("student", "reason")

    def save_model(self, request, obj, form, change) -> None:
        obj.set_by = request.user  # the administrator who set it, never typed
        super().save_model(request, obj, form, change)


@admin.register(Anonymisation)
class AnonymisationAdmin(ReadOnlyAdmin):
    """Who was anonymised, when and why: the pseudonym is all that is left of them."""

    list_display = ("pseudonym", "student", "referral", "reason", "release", "anonymised_at")
    list_filter = ("reason",)
    list_select_related = ("student", "referral", "release")
    search_fields = ("pseudonym",)


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    """Corrections families asked for, with what changed and why."""

    list_display = ("student", "record", "field", "requested_by", "recorded_by", "recorded_at")
    list_select_related = ("student", "recorded_by")


@admin.register(DistrictRelease)
class DistrictReleaseAdmin(ReadOnlyAdmin):
    """Ends of district contracts: dry run, two confirmations, export, anonymisation, signed summary."""

    list_display = (
        "district",
        "status",
        "planned_by",
        "first_confirmed_by",
        "second_confirmed_by",
        "finished_at",
    )
    list_select_related = ("planned_by", "first_confirmed_by", "second_confirmed_by")
