"""Admin for students, guardians, support profiles and enrollments."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from artworx.admin import ReadOnlyAdmin
from artworx.console import NoDeleteMixin, ServiceAdminMixin
from students.forms import GuardianForm
from students.models import (
    AgreementTemplate,
    AgreementVersion,
    Contract,
    ContractCourse,
    Enrollment,
    Guardian,
    GuardianConsent,
    IndependentStudyPolicy,
    RecordRead,
    Referral,
    RosterImport,
    Signature,
    Student,
    SupportProfile,
    WaitlistEntry,
)
from students.services import (
    REFERRAL_FIELDS,
    contract_course_add,
    contract_course_update,
    enrollment_create,
    enrollment_exit,
    guardian_save,
    record_read_create,
    referral_create,
    referral_update,
    student_save,
    waitlist_add,
)

Part = RecordRead.Part


class ReadAuditMixin:
    """The read audit counts the admin's change pages too: one row for what the page showed."""

    def parts_shown(self, request, obj) -> list[str]:
        raise NotImplementedError

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            record = (
                {"referral": obj} if isinstance(obj, Referral) else {"student": getattr(obj, "student", obj)}
            )
            record_read_create(request=request, parts=self.parts_shown(request, obj), **record)
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )


def _notes(profile) -> list[str]:
    return [Part.PRIVATE_NOTES] if profile is not None and profile.private_notes else []


class GuardianInline(admin.StackedInline):
    """Contact details only: consent is changed on the guardian's own page (guardian_save)."""

    model = Guardian
    extra = 0
    readonly_fields = ("phone_as_entered",)


class SupportProfileInline(admin.StackedInline):
    """Shown only to users holding the support-profile permissions."""

    model = SupportProfile
    can_delete = False


class EnrollmentInline(admin.TabularInline):
    """Enrollment history; enroll, transfer and exit go through the capacity services."""

    model = Enrollment
    extra = 0
    fields = ("site", "teacher", "started_on", "ended_on", "exit_reason")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Student)
class StudentAdmin(ReadAuditMixin, NoDeleteMixin, SimpleHistoryAdmin):
    """Students with their guardians, support profile and enrollments."""

    list_display = ("last_name", "first_name", "preferred_name", "district_id", "grade", "language")
    list_filter = ("grade", "language")
    search_fields = ("first_name", "last_name", "preferred_name", "district_id")
    inlines = [GuardianInline, SupportProfileInline, EnrollmentInline]

    def save_model(self, request, obj, form, change) -> None:
        student_save(student=obj)

    def parts_shown(self, request, obj) -> list[str]:
        # The inlines shown are those the user holds a permission on (ModelAdmin.get_inline_instances).
        shown = {type(inline) for inline in self.get_inline_instances(request, obj)}
        parts = []
        if GuardianInline in shown and obj.guardians.exists():
            parts.append(Part.GUARDIANS)
        if SupportProfileInline in shown:
            profile = SupportProfile.objects.filter(student=obj).first()
            parts += [Part.SUPPORT_PROFILE, *_notes(profile)] if profile is not None else []
        return parts


class GuardianAdminForm(GuardianForm):
    """The guardian form with the student to choose: consent goes through guardian_save here too."""

    class Meta(GuardianForm.Meta):
        fields = ["student", *GuardianForm.Meta.fields]


class GuardianConsentInline(admin.TabularInline):
    """The consent history: written by guardian_consent_set only, shown read-only."""

    model = GuardianConsent
    extra = 0
    fields = ("recorded_at", "channel", "granted", "method", "recorded_by", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Guardian)
class GuardianAdmin(ReadAuditMixin, SimpleHistoryAdmin):
    form = GuardianAdminForm
    list_display = ("name", "student", "relationship", "phone", "language", "sms_opt_in", "email_opt_in")
    list_filter = ("relationship", "language", "sms_opt_in", "email_opt_in")
    list_select_related = ("student",)
    search_fields = ("name", "student__first_name", "student__last_name", "phone", "email")
    autocomplete_fields = ("student",)
    readonly_fields = ("phone_as_entered",)
    inlines = [GuardianConsentInline]

    def save_model(self, request, obj, form, change) -> None:
        guardian_save(
            guardian=obj,
            consents=form.consents(),
            method=form.cleaned_data["consent_method"],
            by=request.user,
        )

    def parts_shown(self, request, obj) -> list[str]:
        return [Part.GUARDIANS]


