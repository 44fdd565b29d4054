"""`{% load roll %}`: the session log's mark buttons, written in one pass per student.

A roll of 25 students has 150 buttons; written through template tags, each button's eight values went
through the template engine one by one, most of the page's time on a teaching artist's phone.
"""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

CHECKED = mark_safe(" checked")  # a constant: the attribute a ticked button carries

BUTTON = (
    '<input type="radio" class="btn-check" name="{}" id="{}" value="{}" autocomplete="off"{}>'
    '<label class="btn btn-outline-{} mark-button" for="{}" title="{}">'
    '<span aria-hidden="true">{}</span><span class="visually-hidden">{}</span></label>'
)


@register.simple_tag
def mark_buttons(field, buttons) -> str:
    """A radio button and its label for each mark (`programs.forms.MarkButton`) of one student's row."""
    return format_html_join(
        "\n",
        BUTTON,
        (
            (
                field.html_name,
                b.id,
                b.value,
                CHECKED if b.checked else "",
                "danger" if b.absent else "success",
                b.id,
                b.label,
                b.letter,
                b.label,
            )
            for b in buttons
        ),
    )
