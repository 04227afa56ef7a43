"""Forms of the incident desk. Plain words for part-time IBP officers; the rules themselves live in
the services, which the views call with the cleaned values."""

from django import forms
from django.utils.translation import gettext_lazy as _

from weerbaar.incidents.choices import (
    LESSON_TLPS,
    REPORT_TLPS,
    STATUS_FLOW,
    BreachNature,
    Category,
    Channel,
    DataRisk,
    DataSubjectGroup,
    Encryption,
    IncidentStatus,
    IndicatorType,
    PersonalDataCategory,
    Severity,
    Tlp,
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
TLP_HELP = _(
    "Who may read it. TLP:AMBER: your institution and the CERT. TLP:RED: only the people you name. "
    "TLP:GREEN or TLP:CLEAR only when it may be shared more widely."
)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def local_datetime(label, help_text="", required=False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        required=required,
        widget=LocalDateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class ReportForm(forms.Form):
    """The report in the order a school tells it: what, when, how bad, whose data, who to call."""

    organisation = forms.ChoiceField(label=_("For which organisation"))
    title = forms.CharField(
        label=_("Short title"),
        max_length=200,
        help_text=_("For example: 'Phishing mail, three staff accounts taken over'."),
    )
    description = forms.CharField(
        label=_("What happened?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("In your own words: what did you notice, what has been done so far?"),
    )
    category = forms.ChoiceField(
        label=_("What kind of incident is it?"),
        required=False,
        choices=[("", _("Choose…")), *Category.choices],
    )
    started_at = local_datetime(_("When did it start?"), _("If you know. Dutch time."))
    detected_at = local_datetime(_("When was it noticed?"), _("The moment someone first saw something was wrong."))
    aware_at = local_datetime(
        _("When did you become aware that it is an incident?"),
        _("The moment you were reasonably sure. The legal deadlines count from here."),
    )
    ongoing = forms.BooleanField(label=_("It is still going on"), required=False, initial=True)
    systems_affected = forms.CharField(
        label=_("Which systems are affected?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    suspected_malicious = forms.BooleanField(label=_("We suspect a deliberate or unlawful act"), required=False)
    cross_border = forms.BooleanField(label=_("It may affect organisations in other countries"), required=False)
    teaching_hours_lost = forms.IntegerField(
        label=_("How many teaching hours were disrupted?"),
        required=False,
        min_value=0,
        max_value=10_000_000,
        help_text=_("A day counts as about 6 hours."),
    )
    pupils_affected = forms.IntegerField(
        label=_("How many pupils or students were affected?"),
        required=False,
        min_value=0,
        max_value=10_000_000,
    )
    staff_affected = forms.IntegerField(
        label=_("How many staff were affected?"), required=False, min_value=0, max_value=10_000_000
    )
    personal_data_involved = forms.BooleanField(label=_("Personal data are involved (a data breach)"), required=False)
    personal_data_categories = forms.MultipleChoiceField(
        label=_("Which personal data?"),
        required=False,
        choices=PersonalDataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    data_subject_groups = forms.MultipleChoiceField(
        label=_("Whose data?"),
        required=False,
        choices=DataSubjectGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    data_subjects_count = forms.IntegerField(
        label=_("About how many people?"), required=False, min_value=0, max_value=10_000_000
    )
    records_count = forms.IntegerField(
        label=_("About how many records?"), required=False, min_value=0, max_value=10_000_000
    )
    breach_nature = forms.MultipleChoiceField(
        label=_("What happened to the data?"),
        required=False,
        choices=BreachNature.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    data_encrypted = forms.ChoiceField(
        label=_("Were the data unreadable for others (encrypted)?"),
        required=False,
        choices=[("", _("Choose…")), *Encryption.choices],
    )
    personal_data_risk = forms.ChoiceField(
        label=_("How large is the risk for the people concerned?"),
        required=False,
        choices=[("", _("Choose…")), *DataRisk.choices],
        help_text=_("With a risk you report to the AP within 72 hours; with a high risk you also tell the people."),
    )
    processor_involved = forms.CharField(
        label=_("Is a supplier or processor involved? Which?"), required=False, max_length=200
    )
    ransomware = forms.BooleanField(label=_("Ransomware (files locked or data stolen for money)"), required=False)
    ransom_demanded = forms.BooleanField(label=_("A ransom was demanded"), required=False)
    ransom_paid = forms.BooleanField(label=_("The ransom was paid"), required=False)
    contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=200)
    contact_role = forms.CharField(label=_("Function"), required=False, max_length=200)
    contact_phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    contact_email = forms.EmailField(label=_("E-mail address"), required=False)
    tlp = forms.ChoiceField(
        label=_("Who may read the report?"),
        choices=[(t.value, t.label) for t in REPORT_TLPS],
        initial=Tlp.AMBER,
        widget=forms.RadioSelect,
        help_text=TLP_HELP,
    )
    named_people = PeopleField(
        label=_("People who may read it (only for TLP:RED)"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    attachments = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_("Screenshots, a ransom note, log excerpts: PDF, images, text, e-mail, Word or Excel."),
    )

    SECTIONS = (
        (
            _("What happened"),
            (
                "organisation",
                "title",
                "description",
                "category",
                "systems_affected",
                "suspected_malicious",
                "cross_border",
            ),
        ),
        (_("When"), ("started_at", "detected_at", "aware_at", "ongoing")),
        (_("Impact on teaching"), ("teaching_hours_lost", "pupils_affected", "staff_affected")),
        (
            _("Personal data"),
            (
                "personal_data_involved",
                "personal_data_categories",
                "data_subject_groups",
                "data_subjects_count",
                "records_count",
                "breach_nature",
                "data_encrypted",
                "personal_data_risk",
                "processor_involved",
            ),
        ),
        (_("Ransomware"), ("ransomware", "ransom_demanded", "ransom_paid")),
        (
            _("Who can the CERT call?"),
            ("contact_name", "contact_role", "contact_phone", "contact_email"),
        ),
        (_("Sharing and files"), ("tlp", "named_people", "attachments")),
    )

    def sections(self):
        return [(heading, [self[name] for name in names]) for heading, names in self.SECTIONS]

    def __init__(self, *args, organisations, people, fixed_organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(o.public_id), o.name) for o in organisations]
        if fixed_organisation is not None or len(organisations) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = str((fixed_organisation or organisations[0]).public_id)
        self.fields["named_people"].queryset = people

    def facts(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("organisation", "named_people", "attachments"):
            data.pop(name, None)
        return data


class EntryForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000)
    tlp = forms.ChoiceField(
        label=_("TLP label"),
        choices=Tlp.choices,
        initial=Tlp.AMBER,
        help_text=_("TLP:AMBER+STRICT stays within your own organisation; TLP:RED only for the people you name."),
    )
    internal = forms.BooleanField(label=_("Internal to the CERT (not shared with the institution)"), required=False)
    named_people = PeopleField(
        label=_("People who may read it (only for TLP:RED)"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, people, cert_side: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named_people"].queryset = people
        if not cert_side:
            del self.fields["internal"]


class IndicatorForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=IndicatorType.choices)
    value = forms.CharField(label=_("Value"), max_length=1000)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    tlp = forms.ChoiceField(label=_("TLP label"), choices=Tlp.choices, initial=Tlp.AMBER)
    named_people = PeopleField(
        label=_("People who may read it (only for TLP:RED)"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named_people"].queryset = people


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(label=_("Files"))


class TriageForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    category = forms.ChoiceField(label=_("Kind of incident"), choices=Category.choices)


class AssignForm(forms.Form):
    analyst = forms.ModelChoiceField(label=_("Analyst"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args, analysts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analyst"].queryset = analysts
        self.fields["analyst"].label_from_instance = lambda u: u.full_name or u.email


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    resolution_summary = forms.CharField(
        label=_("Resolution summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to close the incident."),
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, IncidentStatus(s).label) for s in STATUS_FLOW.get(current, ())]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=300)
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=None, required=False, empty_label=_("Nobody"))
    due_on = forms.DateField(label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    shared = forms.BooleanField(label=_("Shared with the institution"), required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people
        self.fields["assignee"].label_from_instance = lambda u: u.full_name or u.email


class LinkForm(forms.Form):
    related = forms.ChoiceField(label=_("Related incident"))
    note = forms.CharField(label=_("Why they are related"), max_length=300, required=False)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["related"].choices = [
            (str(i.public_id), f"{i.reference} · {i.title[:60]} · {i.organisation.name}") for i in candidates
        ]


class IntermediateRequestForm(forms.Form):
    message = forms.CharField(
        label=_("What would you like to know?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20_000,
    )


class DutyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Duty"))
    met_at = local_datetime(_("When"), required=True)
    channel = forms.ChoiceField(label=_("How"), choices=Channel.choices)
    reference = forms.CharField(label=_("Reference of the authority"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    late_reason = forms.CharField(
        label=_("Reason for the delay"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the deadline had passed."),
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds


class LessonForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("What happened (without names)"), widget=forms.Textarea(attrs={"rows": 5}))
    what_worked = forms.CharField(label=_("What went well"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    to_improve = forms.CharField(
        label=_("What could be better"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    recommendations = forms.CharField(
        label=_("Advice for other institutions"), widget=forms.Textarea(attrs={"rows": 4})
    )
    tlp = forms.ChoiceField(
        label=_("Shared as"),
        choices=[(t.value, t.label) for t in LESSON_TLPS],
        initial=Tlp.GREEN,
        widget=forms.RadioSelect,
        help_text=_("TLP:GREEN: everyone in the education sector on this platform."),
    )


class Nis2Form(forms.Form):
    nis2_applies = forms.TypedChoiceField(
        label=_("Do the NIS2 reporting duties apply to this organisation?"),
        choices=[("true", _("Yes")), ("false", _("No"))],
        coerce=lambda v: v == "true",
        widget=forms.RadioSelect,
        help_text=_("Universities and universities of applied sciences fall under the Cyberbeveiligingswet."),
    )
