"""Forms of the retention app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from artworx.models import Language
from retention.services.corrections import CORRECTABLE
from sites.models import Site
from students.models import Student


class CopyLanguageForm(forms.Form):
    """The language of a family's copy."""

    language = forms.ChoiceField(
        label=_("Language"), choices=Language.choices, widget=forms.Select(attrs={"class": "form-select"})
    )


class CorrectionForm(forms.Form):
    """A correction a family asked for."""

    field = forms.ChoiceField(
        label=_("Field"),
        choices=[(name, Student._meta.get_field(name).verbose_name) for name in CORRECTABLE],
    )
    value = forms.CharField(label=_("Corrected value"), max_length=300, required=False)
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    requested_by = forms.CharField(label=_("Asked for by"), max_length=200)


class ReleaseForm(forms.Form):
    """The students of one district: by the start of their district ids, or by sites."""

    district = forms.CharField(label=_("District"), max_length=200)
    district_id_prefix = forms.CharField(
        label=_("District id prefix"),
        max_length=30,
        required=False,
        help_text=_("Students whose district id starts with this."),
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Site.objects.order_by("name"),
        required=False,
        help_text=_("Or: students who were enrolled at these sites."),
    )

    def clean(self):
        data = super().clean()
        if not data.get("district_id_prefix") and not data.get("sites"):
            raise forms.ValidationError(_("Give a district id prefix or choose sites."), code="no_selection")
        return data
