from django import forms
from django.utils.translation import gettext_lazy as _

from weerbaar.governance.choices import Element

MONTHS = [(m, m) for m in range(1, 13)]


def _money(label, help_text=""):
    return forms.DecimalField(label=label, max_digits=16, decimal_places=2, help_text=help_text)


def _fte(label):
    return forms.DecimalField(label=label, max_digits=10, decimal_places=2, required=False, initial=0)


class BudgetForm(forms.Form):
    """One year's budget and staffing. Amounts in whole euros or with cents; FTE with a decimal
    point (0.4 for two days a week)."""

    year = forms.IntegerField(label=_("Year"))
    total_budget = _money(
        _("Total budget of the organisation (euros)"), _("The whole budget, as in the annual accounts.")
    )
    ict_budget = _money(_("ICT budget (euros)"))
    security_budget = _money(
        _("Budget for information security and privacy (euros)"),
        _("Staff, tools, services (such as a SOC), training and audits together."),
    )
    headcount_fte = forms.DecimalField(
        label=_("Total staff of the organisation (FTE)"), max_digits=11, decimal_places=2
    )
    ibp_officer_fte = _fte(_("IBP officer (FTE)"))
    dpo_fte = _fte(_("Data protection officer (FTE)"))
    security_engineer_fte = _fte(_("Security engineers (FTE)"))
    external_fte = _fte(_("External services, such as a SOC (FTE)"))
    external_services = forms.CharField(
        label=_("External services"), max_length=300, required=False, help_text=_("For example: SOC via SURF.")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class GenerateForm(forms.Form):
    year = forms.IntegerField(label=_("Year of the annual report"))


class ParagraphForm(forms.Form):
    text_nl = forms.CharField(
        label=_("Text (Dutch)"),
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_("Separate sections with a blank line; a short first line without a full stop is a heading."),
    )
    text_en = forms.CharField(label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 20}))


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What should change?"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SectorSettingsForm(forms.Form):
    elements = forms.MultipleChoiceField(
        label=_("Elements of the paragraph"), choices=Element.choices, widget=forms.CheckboxSelectMultiple
    )
    due_month = forms.TypedChoiceField(label=_("Annual report due: month"), choices=MONTHS, coerce=int)
    due_day = forms.IntegerField(label=_("Annual report due: day"), min_value=1, max_value=31)
    remind_days_before = forms.IntegerField(label=_("Remind this many days before"), min_value=1, max_value=180)
