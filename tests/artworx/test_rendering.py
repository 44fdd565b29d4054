"""Forms in Bootstrap's markup from the project's templates (artworx.rendering, templates/forms/)."""

import re
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from artworx.rendering import INPUT_TEMPLATES, FormRenderer
from artworx.widgets import LongSelect


class Sample(forms.Form):
    name = forms.CharField(help_text="As the student writes it")
    site = forms.ChoiceField(choices=[("1", "East"), ("2", "West")], widget=LongSelect)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    consents = forms.BooleanField(required=False, label="Consents to texts")
    language = forms.ChoiceField(choices=[("en", "English"), ("es", "Spanish")], widget=forms.RadioSelect)
    starts = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "class": "w-auto"}))

    def clean(self):
        raise forms.ValidationError("Pick another week")


def tag(html: str, name: str) -> str:
    """The opening tag of the element named `name`."""
    return re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', html).group(0)


def test_each_widget_gets_bootstraps_class_for_its_kind_and_keeps_its_own():
    html = str(Sample())
    assert 'class="form-control"' in tag(html, "name")
    assert 'class="form-select"' in tag(html, "site")
    assert 'class="form-control"' in tag(html, "notes")
    assert 'class="form-check-input"' in tag(html, "consents")
    assert 'class="form-check-input"' in tag(html, "language")
    assert 'class="w-auto form-control"' in tag(html, "starts")


def test_labels_help_text_and_choice_lists_are_tied_to_their_inputs():
    html = str(Sample())
    required = '<span class="text-danger" aria-hidden="true">*</span>'
    assert f'<label class="form-label" for="id_name">Name{required}</label>' in html
    assert 'aria-describedby="id_name_helptext"' in tag(html, "name")
    assert '<div class="form-text" id="id_name_helptext">As the student writes it</div>' in html
    assert '<label class="form-check-label" for="id_consents">Consents to texts</label>' in html
    # The radio buttons: a fieldset whose legend names them, each button with its own label.
    assert re.search(r'<fieldset class="mb-3"><legend class="form-label fs-6">Language', html)
    assert '<label class="form-check-label" for="id_language_1">Spanish</label>' in html


def test_errors_mark_the_field_and_the_form_and_say_why():
    form = Sample(data={"name": "", "site": "1", "language": "fr", "starts": "2026-12-01"})
    html = str(form)
    assert form.errors.keys() == {"name", "language", "__all__"}
    name = tag(html, "name")
    assert "is-invalid" in name and 'aria-invalid="true"' in name
    assert 'aria-describedby="id_name_helptext id_name_error"' in name
    error = '<div class="invalid-feedback d-block" id="id_name_error"><div>This field is required.</div>'
    assert error in html
    assert "is-invalid" not in tag(html, "starts")
    assert '<div class="alert alert-danger" role="alert"><p class="mb-0">Pick another week</p></div>' in html


INPUTS = [
    (forms.TextInput(), 'O\'Neil <b> & "co"'),
    (forms.TextInput(attrs={"placeholder": gettext_lazy("Name"), "required": True, "disabled": False}), None),
    (forms.TextInput(attrs={"data-note": mark_safe("<kept>"), "maxlength": 20}), mark_safe("a&amp;b")),
    (forms.EmailInput(attrs={"autocomplete": "email"}), "rosa@example.org"),
    (forms.PasswordInput(render_value=True), "s3cret<>"),
    (forms.PasswordInput(), "not shown"),
    (forms.NumberInput(attrs={"min": 0, "step": Decimal("0.5")}), Decimal("2.50")),
    (forms.NumberInput(), 0),
    (forms.DateInput(attrs={"type": "date"}), date(2026, 11, 30)),
    (forms.DateTimeInput(), datetime(2026, 11, 30, 8, 5)),
    (forms.TimeInput(format="%H:%M"), time(23, 59)),
    (forms.URLInput(), "https://example.org/?a=1&b=2"),
    (forms.HiddenInput(), 42),
    (forms.HiddenInput(), ""),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.CheckboxInput(attrs={"value": "yes"}), "yes"),
    (forms.widgets.Input(attrs={"type": "search"}), "art & design"),
    (forms.TextInput(attrs={"aria-describedby": "id_x_helptext id_x_error", "aria-invalid": "true"}), "x"),
]


@pytest.mark.parametrize(("widget", "value"), INPUTS, ids=lambda item: type(item).__name__)
def test_an_input_written_in_python_is_the_html_djangos_templates_write(widget, value):
    assert widget.template_name in INPUT_TEMPLATES
    attrs = {"id": "id_x", "class": "form-control"}
    by_templates = widget.render("x", value, attrs, renderer=TemplatesSetting())
    assert widget.render("x", value, attrs, renderer=FormRenderer()) == by_templates


def test_every_input_django_writes_with_input_html_alone_is_written_in_python():
    alone = {
        widget.template_name
        for widget in (
            forms.TextInput,
            forms.EmailInput,
            forms.PasswordInput,
            forms.NumberInput,
            forms.DateInput,
            forms.DateTimeInput,
            forms.TimeInput,
            forms.URLInput,
            forms.HiddenInput,
            forms.CheckboxInput,
            forms.ColorInput,
            forms.SearchInput,
            forms.TelInput,
        )
    }
    assert alone | {"django/forms/widgets/input.html"} == INPUT_TEMPLATES
    assert forms.ClearableFileInput.template_name not in INPUT_TEMPLATES  # a template of its own
