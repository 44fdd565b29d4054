"""Forms in Bootstrap's markup, written by Django's own form templates (templates/forms/).

A field is one template render: its label, its widget with Bootstrap's class for its kind, its errors
and its help text. Django's form rendering gives each widget `aria-invalid` and `aria-describedby` for
its errors and help text.
"""

from django import forms
from django.forms.renderers import TemplatesSetting

# Bootstrap's class for each kind of widget, the first that matches; any other input is a form-control.
WIDGET_CLASSES = (
    (forms.HiddenInput, ""),
    ((forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple), "form-check-input"),
    ((forms.Select, forms.SelectMultiple), "form-select"),
)


class FormRenderer(TemplatesSetting):
    """The project's templates render forms (`{{ form }}`) and fields (`{{ field.as_field_group }}`)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


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