@admin.register(SupportProfile)
class SupportProfileAdmin(ReadAuditMixin, NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("student", *SupportProfile.FLAGS[:4])
    list_filter = SupportProfile.FLAGS
    list_select_related = ("student",)
    search_fields = ("student__first_name", "student__last_name", "student__district_id")
    autocomplete_fields = ("student",)

    def parts_shown(self, request, obj) -> list[str]:
        return [Part.SUPPORT_PROFILE, *_notes(obj)]


class OpenFilter(admin.SimpleListFilter):
    title = _("open")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Open")), ("no", _("Ended"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.open()
        if self.value() == "no":
            return queryset.filter(ended_on__isnull=False)
        return queryset


@admin.register(Enrollment)
class EnrollmentAdmin(ServiceAdminMixin, NoDeleteMixin, SimpleHistoryAdmin):
    """Enrollments: adding checks capacity and caseload; an open one can only be ended here."""

    list_display = ("student", "site", "teacher", "started_on", "ended_on", "exit_reason")
    list_filter = (OpenFilter, "site", "exit_reason")
    list_select_related = ("student", "site", "teacher")
    search_fields = ("student__first_name", "student__last_name", "student__district_id", "site__name")
    autocomplete_fields = ("student", "site", "teacher")
    date_hierarchy = "started_on"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("ended_on", "exit_reason", "exit_notes")
        if obj.ended_on is not None:
            return ("student", "site", "teacher", "started_on", "ended_on", "exit_reason", "exit_notes")
        return ("student", "site", "teacher", "started_on")

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            created = enrollment_create(
                student=obj.student, site=obj.site, teacher=obj.teacher, started_on=obj.started_on
            )
            obj.pk = created.pk
        elif "ended_on" in form.changed_data or "exit_reason" in form.changed_data:
            enrollment_exit(
                enrollment=obj, ended_on=obj.ended_on, exit_reason=obj.exit_reason, notes=obj.exit_notes
            )


class ContractCourseInline(admin.TabularInline):
    """A contract's courses; every change goes through the contract services."""

    model = ContractCourse
    extra = 0
    fields = ("subject_area", "title", "credits", "status", "grade", "resolved_on")
    can_delete = False


class SignatureInline(admin.TabularInline):
    model = Signature
    extra = 0
    fields = ("role", "typed_name", "signed_at", "ip_address", "language", "guardian", "user", "version_hash")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    """A version of a written agreement with its signatures: a record to read, never to edit."""

    list_display = ("contract", "number", "status", "on_paper", "sent_at", "signed_at")
    list_filter = ("status", "on_paper")
    list_select_related = ("contract__student",)
    search_fields = ("contract__student__first_name", "contract__student__last_name", "content_hash")
    readonly_fields = (
        "contract",
        "number",
        "status",
        "requires_guardian",
        "on_paper",
        "sent_at",
        "signed_at",
        "content_hash",
        "content",
    )
    inlines = [SignatureInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(SimpleHistoryAdmin):
    """The agreement's wording in each language; the next version drafted reads it."""

    list_display = ("title", "language", "updated_at")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IndependentStudyPolicy)
class IndependentStudyPolicyAdmin(SimpleHistoryAdmin):
    """The board policy's numbers (one row); the next version drafted states them."""

    list_display = (
        "__str__",
        "max_days_to_due",
        "missed_assignments_for_review",
        "reengagement_percent",
        "reengagement_weeks",
    )

    def has_add_permission(self, request) -> bool:
        return not IndependentStudyPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Contract)
