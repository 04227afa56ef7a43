from django import forms
from django.utils.translation import gettext_lazy as _

from weerbaar.advisories.choices import AnswerState, Tlp

MAX_UPLOAD = 15 * 1024 * 1024


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class UploadForm(forms.Form):
    document = forms.FileField(
        label=_("CSAF 2.0 document (JSON)"),
        help_text=_("It is checked against the CSAF 2.0 schema and every mandatory test before it is kept."),
    )
    owner = OrganisationChoiceField(queryset=None, label=_("Taken in for"), empty_label=None)
    default_tlp = forms.ChoiceField(
        label=_("TLP label if the document carries none"), choices=Tlp.choices, initial=Tlp.AMBER
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners

    def clean_document(self):
        document = self.cleaned_data["document"]
        if document.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 15 MB."))
        return document


class WriteForm(forms.Form):
    owner = OrganisationChoiceField(queryset=None, label=_("Published by"), empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=300)
    tlp = forms.ChoiceField(label=_("TLP label"), choices=Tlp.choices, initial=Tlp.AMBER)
    summary = forms.CharField(label=_("What is the problem"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000)
    cve = forms.RegexField(label=_("CVE"), regex=r"^CVE-\d{4}-\d{4,}$", required=False, max_length=40)
    cvss_vector = forms.CharField(
        label=_("CVSS 3 vector"),
        required=False,
        max_length=200,
        help_text=_("For example CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H; the score is computed from it."),
    )
    kans = forms.ChoiceField(
        label=_("Likelihood (kans)"),
        required=False,
        choices=[("", "–"), ("high", _("high")), ("medium", _("medium")), ("low", _("low"))],
    )
    schade = forms.ChoiceField(
        label=_("Damage (schade)"),
        required=False,
        choices=[("", "–"), ("high", _("high")), ("medium", _("medium")), ("low", _("low"))],
    )
    remediation = forms.CharField(
        label=_("What institutions should do"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    products = forms.CharField(
        label=_("Affected products"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        help_text=_(
            "One product a line: vendor; product; version range (for example vers:generic/<2.4.58, or empty "
            "when not known); CPE; PURL. The last three may be left out."
        ),
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners

    def clean_products(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["products"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")] + ["", "", "", ""]
            if not parts[0] or not parts[1]:
                raise forms.ValidationError(_("Line %(line)s: name the vendor and the product.") % {"line": number})
            rows.append(
                {"vendor": parts[0], "product": parts[1], "version_range": parts[2], "cpe": parts[3], "purl": parts[4]}
            )
        if not rows:
            raise forms.ValidationError(_("Name at least one affected product."))
        if len(rows) > 500:
            raise forms.ValidationError(_("Name at most 500 products."))
        return rows


class AnswerForm(forms.Form):
    organisation = OrganisationChoiceField(queryset=None, label=_("For"), empty_label=None)
    state = forms.ChoiceField(label=_("Your answer"), choices=AnswerState.choices, widget=forms.RadioSelect)
    patched_on = forms.DateField(
        label=_("Date the update was installed"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only when you answer 'patched'."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class ItemForm(forms.Form):
    vendor = forms.CharField(label=_("Vendor"), max_length=200, required=False)
    product = forms.CharField(
        label=_("Product or service"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"list": "product-suggestions", "autocomplete": "off"}),
    )
    version = forms.CharField(label=_("Version"), max_length=100, required=False)
    cpe = forms.CharField(label=_("CPE"), max_length=500, required=False)
    purl = forms.CharField(label=_("Package URL (PURL)"), max_length=1000, required=False)


class InventoryFileForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of file"),
        choices=[("csv", _("CSV: vendor, product, version, cpe, purl")), ("cyclonedx", _("CycloneDX SBOM (JSON)"))],
        widget=forms.RadioSelect,
        initial="csv",
    )
    file = forms.FileField(label=_("File"), help_text=_("At most 2 MB. The file replaces the whole list."))
