from django import forms
from django.utils.translation import gettext_lazy as _

from weerbaar.monitor.choices import CycleKind, MeasureState, SocStatus


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OpenCycleForm(forms.Form):
    """A new measurement cycle. The choices come from the coordinator's own organisation: the
    sectors it serves and the published, scored framework versions."""

    coordinator = forms.ModelChoiceField(label=_("On behalf of"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("For example: Monitor 2027."))
    kind = forms.ChoiceField(label=_("Kind"), choices=CycleKind.choices)
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every active board and institution of these sectors is invited."),
    )
    framework_version = forms.ModelChoiceField(label=_("Framework version"), queryset=None)
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput())
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput())

    def __init__(self, *args, coordinators, sectors, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = coordinators
        self.fields["sectors"].queryset = sectors
        self.fields["framework_version"].queryset = versions
        self.fields["framework_version"].label_from_instance = lambda v: (
            f"{v.framework.code} {v.label} · {v.framework.name}"
        )
        if coordinators.count() < 2:
            self.fields["coordinator"].widget = forms.HiddenInput()
            first = coordinators.first()
            if first is not None:
                self.fields["coordinator"].initial = first.pk


class MeasureStatusForm(forms.Form):
    state = forms.ChoiceField(label=_("Status"), choices=MeasureState.choices)
    as_of = forms.DateField(
        label=_("Date"),
        required=False,
        widget=DateInput(),
        help_text=_("Since when the measure is in place, or when it is planned."),
    )
    evidence = forms.CharField(
        label=_("Evidence or note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Where the proof can be found, for example a report, a policy or a screenshot."),
    )


class SocForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=SocStatus.choices, widget=forms.RadioSelect)
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)
    planned_on = forms.DateField(
        label=_("Planned date"),
        required=False,
        widget=DateInput(),
        help_text=_("Only when the connection is planned."),
    )
    connected_on = forms.DateField(
        label=_("Connected since"),
        required=False,
        widget=DateInput(),
        help_text=_("Only when connected."),
    )
