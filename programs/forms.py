"""Forms for programs, pathways, cohorts, participants, sessions and the attendance log."""

import uuid
from typing import NamedTuple

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artworx.dates import DateField
from artworx.roles import TEACHING_ARTIST, people_with
from programs.models import (
    ABSENT_MARKS,
    MARK_LETTERS,
    WEEKDAYS,
    Certification,
    Cohort,
    Credential,
    Mark,
    Participation,
    Pathway,
    PathwayStep,
    Placement,
    Program,
    Session,
)
from sites.models import Partner, Site
from students.forms import DateInput
from students.models import Enrollment, Student


class TimeInput(forms.TimeInput):
    """A native time picker."""

    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ProgramForm(forms.ModelForm):
    """A step of the sequential curriculum."""

    class Meta:
        model = Program
        fields = ["name", "discipline", "level", "prerequisite", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["prerequisite"].queryset = Program.objects.exclude(pk=self.instance.pk)


class PathwayForm(forms.ModelForm):
    """A pathway's name and description; its programs are the steps below."""

    class Meta:
        model = Pathway
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


PathwayStepFormSet = inlineformset_factory(
    Pathway,
    PathwayStep,
    fields=["position", "program"],
    extra=3,
    can_delete=True,
    min_num=1,
    validate_min=True,
    # A pathway is a handful of programs in sequence. The cap also bounds the forms a request can make
    # Django build: without absolute_max, a forged step count builds up to a thousand of them.
    max_num=12,
    validate_max=True,
    absolute_max=12,
)


class CohortForm(forms.ModelForm):
    """Open or edit a cohort: program, place, term, weekly pattern, artists, capacity."""

    meeting_days = forms.TypedMultipleChoiceField(
        label=_("Meeting days"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Cohort
        fields = [
            "program",
            "site",
            "venue",
            "term_starts_on",
            "term_ends_on",
            "meeting_days",
            "starts_at",
            "duration_minutes",
            "capacity",
            "teaching_artists",
        ]
        widgets = {
            "term_starts_on": DateInput(),
            "term_ends_on": DateInput(),
            "starts_at": TimeInput(),
            "teaching_artists": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.filter(is_active=True)
        self.fields["site"].queryset = Site.objects.active()
        self.fields["venue"].queryset = Partner.objects.filter(is_active=True)
        self.fields["teaching_artists"].queryset = people_with(TEACHING_ARTIST)
        if self.instance.pk:
            self.initial["meeting_days"] = self.instance.weekdays

    def clean_meeting_days(self) -> str:
        return ",".join(str(day) for day in sorted(set(self.cleaned_data["meeting_days"])))

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("site")) == bool(cleaned.get("venue")):
            raise forms.ValidationError(_("Choose a site or a partner venue, not both."))
        return cleaned


class ParticipationForm(forms.Form):
    """Add a student to a cohort."""

    student = forms.ModelChoiceField(label=_("Student"), queryset=Student.objects.none())
    joined_on = DateField(label=_("Joined on"), widget=DateInput())
    override_reason = forms.CharField(
        label=_("Waive the prerequisite because…"),
        max_length=300,
        required=False,
        help_text=_("Only if the student has not completed the prerequisite program."),
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        enrolled = Enrollment.objects.open()
        if cohort.site_id:
            enrolled = enrolled.filter(site_id=cohort.site_id)
        self.fields["student"].queryset = (
            Student.objects.filter(pk__in=enrolled.values("student"))
            .exclude(pk__in=cohort.participations.enrolled().values("student"))
            .order_by("last_name", "first_name")
        )
        self.fields["joined_on"].initial = max(timezone.localdate(), cohort.term_starts_on)
        if not cohort.program.prerequisite_id:
            del self.fields["override_reason"]


class ParticipationEndForm(forms.Form):
    """Withdraw a participant or mark them completed."""

    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (Participation.Status.COMPLETED, Participation.Status.COMPLETED.label),
            (Participation.Status.WITHDRAWN, Participation.Status.WITHDRAWN.label),
        ],
        widget=forms.RadioSelect,
    )
    on = DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class SessionForm(forms.ModelForm):
    """Add a session, or move one."""

    class Meta:
        model = Session
        fields = ["date", "starts_at", "duration_minutes"]
        widgets = {"date": DateInput(), "starts_at": TimeInput()}


class SessionCancelForm(forms.Form):
    """Cancel a session with a reason."""

    reason = forms.CharField(label=_("Reason"), max_length=300)


class SessionLogForm(forms.Form):
    """One mark per participant, then topic, activities and notes."""

    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    activities = forms.CharField(
        label=_("Activities"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # The log's revision when the page was opened, and this save's key (see session_log_attendance).
    revision = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, rows, session=None):
        super().__init__(data)
        self.rows = rows
        if session is not None:
            self.fields["revision"].initial = session.log_revision
        self.fields["submission"].initial = uuid.uuid4()
        for row in rows:
            self.fields[self.field_name(row)] = forms.ChoiceField(
                label=row.student.display_name,
                choices=Mark.choices,
                initial=row.mark or None,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose a mark for %(name)s.") % {"name": row.student.display_name}
                },
            )

    @staticmethod
    def field_name(row) -> str:
        return f"mark-{row.pk}"

    def clean(self):
        cleaned = super().clean()
        if self.data is not None:
            repeated = [
                name for name in self.data if name.startswith("mark-") and len(self.data.getlist(name)) > 1
            ]
            if repeated:
                raise forms.ValidationError(
                    _("Each participant gets exactly one mark."), code="duplicate_mark"
                )
            strangers = [name for name in self.data if name.startswith("mark-") and name not in self.fields]
            if strangers:
                raise forms.ValidationError(_("Some marks are for students who are not in this cohort."))
        return cleaned

    def marks(self) -> dict[int, str]:
        return {row.pk: self.cleaned_data[self.field_name(row)] for row in self.rows}

    def unmarked(self) -> list:
        """The rows a refused save left without a mark, for the summary at the top of the log."""
        if not self.is_bound:
            return []
        return [row for row in self.rows if self.field_name(row) in self.errors]

    def marked_count(self) -> int:
        """How many rows carry a mark now (posted or saved): the save bar's "12 of 18 marked"."""
        return sum(bool(self[self.field_name(row)].value()) for row in self.rows)

    def mark_fields(self) -> list[tuple]:
        """(row, bound field, [MarkButton]) for the template: each button shows its letter.

        The buttons are written from the marks' choices once for the roll, with the ids and checked
        state Django's radio widget gives them, rather than as a radio widget per choice and student (a
        roll of 25 students has 150 buttons; on a phone that is most of the page's time).
        """
        choices = [(index, str(value), str(label)) for index, (value, label) in enumerate(Mark.choices)]
        rows = []
        for row in self.rows:
            field = self[self.field_name(row)]
            chosen, auto_id = field.value(), field.auto_id
            buttons = [
                MarkButton(
                    id=f"{auto_id}_{index}",
                    value=value,
                    label=label,
                    letter=MARK_LETTERS[value],
                    checked=chosen is not None and str(chosen) == value,
                    absent=value in ABSENT_MARKS,
                )
                for index, value, label in choices
            ]
            rows.append((row, field, buttons))
        return rows


class MarkButton(NamedTuple):
    """One mark a teaching artist can tap on a student's row of the session log."""

    id: str
    value: str
    label: str
    letter: str
    checked: bool
    absent: bool  # shown in red


class CredentialForm(forms.ModelForm):
    """A certification a student earned."""

    class Meta:
        model = Credential
        fields = ["certification", "earned_on", "evidence", "expires_on"]
        widgets = {"earned_on": DateInput(), "expires_on": DateInput()}


class PlacementForm(forms.ModelForm):
    """An internship, mentorship, dual-enrollment course or master class with a partner."""

    class Meta:
        model = Placement
        fields = [
            "kind",
            "partner",
            "title",
            "supervisor_name",
            "supervisor_email",
            "starts_on",
            "ends_on",
            "planned_hours",
            "college_units",
        ]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(is_active=True)


class PlacementHoursForm(forms.Form):
    """Hours on one day, signed off by the staff member logging them or by the supervisor's approval."""

    on = DateField(label=_("Date"), widget=DateInput())
    hours = forms.DecimalField(label=_("Hours"), max_digits=4, decimal_places=1)
    staff_sign_off = forms.BooleanField(label=_("I sign off these hours"), required=False)
    supervisor_approval = forms.CharField(
        label=_("Or: the supervisor's approval"),
        max_length=300,
        required=False,
        help_text=_("How the supervisor approved them (e-mail of a date, signed timesheet…)."),
    )


class CertificationForm(forms.ModelForm):
    """An industry certification and the pathways that prepare for it."""

    class Meta:
        model = Certification
        fields = ["name", "issuer", "pathways", "description"]
        widgets = {"pathways": forms.CheckboxSelectMultiple, "description": forms.Textarea(attrs={"rows": 3})}
