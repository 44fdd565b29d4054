"""Forms for a user's notification preferences."""

from django import forms


class PreferencesForm(forms.Form):
    """One "also by email" checkbox per kind of notification the user's roles receive."""

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in kinds:
            self.fields[value] = forms.BooleanField(label=label, required=False)

    def email_kinds(self) -> set[str]:
        """The kinds ticked for email."""
        return {name for name, wanted in self.cleaned_data.items() if wanted}
