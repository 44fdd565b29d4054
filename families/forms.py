"""Staff write to a family: a template in the guardian's language, or their own words."""

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from families.services import MAX_TEXT
from students.models import Channel, Guardian, Student

# Each template is translated into the guardian's language when sent (gettext, locale/).
TEMPLATES = {
    "call_us": gettext_lazy("Hello from artworx: please call us about %(student)s when you can."),
    "missed_today": gettext_lazy(
        "%(student)s was not at artworx today. Is everything all right? Please reply or call us."
    ),
    "good_week": gettext_lazy("%(student)s had a good week at artworx. Thank you for your support!"),
}


class FamilyMessageForm(forms.Form):
    """A short text to one guardian who accepts texts."""

    guardian = forms.TypedChoiceField(label=gettext_lazy("To"), coerce=int)
    template = forms.ChoiceField(
        label=gettext_lazy("Message"),
        required=False,
        choices=[
            ("", gettext_lazy("My own words (below)")),
            ("call_us", gettext_lazy("Please call us")),
            ("missed_today", gettext_lazy("Not here today")),
            ("good_week", gettext_lazy("A good week")),
        ],
    )
    text = forms.CharField(
        label=gettext_lazy("Your words"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        self.student = student
        # One query, read once for the choices and for the check (the student page counts its queries).
        self.guardians = {g.pk: g for g in student.guardians.reachable_by(Channel.SMS)}
        self.fields["guardian"].choices = [(pk, g.name) for pk, g in self.guardians.items()]

    def clean_guardian(self) -> Guardian:
        return self.guardians[self.cleaned_data["guardian"]]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("template") and not (cleaned.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a message or write your own."))
        return cleaned

    def body(self) -> str:
        """The text as the guardian will read it: a template in their language, or the words written."""
        template = self.cleaned_data.get("template")
        if not template:
            return self.cleaned_data["text"].strip()
        with translation.override(self.cleaned_data["guardian"].language):
            name = self.student.preferred_name or self.student.first_name
            return str(TEMPLATES[template]) % {"student": name}
