"""Forms of the assessment pages. They only parse what was posted; the rules (who may, what is
valid for the assessment) are in `assessments.services`, whose errors the views put back on
these forms."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from weerbaar.assessments.choices import ActionStatus, AssessmentKind
from weerbaar.frameworks.choices import LEVELS

# --- workflow forms

# The names of the maturity levels, shown with each level's description.
LEVEL_NAMES = {
    1: _("Ad hoc"),
    2: _("Repeatable"),
    3: _("Defined"),
    4: _("Managed"),
    5: _("Continuously improving"),
}
LEVEL_CHOICES = [(level, f"{level} · {LEVEL_NAMES[level]}") for level in LEVELS]


def norm_prefix(code: str) -> str:
    """A form prefix (and so element ids) from a norm code, unique within a version."""
    return "n-" + (re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-") or "norm")


class ScoreForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Maturity level"),
        choices=LEVEL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    not_applicable = forms.BooleanField(label=_("This norm does not apply to us"), required=False)
    not_applicable_reason = forms.CharField(
        label=_("Why it does not apply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is in place, and how you know it works."),
    )


class ReviewForm(forms.Form):
    auditor_level = forms.TypedChoiceField(
        label=_("Reviewer's level"),
        choices=LEVEL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    auditor_note = forms.CharField(label=_("Reviewer's note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceFileForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, text or CSV."),
        allow_empty_file=True,  # the service says why an empty file is refused
    )


class EvidenceLinkForm(forms.Form):
    # A plain text field: the service checks the address and gives the one error message.
    url = forms.CharField(label=_("Web address"), max_length=1000, widget=forms.URLInput())
    name = forms.CharField(label=_("Name"), max_length=255, required=False)


class StartAssessmentForm(forms.Form):
    framework_version = forms.ModelChoiceField(label=_("Framework"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=AssessmentKind.choices, initial=AssessmentKind.SELF)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for the framework's name and today's date."),
    )
    start_from_last = forms.BooleanField(
        label=_("Start from the last final assessment on this framework"),
        required=False,
        help_text=_("Its levels and justifications are copied as a starting point to review."),
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework_version"].queryset = versions
        self.fields["framework_version"].label_from_instance = lambda v: (
            f"{v.framework.code} {v.label} · {v.framework.name}"
        )


class AssignReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=None)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = candidates
        self.fields["reviewer"].label_from_instance = lambda u: f"{u.full_name} ({u.email})" if u.full_name else u.email


class FinaliseForm(forms.Form):
    review_summary = forms.CharField(
        label=_("Summary of the review"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class _ActionFields(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False, empty_label=_("Nobody yet"))
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda u: u.full_name or u.email


class NewActionForm(_ActionFields):
    pass


class ActionForm(_ActionFields):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class DomainTargetsForm(forms.Form):
    """One target per domain of a framework; empty keeps the sector's default."""

    reason = forms.CharField(
        label=_("Why these targets"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: much sensitive pupil data, or a small school without its own servers."),
    )

    def __init__(self, *args, domains, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Default (3)"))] + [(level, f"{level} · {LEVEL_NAMES[level]}") for level in LEVELS]
        self.domain_fields = []
        for domain in domains:
            name = f"target_{norm_prefix(domain.code)}"
            self.fields[name] = forms.TypedChoiceField(
                label=f"{domain.code} {domain.title}",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.domain_fields.append((domain.code, name))


# --- import and export
