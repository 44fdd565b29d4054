"""Downloads of sessions and attendance marks, scoped exactly like the cohort pages."""

from artworx.exports import Export, SafeResource, register
from programs.models import Attendance, Session


class SessionResource(SafeResource):
    class Meta:
        model = Session
        fields = (
            "id",
            "cohort__program__name",
            "cohort__site__name",
            "cohort__venue__name",
            "date",
            "starts_at",
            "duration_minutes",
            "status",
            "topic",
        )


class AttendanceResource(SafeResource):
    class Meta:
        model = Attendance
        fields = (
            "id",
            "session__date",
            "session__cohort__program__name",
            "participation__student__first_name",
            "participation__student__last_name",
            "mark",
        )


register(
    "sessions",
    Export(
        perm="programs.view_cohort",
        rows=lambda r: Session.objects.visible_to(r.user).select_related(
            "cohort__program", "cohort__site", "cohort__venue"
        ),
        resource=lambda user: SessionResource,
    ),
)

register(
    "attendance",
    Export(
        perm="programs.view_cohort",
        rows=lambda r: Attendance.objects.filter(
            session__in=Session.objects.visible_to(r.user)
        ).select_related("session__cohort__program", "participation__student"),
        resource=lambda user: AttendanceResource,
    ),
)
