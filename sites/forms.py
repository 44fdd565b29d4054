"""Forms for sites."""

from django import forms
from django.contrib.auth import get_user_model

from artworx.roles import TEACHER
from sites.models import Site

User = get_user_model()


class SiteForm(forms.ModelForm):
    """Create or edit a site and choose its teachers."""

    class Meta:
        model = Site
        fields = ["name", "partner", "address", "phone", "capacity", "teachers", "notes", "is_active"]
        widgets = {"teachers": forms.CheckboxSelectMultiple, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teachers"].queryset = User.objects.filter(groups__name=TEACHER, is_active=True)
        self.fields["partner"].queryset = self.fields["partner"].queryset.filter(is_active=True)
