from django import forms
from django.utils.translation import gettext_lazy as _

from weerbaar.frameworks.catalogue_format import MAX_FILE_BYTES, MAX_TEXT, MAX_TITLE
from weerbaar.frameworks.choices import LEVELS, DomainPart

_TEXTAREA = {"rows": 3}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue file"),
        help_text=_("A YAML catalogue or mapping file, a CSV file, or an OSCAL catalog in JSON (at most 5 MB)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.csv,.json"}),
    )
    maintainer = forms.ModelChoiceField(
        label=_("Maintained by"),
        queryset=None,
        required=False,
        help_text=_("For a new framework: the organisation whose sector coordinators will maintain it."),
    )
    oscal_code = forms.RegexField(
        label=_("Framework code for an OSCAL catalog"),
        regex=r"^[A-Z0-9][A-Z0-9-]{0,31}$",
        required=False,
        help_text=_("Upper-case letters, digits and dashes. Without it a code is made from the catalog's title."),
    )
    as_draft = forms.BooleanField(
        label=_("Import as a draft"),
        required=False,
        help_text=_("A draft can be checked and edited before it is published."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["maintainer"].queryset = organisations
        if organisations.count() < 2:
            del self.fields["maintainer"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 5 MB)."))
        return upload


class DraftForm(forms.Form):
    label = forms.CharField(
        label=_("Label of the new version"),
        max_length=40,
        help_text=_("For example 2025 or 2.1: letters, digits and . _ + -, no spaces."),
    )


class DomainForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=64)
    part = forms.ChoiceField(label=_("Part"), choices=DomainPart.choices)
    title_nl = forms.CharField(label=_("Title (Dutch)"), max_length=MAX_TITLE)
    title_en = forms.CharField(label=_("Title (English)"), max_length=MAX_TITLE, required=False)
    description_nl = forms.CharField(
        label=_("Description (Dutch)"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs=_TEXTAREA),
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs=_TEXTAREA),
    )


class NormForm(forms.Form):
    """Every field of a norm; the service checks it with the same rules as a catalogue file."""

    code = forms.CharField(label=_("Code"), max_length=64)
    domain = forms.ModelChoiceField(label=_("Domain"), queryset=None, empty_label=None)
    id_confirmed = forms.BooleanField(label=_("The code is confirmed by a public source"), required=False)
    title_nl = forms.CharField(label=_("Title (Dutch)"), max_length=MAX_TITLE)
    title_en = forms.CharField(label=_("Title (English)"), max_length=MAX_TITLE, required=False)
    statement_nl = forms.CharField(
        label=_("Statement (Dutch)"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs=_TEXTAREA),
    )
    statement_en = forms.CharField(
        label=_("Statement (English)"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs=_TEXTAREA),
    )
    rationale_nl = forms.CharField(
        label=_("Why it matters (Dutch)"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs=_TEXTAREA),
    )
    rationale_en = forms.CharField(
        label=_("Why it matters (English)"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs=_TEXTAREA),
    )
    target_measures_nl = forms.CharField(
        label=_("Example measures for the target level (Dutch)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs=_TEXTAREA),
        help_text=_("One measure per line."),
    )
    target_measures_en = forms.CharField(
        label=_("Example measures for the target level (English)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs=_TEXTAREA),
        help_text=_("One line per Dutch measure, in the same order."),
    )
    references = forms.CharField(
        label=_("Related laws and standards"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs=_TEXTAREA),
        help_text=_("One per line, for example: AVG art. 32"),
    )

    def __init__(self, *args, domains, scored: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = domains
        self.scored = scored
        if scored:
            for level in LEVELS:
                for lang, name in (("nl", _("Dutch")), ("en", _("English"))):
                    self.fields[f"level_{level}_{lang}"] = forms.CharField(
                        label=_("Level %(level)d (%(language)s)") % {"level": level, "language": name},
                        max_length=MAX_TEXT,
                        required=False,
                        widget=forms.Textarea(attrs={"rows": 2}),
                    )

    @staticmethod
    def initial_for(norm) -> dict:
        initial = {
            name: getattr(norm, name)
            for name in (
                "code",
                "id_confirmed",
                "title_nl",
                "title_en",
                "statement_nl",
                "statement_en",
                "rationale_nl",
                "rationale_en",
            )
        }
        initial["domain"] = norm.domain_id
        initial["target_measures_nl"] = "\n".join(m.get("nl", "") for m in norm.target_measures)
        initial["target_measures_en"] = "\n".join(m.get("en", "") for m in norm.target_measures)
        initial["references"] = "\n".join(norm.references)
        for level in LEVELS:
            text = (norm.levels or {}).get(str(level)) or {}
            initial[f"level_{level}_nl"] = text.get("nl", "")
            initial[f"level_{level}_en"] = text.get("en", "")
        return initial

    def service_values(self) -> dict:
        """The cleaned form as the keyword arguments of `services.update_norm` / `add_norm`."""
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in (
                "code",
                "id_confirmed",
                "title_nl",
                "title_en",
                "statement_nl",
                "statement_en",
                "rationale_nl",
                "rationale_en",
            )
        }
        measures_nl = [line.strip() for line in data["target_measures_nl"].splitlines() if line.strip()]
        measures_en = [line.strip() for line in data["target_measures_en"].rstrip().splitlines()]
        values["target_measures"] = [
            {"nl": nl, "en": measures_en[i]} if i < len(measures_en) and measures_en[i] else {"nl": nl}
            for i, nl in enumerate(measures_nl)
        ]
        values["references"] = [line.strip() for line in data["references"].splitlines() if line.strip()]
        if self.scored:
            values["levels"] = {
                str(level): {"nl": data[f"level_{level}_nl"], "en": data[f"level_{level}_en"]}
                for level in LEVELS
                if data[f"level_{level}_nl"] or data[f"level_{level}_en"]
            }
        else:
            values["levels"] = {}
        return values


class DiffForm(forms.Form):
    old = forms.ChoiceField(label=_("From version"))
    new = forms.ChoiceField(label=_("To version"))

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(v.public_id), f"{v.label} ({v.get_status_display()})") for v in versions]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices
