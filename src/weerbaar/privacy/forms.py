"""Forms of the privacy pages. Plain words for a part-time DPO; the rules live in the services,
which the views call with the cleaned values."""

from django import forms
from django.utils.translation import gettext_lazy as _

from weerbaar.privacy import prescan
from weerbaar.privacy.catalogue_format import parse_transfers, split_list, split_pairs
from weerbaar.privacy.choices import (
    CovenantStatus,
    Decision,
    DpaAnnex,
    DpiaNeed,
    LegalBasis,
    RiskLevel,
    Scale,
    SchoolMeasureKind,
    SpecialCondition,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label, required=True, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DateInput())


def _textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class ProductForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=80, help_text=_("Short and unique, e.g. leerling-app."))
    vendor_name = forms.CharField(label=_("Vendor"), max_length=200)
    vendor_country = forms.CharField(label=_("Country of the vendor (two letters)"), max_length=2, required=False)
    name = forms.CharField(label=_("Product name"), max_length=200)
    edition = forms.CharField(label=_("Edition"), max_length=100, required=False)
    version = forms.CharField(label=_("Version"), max_length=50, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=_textarea())
    covenant_status = forms.ChoiceField(label=_("Privacyconvenant"), choices=CovenantStatus.choices)
    covenant_since = date_field(_("Privacyconvenant since"), required=False)
    dpa_version = forms.CharField(label=_("Model data-processing agreement version"), max_length=20, required=False)
    dpa_annexes = forms.MultipleChoiceField(
        label=_("Annexes of the agreement"),
        choices=DpaAnnex.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    data_locations = forms.CharField(
        label=_("Data locations"),
        required=False,
        help_text=_(
            "Purpose:country, separated by ; — e.g. storage:NL; support:US; telemetry:IE. "
            "Purposes: storage, backup, support, telemetry."
        ),
    )
    transfers = forms.CharField(
        label=_("Transfers outside the EEA"),
        required=False,
        help_text=_("Country:mechanism, separated by ; — e.g. US:dpf; IN:scc. Mechanisms: adequacy, dpf, scc, other."),
    )
    sub_processors = forms.CharField(
        label=_("Sub-processors"), required=False, help_text=_("Name:country, separated by ; — e.g. Host BV:NL.")
    )
    trackers = forms.CharField(label=_("Trackers"), required=False, help_text=_("Names separated by ;"))
    ad_recipients = forms.CharField(
        label=_("Advertising recipients"), required=False, help_text=_("Names separated by ;")
    )

    def clean_data_locations(self):
        try:
            return [{"purpose": p, "country": c.upper()} for p, c in split_pairs(self.cleaned_data["data_locations"])]
        except ValueError as exc:
            raise forms.ValidationError(_("Write each location as purpose:country.")) from exc

    def clean_transfers(self):
        try:
            return parse_transfers(self.cleaned_data["transfers"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_sub_processors(self):
        try:
            return [{"name": n, "country": c.upper()} for n, c in split_pairs(self.cleaned_data["sub_processors"])]
        except ValueError as exc:
            raise forms.ValidationError(_("Write each sub-processor as name:country.")) from exc

    def clean_trackers(self):
        return split_list(self.cleaned_data["trackers"])

    def clean_ad_recipients(self):
        return split_list(self.cleaned_data["ad_recipients"])


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))


def _lines(value: str) -> list[list[str]]:
    return [[part.strip() for part in line.split("|")] for line in value.splitlines() if line.strip()]


class CentralForm(forms.Form):
    """A new central DPIA version. Risks and measures are typed one per line, the parts divided
    by a vertical bar, so that a coordinator can paste them from the report."""

    product_version = forms.CharField(label=_("Product version assessed"), max_length=50, required=False)
    assessed_on = date_field(_("Date of the assessment"))
    assessor = forms.CharField(label=_("Assessed by"), max_length=200)
    advice = forms.ChoiceField(label=_("Overall advice"), choices=RiskLevel.choices)
    advice_text = forms.CharField(label=_("Advice in words"), required=False, widget=_textarea())
    summary = forms.CharField(label=_("Summary"), required=False, widget=_textarea())
    risks = forms.CharField(
        label=_("Risks"),
        required=False,
        widget=_textarea(6),
        help_text=_(
            "One per line: code | risk | likelihood | impact | residual level. "
            "Levels: low, medium, high. E.g. R1 | Vendor reads pupil data | medium | high | low"
        ),
    )
    vendor_measures = forms.CharField(
        label=_("Measures the vendor must take"),
        required=False,
        widget=_textarea(4),
        help_text=_("One per line: measure | due date (YYYY-MM-DD, optional)."),
    )
    school_measures = forms.CharField(
        label=_("Measures each school must take"),
        required=False,
        widget=_textarea(4),
        help_text=_("One per line: code | kind | measure. Kinds: settings, contract, instruction, own_check."),
    )

    def clean_risks(self):
        risks = []
        for parts in _lines(self.cleaned_data["risks"]):
            if len(parts) != 5:
                raise forms.ValidationError(_("Each risk line needs five parts."))
            code, title, likelihood, impact, residual = parts
            risks.append(
                {"code": code, "title": title, "likelihood": likelihood, "impact": impact, "residual": residual}
            )
        return risks

    def clean_vendor_measures(self):
        from datetime import date

        measures = []
        for parts in _lines(self.cleaned_data["vendor_measures"]):
            due = None
            if len(parts) > 1 and parts[1]:
                try:
                    due = date.fromisoformat(parts[1])
                except ValueError as exc:
                    raise forms.ValidationError(_("Write due dates as YYYY-MM-DD.")) from exc
            measures.append({"title": parts[0], "due_on": due})
        return measures

    def clean_school_measures(self):
        measures = []
        for parts in _lines(self.cleaned_data["school_measures"]):
            if len(parts) != 3:
                raise forms.ValidationError(_("Each school measure line needs three parts."))
            measures.append({"code": parts[0], "kind": parts[1], "title": parts[2]})
        return measures


class AdviceChangeForm(forms.Form):
    advice = forms.ChoiceField(label=_("Overall advice"), choices=RiskLevel.choices)
    advice_text = forms.CharField(label=_("Advice in words"), widget=_textarea())


class UseForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    since = date_field(_("In use since"), required=False)
    edition = forms.CharField(label=_("Edition"), max_length=100, required=False)
    decided_by = forms.CharField(label=_("Decided by"), max_length=200, required=False)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(o.public_id), o.name) for o in organisations]


