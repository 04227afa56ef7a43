from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from weerbaar.accounts.models import PersonalAccessToken


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example: monitoring script"))
    scope = forms.ChoiceField(label=_("Scope"), choices=PersonalAccessToken.Scope.choices, initial=PersonalAccessToken.Scope.READ)
    days_valid = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=settings.API_TOKEN_MAX_DAYS, initial=90
    )
