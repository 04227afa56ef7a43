"""Forms of the awareness pages. Plain words for part-time IBP officers; the rules live in the
services, which the views call with the cleaned values."""

from django import forms
from django.utils.translation import gettext_lazy as _

from weerbaar.awareness.choices import EXERCISE_GROUPS, ActivityKind, PeopleGroup, TrainingFormat

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(label, required=True, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DATE_WIDGET)


def count_field(label, help_text=""):
    return forms.IntegerField(label=label, min_value=0, max_value=1_000_000, help_text=help_text)


class ActivityForm(forms.Form):
    """One form per kind of activity: only the fields that kind has are shown."""

    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = date_field(_("Date"), help_text=_("The day it was held, or the first day."))
    ends_on = date_field(_("End date"), required=False, help_text=_("For a campaign or training of several days."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    repeat_months = forms.IntegerField(
        label=_("Repeat after (months)"),
        required=False,
        min_value=1,
        max_value=120,
        help_text=_("Leave empty when once is enough. You get a reminder when it is due."),
    )
    offer = forms.ChoiceField(label=_("Course from the central offer"), required=False)
    sent = count_field(_("E-mails sent"))
    opened = count_field(_("Opened"))
    clicked = count_field(_("Clicked the link"))
    reported = count_field(_("Reported as phishing"))
    scenario = forms.CharField(
        label=_("Scenario"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: ransomware on Monday morning, the student administration is down."),
    )
    groups = forms.MultipleChoiceField(
        label=_("Who took part"),
        choices=[(code, PeopleGroup(code).label) for code in EXERCISE_GROUPS],
        widget=forms.CheckboxSelectMultiple,
    )

    KIND_FIELDS = {
        ActivityKind.CAMPAIGN: ("title", "held_on", "ends_on", "description"),
        ActivityKind.TRAINING: ("title", "held_on", "ends_on", "description", "repeat_months", "offer"),
        ActivityKind.PHISHING: ("title", "held_on", "description", "sent", "opened", "clicked", "reported"),
        ActivityKind.EXERCISE: ("title", "held_on", "scenario", "groups", "description"),
    }

    def __init__(self, *args, kind: str, offers=(), **kwargs):
        super().__init__(*args, **kwargs)
        keep = self.KIND_FIELDS[kind]
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.offers = {str(offer.public_id): offer for offer in offers}
        if "offer" in self.fields:
            if self.offers:
                self.fields["offer"].choices = [("", _("none")), *((k, o.title) for k, o in self.offers.items())]
            else:
                del self.fields["offer"]
        self.order_fields(keep)

    def clean_offer(self):
        value = self.cleaned_data.get("offer")
        return self.offers.get(value) if value else None


class ParticipationForm(forms.Form):
    group = forms.ChoiceField(label=_("Group"), choices=PeopleGroup.choices)
    people = forms.IntegerField(label=_("People in the group"), min_value=1, max_value=1_000_000)
    invited = count_field(_("Invited"))
    participated = count_field(_("Took part"))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV export of the learning platform"),
        help_text=_(
            "One line per group with the columns group, people, invited and completed (Dutch names "
            "such as groep, aantal, uitgenodigd, voltooid work too). All lines are applied or none."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class EvaluationForm(forms.Form):
    evaluation = forms.CharField(label=_("How did the exercise go?"), widget=forms.Textarea(attrs={"rows": 5}))
    evaluated_on = date_field(_("Evaluated on"))


class FindingForm(forms.Form):
    text = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}))
    action_title = forms.CharField(
        label=_("Improvement action"),
        max_length=300,
        required=False,
        help_text=_("The action in the improvement plan. Empty: the first line of the finding."),
    )
    due_date = date_field(_("Due date"), required=False)


class OfferForm(forms.Form):
    title = forms.CharField(label=_("Course"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    audience = forms.ChoiceField(label=_("Audience"), choices=PeopleGroup.choices)
    format = forms.ChoiceField(label=_("Format"), choices=TrainingFormat.choices)
    starts_on = date_field(_("Starts on"))
    ends_on = date_field(_("Ends on"))
    sectors = forms.MultipleChoiceField(label=_("For the sectors"), widget=forms.CheckboxSelectMultiple)
    published = forms.BooleanField(
        label=_("Published"), required=False, help_text=_("Only published courses are shown to organisations.")
    )

    def __init__(self, *args, sectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sector_objects = {s.code: s for s in sectors}
        self.fields["sectors"].choices = [(s.code, s.get_code_display()) for s in sectors]

    def clean_sectors(self):
        return [self.sector_objects[code] for code in self.cleaned_data["sectors"]]


class EnrolForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=1_000_000)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.public_id): o for o in organisations}
        self.fields["organisation"].choices = [(k, o.name) for k, o in self.organisations.items()]

    def clean_organisation(self):
        return self.organisations[self.cleaned_data["organisation"]]
