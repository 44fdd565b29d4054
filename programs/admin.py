"""Admin for programs, pathways, cohorts, sessions and attendance: writes go through the services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from artworx.console import NoDeleteMixin, RolePickersMixin, ServiceAdminMixin
from artworx.roles import TEACHING_ARTIST
from programs.models import (
    AbsenceThresholds,
    Attendance,
    Certification,
    Cohort,
    Credential,
    Participation,
    Pathway,
    PathwayStep,
    Placement,
    PlacementHours,
    Program,
    Session,
    SessionLogSubmission,
)
from programs.services import (
    cohort_save,
    credential_record,
    participation_create,
    placement_create,
    placement_hours_log,
    session_log_attendance,
)


@admin.register(Program)
class ProgramAdmin(SimpleHistoryAdmin):
    list_display = ("name", "discipline", "level", "prerequisite", "is_active")
    list_filter = ("discipline", "level", "is_active")
    list_select_related = ("prerequisite",)
    search_fields = ("name",)
    autocomplete_fields = ("prerequisite",)


class PathwayStepInline(admin.TabularInline):
    model = PathwayStep
    extra = 1
    autocomplete_fields = ("program",)


@admin.register(Pathway)
class PathwayAdmin(SimpleHistoryAdmin):
    list_display = ("name",)
    search_fields = ("name",)
    inlines = [PathwayStepInline]


class ParticipationInline(admin.TabularInline):
    """Participants; adding one goes through the cohort-enrollment service (rule 9)."""

    model = Participation
    extra = 0
    fields = ("student", "status", "joined_on", "ended_on", "override_reason")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ("date", "starts_at", "status", "topic", "logged_by")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Cohort)
class CohortAdmin(ServiceAdminMixin, RolePickersMixin, NoDeleteMixin, SimpleHistoryAdmin):
    """Cohorts; saving schedules their sessions through the cohort service."""

    list_display = ("program", "site", "venue", "term_starts_on", "term_ends_on", "capacity")
    list_filter = ("program__discipline", "site")
    list_select_related = ("program", "site", "venue")
    search_fields = ("program__name", "site__name", "venue__name")
    autocomplete_fields = ("program", "site", "venue")
    filter_horizontal = ("teaching_artists",)
    role_pickers = {"teaching_artists": TEACHING_ARTIST}
    inlines = [ParticipationInline, SessionInline]

    def save_model(self, request, obj, form, change) -> None:
        cohort_save(cohort=obj, teaching_artists=form.cleaned_data["teaching_artists"])


@admin.register(Participation)
class ParticipationAdmin(ServiceAdminMixin, NoDeleteMixin, SimpleHistoryAdmin):
    """Participants: added through the service; ended from the cohort page."""

    list_display = ("student", "cohort", "status", "joined_on", "ended_on")
    list_filter = ("status",)
    list_select_related = ("student", "cohort__program")
    search_fields = ("student__first_name", "student__last_name", "cohort__program__name")
    autocomplete_fields = ("student", "cohort")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("status", "ended_on")
        return ("student", "cohort", "status", "joined_on", "ended_on", "override_reason")

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            created = participation_create(
                cohort=obj.cohort,
                student=obj.student,
                joined_on=obj.joined_on,
                by=request.user,
                override_reason=obj.override_reason,
            )
            obj.pk = created.pk


class AttendanceInline(admin.TabularInline):
    """A session's marks; corrections are saved through the attendance service (rule 8)."""

    model = Attendance
    extra = 0
    fields = ("participation", "mark")
    readonly_fields = ("participation",)
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Session)
class SessionAdmin(ServiceAdminMixin, NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("cohort", "date", "starts_at", "status", "logged_by")
    list_filter = ("status", "cohort__program")
    list_select_related = ("cohort__program", "cohort__site", "cohort__venue", "logged_by")
    search_fields = ("cohort__program__name", "topic")
    date_hierarchy = "date"
    # Moving and cancelling happen on the cohort page, through the session services.
    readonly_fields = (
        "cohort",
        "date",
        "starts_at",
        "duration_minutes",
        "status",
        "logged_by",
        "logged_at",
        "log_revision",
        "cancel_reason",
    )
    fields = (
        "cohort",
        "date",
        "starts_at",
        "duration_minutes",
        "status",
        "topic",
        "activities",
        "notes",
        "cancel_reason",
        "logged_by",
        "logged_at",
        "log_revision",
    )
    inlines = [AttendanceInline]

    def has_add_permission(self, request) -> bool:
        return False

    def save_formset(self, request, form, formset, change) -> None:
        corrected = {mark.participation_id: mark.mark for mark in formset.save(commit=False)}
        if corrected:
            session = form.instance
            marks = dict(session.attendance.values_list("participation_id", "mark"))
            marks.update(corrected)
            session_log_attendance(
                session=session,
                marks=marks,
                topic=session.topic,
                activities=session.activities,
                notes=session.notes,
                by=request.user,
            )


@admin.register(Attendance)
class AttendanceAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Marks are read here; correct them on their session."""

    list_display = ("session", "participation", "mark")
    list_filter = ("mark",)
    list_select_related = ("session__cohort__program", "participation__student")
    search_fields = ("participation__student__first_name", "participation__student__last_name")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SessionLogSubmission)
class SessionLogSubmissionAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Saves of session logs by key (those sent from phones that were offline), for tracing a log."""

    list_display = ("session", "submitted_by", "submitted_at", "key")
    list_select_related = ("session__cohort__program", "session__cohort__site", "submitted_by")
    search_fields = ("key", "session__cohort__program__name", "submitted_by__username")
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Certification)
class CertificationAdmin(SimpleHistoryAdmin):
    """Industry certifications and the pathways that prepare for them."""

    list_display = ("name", "issuer")
    search_fields = ("name", "issuer")
    list_filter = ("pathways",)
    filter_horizontal = ("pathways",)


