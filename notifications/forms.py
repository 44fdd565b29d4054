"""Forms for a user's notification preferences and the actions on an open item."""

from django import forms
from django.utils.translation import gettext_lazy as _

from artworx.dates import DateField

DIGEST_FIELDS = ("digest_enabled", "digest_hour")


class PreferencesForm(forms.Form):
    """The daily digest's hour, and one "also by email at once" checkbox per urgent kind the user's
    roles may receive."""

    digest_enabled = forms.BooleanField(label=_("Send me a daily digest by email"), required=False)
    digest_hour = forms.TypedChoiceField(
        label=_("Hour of the digest (Los Angeles time)"),
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        coerce=int,
    )

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in kinds:
            self.fields[value] = forms.BooleanField(
                label=_("%(kind)s: also by email at once") % {"kind": label}, required=False
            )

    def email_kinds(self) -> set[str]:
        """The kinds ticked for email."""
        return {name for name, wanted in self.cleaned_data.items() if wanted and name not in DIGEST_FIELDS}


class SnoozeForm(forms.Form):
    """Hide an item until a day."""

    until = DateField(label=_("Snooze until"), widget=forms.DateInput(attrs={"type": "date"}))
