"""Download of the alumni list, with the list's filters; contact details for staff roles only."""

from django.utils.translation import gettext_lazy as _

from alumni.forms import alumnus_filter
from alumni.models import Alumnus
from artworx.exports import Export, SafeResource, register
from artworx.roles import sees_all


class AlumnusResource(SafeResource):
    class Meta:
        model = Alumnus
        fields = (
            "id",
            "student__first_name",
            "student__last_name",
            "graduated_on",
            "diploma",
            "current_outcome",
            "next_check_in_on",
            "consents_to_contact",
            "staff_contact__username",
        )


class AlumnusWithContactResource(AlumnusResource):
    """Contact details for staff roles only."""

    class Meta(AlumnusResource.Meta):
        fields = (*AlumnusResource.Meta.fields, "phone", "email", "address")


def _alumni(request):
    return alumnus_filter(request).qs


register(
    "alumni",
    Export(
        title=_("Alumni"),
        perm="alumni.view_alumnus",
        rows=_alumni,
        filters=alumnus_filter,
        resource=lambda user: AlumnusWithContactResource if sees_all(user) else AlumnusResource,
    ),
)
