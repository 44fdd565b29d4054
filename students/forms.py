"""Forms for students, guardians, support profiles and enrollments."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from artworx.dates import DateField
from artworx.roles import COUNSELOR, TEACHER, people_with
from artworx.widgets import OptionDataSelect
from sites.models import Partner, Site
from students.models import (
    Channel,
    ContractCourse,
    Diploma,
    ExitReason,
    Guardian,
    GuardianConsent,
    Referral,
    Student,
    SubjectArea,
    SupportProfile,
)
from students.selectors import open_enrollments_per, sites_with_seats, teachers_of, teaches_at
from students.services.referrals import REFERRAL_FIELDS

User = get_user_model()


class DateInput(forms.DateInput):
    """A native date picker (keyboard-friendly on phones and laptops)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StudentForm(forms.ModelForm):
    """A student's profile."""

    class Meta:
        model = Student
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "district_id",
            "grade",
            "language",
            "phone",
            "email",
            "address",
            "prior_credits",
        ]
        widgets = {"date_of_birth": DateInput()}


class GuardianForm(forms.ModelForm):
    """A guardian's contact details and consent per channel (saved through guardian_save)."""

    accepts_texts = forms.BooleanField(label=_("Accepts text messages"), required=False)
    accepts_email = forms.BooleanField(label=_("Accepts email"), required=False)
    consent_method = forms.ChoiceField(
        label=_("How was consent given or withdrawn?"),
        choices=[
            (value, label)
            for value, label in GuardianConsent.Method.choices
            if value in {"form", "paper", "phone"}
        ],
        initial=GuardianConsent.Method.FORM,
        required=False,
    )

    class Meta:
        model = Guardian
        fields = ["name", "relationship", "phone", "email", "language", "is_primary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accepts_texts"].initial = self.instance.sms_opt_in
        self.fields["accepts_email"].initial = self.instance.email_opt_in

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and not self.errors.get("phone"):
            raise forms.ValidationError(_("Give a phone number or an email address."))
        if cleaned.get("accepts_texts") and not cleaned.get("phone"):
            self.add_error("accepts_texts", _("Add a mobile number to send text messages."))
        if cleaned.get("accepts_email") and not cleaned.get("email"):
            self.add_error("accepts_email", _("Add an email address to send email."))
        return cleaned

    def _post_clean(self):
        # The consent columns are guardian_save's to write; a consent withdrawn here is withdrawn before
        # the model's constraints are checked, so removing a number together with its consent passes.
        if "accepts_texts" in self.cleaned_data:
            self.instance.sms_opt_in = self.instance.sms_opt_in and self.cleaned_data["accepts_texts"]
            self.instance.email_opt_in = self.instance.email_opt_in and self.cleaned_data["accepts_email"]
        super()._post_clean()

    def clean_consent_method(self) -> str:
        return self.cleaned_data.get("consent_method") or GuardianConsent.Method.FORM

    def consents(self) -> dict[str, bool]:
        """The consent per channel chosen on the form."""
        return {
            Channel.SMS: self.cleaned_data["accepts_texts"],
            Channel.EMAIL: self.cleaned_data["accepts_email"],
        }


class SupportProfileForm(forms.ModelForm):
    """The sensitive support flags and private notes."""

    class Meta:
        model = SupportProfile
        fields = [*SupportProfile.FLAGS, "private_notes"]
        widgets = {"private_notes": forms.Textarea(attrs={"rows": 4})}


class PlacementForm(forms.Form):
    """Choose a site, a teacher at that site, and a date: shared by enroll and transfer."""

    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), widget=forms.Select(attrs={"data-placement-site": ""})
    )
    teacher = forms.ModelChoiceField(
        label=_("Teacher"),
        queryset=User.objects.none(),
        widget=OptionDataSelect(attrs={"data-placement-teacher": ""}),
    )
    on = DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Each site says its seats left; each teacher carries the sites they teach at, so choosing a site
        # narrows the teachers on the page (static/js/placement.js) without a reload.
        self.fields["site"].queryset = sites_with_seats(Site.objects.visible_to(user).active())
        self.fields["site"].label_from_instance = self.site_label
        self.fields["teacher"].queryset = (
            people_with(TEACHER)
            .annotate(caseload_count=open_enrollments_per(teacher="pk"))
            .order_by("last_name", "first_name")
            .prefetch_related(Prefetch("teaching_sites", queryset=Site.objects.active().only("pk", "name")))
        )
        self.fields["teacher"].label_from_instance = self.teacher_label
        self.fields["teacher"].widget.option_data = lambda teacher: {
            "sites": " ".join(str(site.pk) for site in teacher.teaching_sites.all())
        }
        self.fields["on"].initial = timezone.localdate()

    @staticmethod
    def site_label(site) -> str:
        if not site.seats_left:
            return _("%(site)s (full)") % {"site": site.name}
        return ngettext(
            "%(site)s (%(seats)d seat left)", "%(site)s (%(seats)d seats left)", site.seats_left
        ) % {"site": site.name, "seats": site.seats_left}

    @staticmethod
    def teacher_label(teacher) -> str:
        return _("%(teacher)s, %(sites)s (%(caseload)d of %(max)d students)") % {
            "teacher": teacher,
            "sites": ", ".join(site.name for site in teacher.teaching_sites.all()) or _("no site"),
            "caseload": teacher.caseload_count,
            "max": settings.ARTWORX_MAX_CASELOAD,
        }

    def clean(self):
        cleaned = super().clean()
        site, teacher = cleaned.get("site"), cleaned.get("teacher")
        if site and teacher and not teaches_at(teacher=teacher, site=site):
            self.add_error(
                "teacher", _("%(teacher)s does not teach at %(site)s.") % {"teacher": teacher, "site": site}
            )
        return cleaned


