"""Sections a page shows from the apps above its own, which its app does not know.

The student page (students) shows the student's arts programs, credentials and placements (programs):
programs registers that section in its `sections.py`, found at start-up like `exports.py`. A section
is a template and a function of the request and the page's object that gives its context. A context
that showed a sensitive part of the record names it under SHOWN_PARTS (a students.RecordRead.Part), so
the page's read audit counts it.
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
SHOWN_PARTS = "shown_parts"


def register(page: str, *, template: str, context: Callable[[HttpRequest, object], dict]) -> None:
    """Add a section to a page, named by its URL name (e.g. "students:detail")."""
    SECTIONS[page].append(Section(template=template, context=context))


def render_sections(page: str, *, request: HttpRequest, obj) -> tuple[list[SafeString], set[str]]:
    """Every section of a page, rendered for this request and object, in the order registered, and
    the sensitive parts of the record they showed (for the read audit)."""
    rendered, shown = [], set()
    for section in SECTIONS[page]:
        context = section.context(request, obj)
        shown.update(context.get(SHOWN_PARTS, ()))
        rendered.append(render_to_string(section.template, context, request=request))
    return rendered, shown
