from allauth.account.forms import ResetPasswordKeyForm
from allauth.account.internal.flows.email_verification import verify_email_indirectly
from allauth.core import context
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from weerbaar.accounts.models import PersonalAccessToken


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example: monitoring script"))
    scope = forms.ChoiceField(
        label=_("Scope"), choices=PersonalAccessToken.Scope.choices, initial=PersonalAccessToken.Scope.READ
    )
    days_valid = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=settings.API_TOKEN_MAX_DAYS, initial=90
    )


class ChoosePasswordForm(ResetPasswordKeyForm):
    """Choosing a password through the link e-mailed for an invitation or a forgotten password.

    Following that link proves the person reads the mailbox, so the address counts as verified
    from then on, as allauth already does for a reset by code. Without this, allauth would refuse
    to set up a second factor for every invited person (their address was never "verified").
    """

    def save(self) -> None:
        super().save()
        verify_email_indirectly(context.request, self.user, self.user.email)