class ContractAdmin(ServiceAdminMixin, NoDeleteMixin, SimpleHistoryAdmin):
    """Contracts: open them from the student's page; here courses can be corrected."""

    list_display = ("student", "site", "teacher", "started_on", "due_on", "status")
    list_filter = ("status", "site")
    list_select_related = ("student", "site", "teacher")
    search_fields = ("student__first_name", "student__last_name", "student__district_id")
    date_hierarchy = "due_on"
    readonly_fields = (
        "student",
        "site",
        "teacher",
        "started_on",
        "length_days",
        "extension_days",
        "extension_reason",
        "due_on",
        "counted_from",
        "days_elapsed_before",
        "due_note",
        "status",
        "closed_on",
        "agreement",
    )
    inlines = [ContractCourseInline]

    @admin.display(description=_("written agreement"))
    def agreement(self, obj) -> str:
        """Each version with its status, linked to its page (signatures and content, read-only)."""
        links = [
            format_html(
                '<a href="{}">v{} · {}</a>',
                reverse("admin:students_agreementversion_change", args=[version.pk]),
                version.number,
                version.get_status_display(),
            )
            for version in obj.agreement_versions.order_by("number")
        ]
        return format_html_join(mark_safe("<br>"), "{}", ((link,) for link in links)) or "—"

    def has_add_permission(self, request) -> bool:
        return False

    def save_formset(self, request, form, formset, change) -> None:
        for course in formset.save(commit=False):
            if course.pk is None:
                contract_course_add(
                    contract=form.instance,
                    subject_area=course.subject_area,
                    title=course.title,
                    credits=course.credits,
                    by=request.user,
                )
            else:
                contract_course_update(course=course, by=request.user)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ServiceAdminMixin, NoDeleteMixin, SimpleHistoryAdmin):
    """Waitlists: adding goes through the service; enroll and skip from the site's waitlist page."""

    list_display = ("student", "site", "added_on", "status", "resolved_on")
    list_filter = ("status", "site")
    list_select_related = ("student", "site")
    search_fields = ("student__first_name", "student__last_name", "student__district_id", "site__name")
    autocomplete_fields = ("student", "site")
    date_hierarchy = "added_on"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("status", "resolved_on", "skip_reason")
        return ("student", "site", "added_on", "status", "resolved_on", "skip_reason")

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.pk = waitlist_add(student=obj.student, site=obj.site, on=obj.added_on).pk


@admin.register(Referral)
class ReferralAdmin(ReadAuditMixin, ServiceAdminMixin, NoDeleteMixin, SimpleHistoryAdmin):
    """Referrals: details and credits are checked by the services; the funnel moves on the referral page."""

    list_display = ("last_name", "first_name", "source", "received_on", "counselor", "status")
    list_filter = ("status", "recommended_option", "out_of_school", "source")
    list_select_related = ("source", "counselor")
    search_fields = ("first_name", "last_name", "district_id", "source__name")
    autocomplete_fields = ("source", "counselor", "student")
    date_hierarchy = "received_on"
    funnel_fields = (
        "status",
        "contacted_on",
        "assessed_on",
        "enrolled_on",
        "closed_on",
        "student",
        "credits_total",
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.funnel_fields
        return ("received_on", *self.funnel_fields)

    def save_model(self, request, obj, form, change) -> None:
        fields = {name: getattr(obj, name) for name in REFERRAL_FIELDS}
        if change:
            referral_update(referral=obj, **fields)
        else:
            obj.pk = referral_create(received_on=obj.received_on, **fields).pk

    def parts_shown(self, request, obj) -> list[str]:
        return [Part.REFERRAL]


@admin.register(RosterImport)
class RosterImportAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Roster imports are read here; they are made and saved from the Students pages."""

    list_display = ("filename", "status", "applied", "uploaded_by", "created_at")
    list_filter = ("status",)
    list_select_related = ("uploaded_by",)
    search_fields = ("filename",)
    readonly_fields = ("uploaded_by", "filename", "status", "applied", "message", "results", "rows")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(RecordRead)
class RecordReadAdmin(ReadOnlyAdmin):
    """The read audit, for administrators to read: nobody adds, changes or deletes a row here."""

    list_display = ("at", "user", "student", "referral", "parts", "path", "view_name")
    list_filter = ("parts",)
    list_select_related = ("user", "student", "referral")
    search_fields = ("user__username", "student__first_name", "student__last_name", "path")
    date_hierarchy = "at"
    readonly_fields = ("at", "user", "student", "referral", "parts", "path", "view_name")