@admin.register(Credential)
class CredentialAdmin(ServiceAdminMixin, NoDeleteMixin, SimpleHistoryAdmin):
    """Credentials students earned: recorded through the service (no future dates, expiry after earning)."""

    list_display = ("student", "certification", "earned_on", "expires_on")
    list_filter = ("certification",)
    list_select_related = ("student", "certification")
    search_fields = (
        "student__first_name",
        "student__last_name",
        "student__district_id",
        "certification__name",
    )
    autocomplete_fields = ("student", "certification")
    date_hierarchy = "earned_on"

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("student", "certification", "earned_on")

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj.full_clean()
            obj.save()
        else:
            obj.pk = credential_record(
                student=obj.student,
                certification=obj.certification,
                earned_on=obj.earned_on,
                evidence=obj.evidence,
                expires_on=obj.expires_on,
            ).pk


class PlacementHoursInline(admin.TabularInline):
    """Logged hours; add them here or on the placement's hours list (through the service)."""

    model = PlacementHours
    extra = 0
    fields = ("date", "hours", "signed_off_by", "supervisor_approval")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Placement)
class PlacementAdmin(ServiceAdminMixin, NoDeleteMixin, SimpleHistoryAdmin):
    """Internships, mentorships, dual enrollment and master classes with partners."""

    list_display = ("student", "kind", "partner", "supervisor_name", "starts_on", "planned_hours")
    list_filter = ("kind", "partner")
    list_select_related = ("student", "partner")
    search_fields = ("student__first_name", "student__last_name", "partner__name", "supervisor_name")
    autocomplete_fields = ("student", "partner")
    inlines = [PlacementHoursInline]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj.full_clean()
            obj.save()
        else:
            fields = {f: getattr(obj, f) for f in form.cleaned_data if hasattr(obj, f)}
            obj.pk = placement_create(**fields).pk


@admin.register(PlacementHours)
class PlacementHoursAdmin(ServiceAdminMixin, NoDeleteMixin, SimpleHistoryAdmin):
    """Hours on placements: logged through the service (positive, not in the future, signed off)."""

    list_display = ("placement", "date", "hours", "signed_off_by", "supervisor_approval")
    list_select_related = ("placement__student", "placement__partner", "signed_off_by")
    search_fields = ("placement__student__first_name", "placement__student__last_name")
    autocomplete_fields = ("placement", "signed_off_by")
    date_hierarchy = "date"

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("placement", "date", "hours", "signed_off_by", "supervisor_approval")

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.pk = placement_hours_log(
                placement=obj.placement,
                on=obj.date,
                hours=obj.hours,
                signed_off_by=obj.signed_off_by,
                supervisor_approval=obj.supervisor_approval,
            ).pk


@admin.register(AbsenceThresholds)
class AbsenceThresholdsAdmin(SimpleHistoryAdmin):
    """Rule 10's one set of thresholds; changing one rereads every participant at the next sweep."""

    list_display = (
        "__str__",
        "consecutive_absences",
        "chronic_absence_percent",
        "chronic_absence_min_sessions",
    )

    def has_add_permission(self, request) -> bool:
        return not AbsenceThresholds.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