class StartLocalForm(forms.Form):
    organisation = forms.ChoiceField(label=_("For organisation"))
    title = forms.CharField(label=_("Title"), max_length=200)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(o.public_id), o.name) for o in organisations]


class LocalForm(forms.Form):
    """The four parts of a local DPIA that are text, and the pre-scan."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("A. The processing and its purposes"),
        required=False,
        widget=_textarea(5),
        help_text=_("What is done with the data, with which product, and why."),
    )
    data_description = forms.CharField(
        label=_("A. Personal data and the people concerned"), required=False, widget=_textarea(3)
    )
    legal_basis = forms.ChoiceField(
        label=_("B. Legal basis"), choices=[("", _("not chosen yet")), *LegalBasis.choices], required=False
    )
    lawfulness = forms.CharField(
        label=_("B. Lawfulness, necessity and proportionality"),
        required=False,
        widget=_textarea(5),
        help_text=_("Is it needed for the purpose, could it be done with less data, and are the rights of pupils met?"),
    )
    measures_note = forms.CharField(label=_("D. Other measures"), required=False, widget=_textarea(3))
    ap_types = forms.MultipleChoiceField(
        label=_("Pre-scan: kinds of processing on the AP's list"),
        choices=list(prescan.AP_TYPES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    edpb_criteria = forms.MultipleChoiceField(
        label=_("Pre-scan: EDPB criteria that apply"),
        choices=list(prescan.EDPB_CRITERIA.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Two or more mean a DPIA is required."),
    )


class RiskForm(forms.Form):
    applies = forms.BooleanField(label=_("Applies to us"), required=False)
    likelihood = forms.ChoiceField(label=_("Likelihood"), choices=Scale.choices)
    impact = forms.ChoiceField(label=_("Impact"), choices=Scale.choices)
    residual = forms.ChoiceField(label=_("Residual level after measures"), choices=RiskLevel.choices)


class NewRiskForm(forms.Form):
    title = forms.CharField(label=_("Risk"), max_length=300)
    likelihood = forms.ChoiceField(label=_("Likelihood"), choices=Scale.choices)
    impact = forms.ChoiceField(label=_("Impact"), choices=Scale.choices)
    residual = forms.ChoiceField(label=_("Residual level after measures"), choices=RiskLevel.choices)


class MeasureForm(forms.Form):
    implemented = forms.BooleanField(label=_("Implemented"), required=False)
    implemented_on = date_field(_("Implemented on"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class NewMeasureForm(forms.Form):
    title = forms.CharField(label=_("Measure"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=SchoolMeasureKind.choices)


class AdviceForm(forms.Form):
    advice = forms.CharField(label=_("Advice of the DPO"), widget=_textarea(4))
    advised_on = date_field(_("Date of the advice"))


class AcceptForm(forms.Form):
    accepted_on = date_field(_("Date of acceptance"))
    residual_accepted = forms.CharField(
        label=_("Residual risks the board accepts, and why"), required=False, widget=_textarea(3)
    )
    review_due = date_field(_("Review due"), help_text=_("Usually within a year, or sooner."))


class ActivityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    purposes = forms.CharField(label=_("Purposes"), widget=_textarea())
    legal_basis = forms.ChoiceField(label=_("Legal basis (Art. 6)"), choices=LegalBasis.choices)
    special_condition = forms.ChoiceField(
        label=_("Condition for special categories (Art. 9)"),
        choices=[("", _("no special categories")), *SpecialCondition.choices],
        required=False,
    )
    data_subjects = forms.CharField(label=_("People concerned"), required=False, help_text=_("Separated by ;"))
    data_categories = forms.CharField(label=_("Kinds of personal data"), required=False, help_text=_("Separated by ;"))
    recipients = forms.CharField(label=_("Recipients"), required=False, widget=_textarea(2))
    processors = forms.MultipleChoiceField(
        label=_("Processors (products)"), required=False, widget=forms.CheckboxSelectMultiple
    )
    transfers = forms.CharField(
        label=_("Transfers outside the EEA"), required=False, help_text=_("Country:mechanism, separated by ;")
    )
    retention = forms.CharField(label=_("Retention"), max_length=300, required=False)
    security_measures = forms.CharField(label=_("Security measures"), required=False, widget=_textarea(2))
    dpia_needed = forms.ChoiceField(label=_("DPIA needed"), choices=DpiaNeed.choices)
    covering_dpia = forms.ChoiceField(label=_("Covered by DPIA"), required=False)

    def __init__(self, *args, products=(), dpias=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["processors"].choices = [(p.code, str(p)) for p in products]
        self.fields["covering_dpia"].choices = [("", _("none"))] + [(str(d.public_id), str(d)) for d in dpias]

    def clean_data_subjects(self):
        return split_list(self.cleaned_data["data_subjects"])

    def clean_data_categories(self):
        return split_list(self.cleaned_data["data_categories"])

    def clean_transfers(self):
        try:
            return parse_transfers(self.cleaned_data["transfers"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class BreachForm(forms.Form):
    title = forms.CharField(label=_("Short title"), max_length=200)
    description = forms.CharField(label=_("What happened"), required=False, widget=_textarea())
    occurred_on = date_field(_("Happened on"), required=False)
    discovered_on = date_field(_("Discovered on"))
    data_categories = forms.CharField(label=_("Kinds of personal data"), max_length=500, required=False)
    people_affected = forms.IntegerField(label=_("Number of people concerned"), min_value=0, required=False)
    report_to_authority = forms.ChoiceField(label=_("Report to the AP?"), choices=Decision.choices)
    authority_reason = forms.CharField(label=_("Why (AP)"), required=False, widget=_textarea(2))
    authority_reported_on = date_field(_("Reported to the AP on"), required=False)
    inform_people = forms.ChoiceField(label=_("Inform the people concerned?"), choices=Decision.choices)
    people_reason = forms.CharField(label=_("Why (people concerned)"), required=False, widget=_textarea(2))
    people_informed_on = date_field(_("People informed on"), required=False)
    measures = forms.CharField(label=_("Measures taken"), required=False, widget=_textarea(2))
    decided_on = date_field(_("Decided on"), required=False)


class DecisionForm(BreachForm):
    """The DPO's decisions on an incident: the facts come from the incident."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "description", "occurred_on", "discovered_on", "data_categories", "people_affected"):
            del self.fields[name]
