"""Downloads of sessions and attendance marks, scoped exactly like the cohort pages."""

from django.utils.translation import gettext_lazy as _

from artworx.exports import Export, SafeResource, register
from programs.models import Attendance, Session
from programs.selectors import attendance_rows, session_rows


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
        title=_("Sessions"),
        perm="programs.view_cohort",
        rows=lambda r: session_rows(user=r.user),
        resource=lambda user: SessionResource,
    ),
)

register(
    "attendance",
    Export(
        title=_("Attendance marks"),
        perm="programs.view_cohort",
        rows=lambda r: attendance_rows(user=r.user),
        resource=lambda user: AttendanceResource,
    ),
)
