"""Sections a page shows from the apps above its own, which its app does not know.

The student page (students) shows the student's arts programs, credentials and placements (programs):
programs registers that section in its `sections.py`, found at start-up like `exports.py`. A section
is a template and a function of the request and the page's object that gives its context.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Section:
    """One section of a page: its template and how to build its context."""

    template: str
    context: Callable[[HttpRequest, object], dict]


SECTIONS: dict[str, list[Section]] = defaultdict(list)


def register(page: str, *, template: str, context: Callable[[HttpRequest, object], dict]) -> None:
    """Add a section to a page, named by its URL name (e.g. "students:detail")."""
    SECTIONS[page].append(Section(template=template, context=context))


def render_sections(page: str, *, request: HttpRequest, obj) -> list[SafeString]:
    """Every section of a page, rendered for this request and object, in the order registered."""
    return [
        render_to_string(section.template, section.context(request, obj), request=request)
        for section in SECTIONS[page]
    ]
