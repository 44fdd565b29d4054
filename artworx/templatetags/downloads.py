"""`{% load downloads %}`: whether a list's download is open to the reader, so no page offers a
download that would answer 403."""

from django import template

from artworx.exports import EXPORTS

register = template.Library()


@register.filter
def may_download(user, name: str) -> bool:
    """The user holds the permission the download `name` asks for (artworx.exports)."""
    export = EXPORTS.get(name)
    return export is not None and user.has_perm(export.perm)