class ExitForm(forms.Form):
    """End an enrollment with a date and a reason."""

    ended_on = DateField(label=_("Last day"), widget=DateInput())
    # No reason is chosen for the user: a hurried "moved" must never become a graduate.
    exit_reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", _("Choose a reason")), *ExitReason.choices]
    )
    diploma = forms.ChoiceField(
        label=_("Diploma or equivalency"),
        choices=[("", _("Not a graduate")), *Diploma.choices],
        required=False,
        help_text=_("For a graduate: their alumni record opens with this."),
    )
    confirm_graduation = forms.BooleanField(
        label=_("Yes, the student graduated: open their alumni record and count them as a graduate."),
        required=False,
    )
    notes = forms.CharField(label=_("Notes or plans"), max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        graduated = cleaned.get("exit_reason") == ExitReason.GRADUATED
        if graduated and not cleaned.get("diploma"):
            self.add_error("diploma", _("Choose the diploma or equivalency the student earned."))
        if graduated and not cleaned.get("confirm_graduation"):
            self.add_error("confirm_graduation", _("Confirm the graduation: it opens an alumni record."))
        if not graduated and cleaned.get("diploma"):
            self.add_error("diploma", _("A diploma is recorded only for a graduate."))
        return cleaned

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()


class ContractForm(forms.Form):
    """When a contract starts; the due date is computed from the instructional calendar."""

    started_on = DateField(label=_("Start date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()


class CourseForm(forms.ModelForm):
    """One course of a contract's courseload."""

    class Meta:
        model = ContractCourse
        fields = ["subject_area", "title", "credits"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credits"].min_value = Decimal("0.5")
        self.fields["credits"].max_value = settings.ARTWORX_MAX_COURSE_CREDITS
        self.fields["credits"].validators += [
            MinValueValidator(Decimal("0.5")),
            MaxValueValidator(settings.ARTWORX_MAX_COURSE_CREDITS),
        ]
        self.fields["credits"].widget.attrs.update(
            min="0.5", max=settings.ARTWORX_MAX_COURSE_CREDITS, step="0.5"
        )
        # The contract page lays courses out as table rows, without the markup of templates/forms/field.html.
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name == "subject_area" else "form-control"


# absolute_max: a forged course count is refused with the form's message, never built a thousand times.
CourseFormSet = forms.formset_factory(
    CourseForm, extra=4, min_num=1, validate_min=True, max_num=12, validate_max=True, absolute_max=12
)


class CourseResolveForm(forms.Form):
    """Complete or fail a course."""

    status = forms.ChoiceField(
        label=_("Result"),
        choices=[
            (ContractCourse.Status.COMPLETED, ContractCourse.Status.COMPLETED.label),
            (ContractCourse.Status.NOT_COMPLETED, ContractCourse.Status.NOT_COMPLETED.label),
        ],
        widget=forms.RadioSelect,
    )
    grade = forms.ChoiceField(label=_("Grade"), choices=ContractCourse.Grade.choices)
    resolved_on = DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolved_on"].initial = timezone.localdate()


class ContractExtendForm(forms.Form):
    """Extend a contract once, by a number of instructional days, with a reason."""

    days = forms.IntegerField(label=_("Instructional days to add"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].max_value = settings.ARTWORX_MAX_CONTRACT_EXTENSION
        self.fields["days"].validators.append(MaxValueValidator(settings.ARTWORX_MAX_CONTRACT_EXTENSION))


class ContractCancelForm(forms.Form):
    """Cancel a contract before it starts, with a reason kept on the contract."""

    reason = forms.CharField(label=_("Reason"), max_length=200)


# Waitlists and referrals ------------------------------------------------------------------------


class WaitlistAddForm(forms.Form):
    """The site whose waitlist to join (posted from the enroll page when the site is full)."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.visible_to(user).active()


class WaitlistEnrollForm(PlacementForm):
    """A teacher at the waitlist's site and a start date; the site is fixed by the entry."""

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(pk=site.pk)
        self.fields["site"].initial = site.pk
        self.fields["site"].widget = forms.HiddenInput()
        here = teachers_of(Site.objects.filter(pk=site.pk)).values("pk")
        self.fields["teacher"].queryset = self.fields["teacher"].queryset.filter(pk__in=here)


class WaitlistSkipForm(forms.Form):
    """Why a waiting student is taken off the list."""

    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReferralForm(forms.ModelForm):
    """A referral's intake details and the counselor's credit assessment by subject area."""

    received_on = DateField(label=_("Received on"), widget=DateInput())

    class Meta:
        model = Referral
        fields = [name for name in REFERRAL_FIELDS if name != "credits_held"]  # typed per subject below
        widgets = {"date_of_birth": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Partner.objects.filter(is_active=True)
        self.fields["counselor"].queryset = people_with(COUNSELOR)
        if self.instance.pk:
            del self.fields["received_on"]
        else:
            self.fields["received_on"].initial = timezone.localdate()
        held = self.instance.credits_held or {}
        for area, label in SubjectArea.choices:
            self.fields[f"credits_{area}"] = forms.DecimalField(
                label=_("Credits held: %(area)s") % {"area": label},
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(300),
                max_digits=4,
                decimal_places=1,
                initial=held.get(area),
            )

    def credits_held(self) -> dict:
        """The credits by subject area typed in the form, leaving out empty areas."""
        return {
            name.removeprefix("credits_"): str(value)
            for name, value in self.cleaned_data.items()
            if name.startswith("credits_") and value
        }

    def clean(self):
        cleaned = super().clean()
        total = sum((v for name, v in cleaned.items() if name.startswith("credits_") and v), start=Decimal(0))
        if total > 300:
            raise forms.ValidationError(
                _("Credits held add up to %(total)s: at most 300.") % {"total": total}
            )
        return cleaned

    def service_fields(self) -> dict:
        """The cleaned data as the referral services take it."""
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        data["credits_held"] = self.credits_held()
        if "received_on" in self.fields:
            data["received_on"] = self.cleaned_data["received_on"]
        return data


class ReferralAdvanceForm(forms.Form):
    """The next step of a referral's funnel and its date."""

    status = forms.ChoiceField(label=_("Next step"))
    on = DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = steps
        self.fields["on"].initial = timezone.localdate()


class ReferralConvertForm(PlacementForm):
    """Site, teacher and date to enroll a referred youth; a possible match is confirmed or set aside."""

    NEW = "new"

    # No grade is chosen for the user: a youth of 17 must not quietly become a 9th grader.
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        coerce=int,
        choices=[("", _("Choose a grade")), *Student.Grade.choices],
        required=False,
        empty_value=None,
    )
    match = forms.ChoiceField(
        label=_("Is this youth already a student?"), widget=forms.RadioSelect, required=False
    )

    def __init__(self, *args, matches, **kwargs):
        super().__init__(*args, **kwargs)
        self.matches = {str(m.pk): m for m in matches}
        if matches:
            self.fields["match"].required = True
            self.fields["match"].choices = [
                *(
                    (
                        pk,
                        _("Yes: %(student)s, born %(born)s, district id %(id)s")
                        % {
                            "student": m,
                            "born": date_format(m.date_of_birth, "SHORT_DATE_FORMAT"),
                            "id": m.district_id or "—",
                        },
                    )
                    for pk, m in self.matches.items()
                ),
                (self.NEW, _("No: create a new student")),
            ]
        else:
            del self.fields["match"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("match") in self.matches:
            cleaned["student"] = self.matches[cleaned["match"]]
        else:
            cleaned["student"] = None
            if not cleaned.get("grade"):
                self.add_error("grade", _("Give the grade to create the student."))
        return cleaned


# Work product and reviews ------------------------------------------------------------------------


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _("%(title)s (%(credits)s credits)") % {
            "title": obj.title,
            "credits": formats.number_format(obj.credits, 1),
        }


class AssignmentForm(forms.Form):
    """An assignment on one of the contract's courses."""

    course = CourseChoiceField(label=_("Course"), queryset=ContractCourse.objects.none())
    title = forms.CharField(label=_("Assignment"), max_length=200)
    assigned_on = DateField(label=_("Assigned on"), widget=DateInput())
    due_on = DateField(label=_("Due on"), widget=DateInput())

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = contract.courses.order_by("pk")


class HandInForm(forms.Form):
    handed_in_on = DateField(label=_("Handed in on"), widget=DateInput())


class EvaluateForm(forms.Form):
    """The teacher's evaluation and the time value the work is credited, in days or hours."""

    evaluation = forms.CharField(label=_("Grade or mark"), max_length=20)
    amount = forms.DecimalField(label=_("Time value"), min_value=0, max_digits=5, decimal_places=2)
    unit = forms.ChoiceField(
        label=_("In"), choices=[("days", _("days")), ("hours", _("hours"))], widget=forms.RadioSelect
    )

    def time_value(self) -> dict:
        return {self.cleaned_data["unit"]: self.cleaned_data["amount"]}


class ReviewDecideForm(forms.Form):
    """The teacher's written findings after missed assignments."""

    best_interest = forms.TypedChoiceField(
        label=_("Is independent study still in the student's best interest?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    changes = forms.CharField(
        label=_("Changes (to the agreement, supports or meetings)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )
