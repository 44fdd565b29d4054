"""Forms in Bootstrap's markup, written by Django's own form templates (templates/forms/).

A field is one template render: its label, its widget with Bootstrap's class for its kind, its errors
and its help text. Django's form rendering gives each widget `aria-invalid` and `aria-describedby` for
its errors and help text.
"""

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

# Bootstrap's class for each kind of widget, the first that matches; any other input is a form-control.
WIDGET_CLASSES = (
    (forms.HiddenInput, ""),
    ((forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple), "form-check-input"),
    ((forms.Select, forms.SelectMultiple), "form-select"),
)


# Django's widgets whose template is its `input.html` alone: written by `input_html` (issue #22).
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in (
        "input",
        "text",
        "email",
        "password",
        "number",
        "date",
        "datetime",
        "time",
        "url",
        "tel",
        "search",
        "color",
        "hidden",
        "checkbox",
    )
)


class FormRenderer(TemplatesSetting):
    """The project's templates render forms (`{{ form }}`) and fields (`{{ field.as_field_group }}`).

    An input widget is written in Python, in the HTML of Django's `input.html` and `attrs.html`: a page
    draws dozens of them, and each was two template renders, the larger part of a small form's time."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return input_html(context["widget"])
        return super().render(template_name, context, request)


def input_html(widget: dict) -> str:
    """What Django's `django/forms/widgets/input.html` writes for a widget's context."""
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return mark_safe(  # noqa: S308 - every part escaped as the template escapes it
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{shown}{attrs_html(widget['attrs'])}>"
    )


def attrs_html(attrs: dict) -> str:
    """What Django's `django/forms/widgets/attrs.html` writes: ` name="value"`, a bare name for True,
    nothing for False. A value is escaped unless it is safe, as `{{ value|stringformat:'s' }}` does."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def bootstrap_class(widget: forms.Widget) -> str:
    """Bootstrap's class for a widget."""
    return next((name for kinds, name in WIDGET_CLASSES if isinstance(widget, kinds)), "form-control")


def with_bootstrap_classes(field: forms.BoundField) -> forms.BoundField:
    """The bound field, its widget given Bootstrap's class (and `is-invalid` when it has errors).

    The widget is the form instance's own copy (a form copies its fields when made), so the class
    stays with this form."""
    widget = field.field.widget
    classes = widget.attrs.get("class", "").split()
    for name in (bootstrap_class(widget), "is-invalid" if field.errors else ""):
        if name and name not in classes:
            classes.append(name)
    if classes:
        widget.attrs["class"] = " ".join(classes)
    return field


def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


def is_choice_list(field: forms.BoundField) -> bool:
    """A list of radio buttons or checkboxes, one per choice."""
    return isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
