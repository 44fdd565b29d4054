"""Downloads of students, enrollments, contracts and referrals, each scoped exactly like its page."""

from itertools import islice

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artworx.exports import Export, SafeResource, column, register
from artworx.roles import sees_all
from students.filters import contract_filter, referral_filter, student_filter
from students.models import Contract, Enrollment, RecordRead, Referral, Student, SupportProfile
from students.selectors import enrollment_rows, with_pace
from students.services import record_reads_create_many

STUDENT_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "district_id",
    "grade",
    "language",
    "status",
    "site",
    "teacher",
    "credits_earned",
)


class StudentResource(SafeResource):
    status = column("status", _("Status"), choices=Student.Status.choices)
    site = column("open_enrollments", _("Site"))
    teacher = column("open_enrollments", _("Teacher"))
    credits_earned = column("credits_earned", _("Credits earned"))

    class Meta:
        model = Student
        fields = STUDENT_COLUMNS
        export_order = STUDENT_COLUMNS

    def dehydrate_site(self, student) -> str:
        return ", ".join(str(e.site) for e in student.open_enrollments)

    def dehydrate_teacher(self, student) -> str:
        return ", ".join(str(e.teacher) for e in student.open_enrollments)


class StudentWithSupportResource(StudentResource):
    """Support flags are added only for roles that may see them (DESIGN.md rule 13)."""

    class Meta(StudentResource.Meta):
        fields = (*STUDENT_COLUMNS, *(f"support_profile__{flag}" for flag in SupportProfile.FLAGS))
        export_order = fields


class EnrollmentResource(SafeResource):
    class Meta:
        model = Enrollment
        fields = (
            "id",
            "student__first_name",
            "student__last_name",
            "student__district_id",
            "site__name",
            "teacher__username",
            "started_on",
            "ended_on",
            "exit_reason",
        )


class ContractResource(SafeResource):
    credits_done = column("credits_done", _("Credits done"))
    credits_planned = column("credits_planned", _("Credits planned"))
    pace = column("pk", _("Pace"))
    days_left = column("pk", _("Instructional days left"))

    def iter_queryset(self, queryset):
        """The rows with `.pace` attached by the contract list's own `with_pace`, one chunk at a time."""
        rows, today = super().iter_queryset(queryset), timezone.localdate()
        while chunk := list(islice(rows, self.CHUNK)):
            yield from with_pace(chunk, today=today)

    def dehydrate_pace(self, contract) -> str:
        return contract.pace.label if contract.pace else ""

    def dehydrate_days_left(self, contract):
        return contract.pace.days_left if contract.pace else ""

    class Meta:
        model = Contract
        fields = (
            "id",
            "student__first_name",
            "student__last_name",
            "site__name",
            "teacher__username",
            "started_on",
            "due_on",
            "status",
            "extension_days",
            "closed_on",
            "credits_done",
            "credits_planned",
            "pace",
            "days_left",
        )
        export_order = fields


class ReferralResource(SafeResource):
    """Referral funnel rows; contact details and notes stay out of the file."""

    class Meta:
        model = Referral
        fields = (
            "id",
            "source__name",
            "first_name",
            "last_name",
            "status",
            "received_on",
            "contacted_on",
            "assessed_on",
            "enrolled_on",
            "recommended_option",
            "credits_total",
            "counselor__username",
        )
        export_order = fields


def _referrals(request):
    """Referrals the user may see, with the list page's filters (status, source, counselor)."""
    return referral_filter(request).qs


def _students(request):
    return student_filter(request).qs.select_related("support_profile")


def _audit_support_flags(request, student_ids) -> None:
    """A file with support flags counts in the read audit: one row per student in it, one INSERT."""
    if sees_all(request.user):  # the roles that get StudentWithSupportResource
        parts = [RecordRead.Part.SUPPORT_PROFILE]
        record_reads_create_many(request=request, student_ids=student_ids, parts=parts)


def _contracts(request):
    return contract_filter(request).qs


register(
    "students",
    Export(
        title=_("Students"),
        perm="students.view_student",
        rows=_students,
        filters=student_filter,
        audit=_audit_support_flags,
        resource=lambda user: StudentWithSupportResource if sees_all(user) else StudentResource,
    ),
)

register(
    "enrollments",
    Export(
        title=_("Enrollments"),
        perm="students.view_student",
        rows=lambda r: enrollment_rows(user=r.user),
        resource=lambda user: EnrollmentResource,
    ),
)

register(
    "contracts",
    Export(
        title=_("Contracts"),
        perm="students.view_contract",
        rows=_contracts,
        resource=lambda user: ContractResource,
        filters=contract_filter,
    ),
)

register(
    "referrals",
    Export(
        title=_("Referrals"),
        perm="students.view_referral",
        rows=_referrals,
        filters=referral_filter,
        resource=lambda user: ReferralResource,
    ),
)
