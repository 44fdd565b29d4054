"""Forms in Bootstrap's markup from the project's templates (artworx.rendering, templates/forms/)."""

import re

from django import forms

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
