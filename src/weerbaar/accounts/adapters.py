"""allauth adapters: invitation-only accounts, encrypted MFA secrets, federated login by subject."""

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from weerbaar.accounts import crypto
from weerbaar.accounts.middleware import SESSION_STARTED_KEY


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # People join through an invitation by their organisation, never by signing up.
        return False

    def login(self, request, user) -> None:
        super().login(request, user)
        # Every sign-in (password, federated, after a second factor) starts the 12-hour clock
        # anew. Django keeps session data when the same person signs in again, so without this
        # a fresh sign-in would inherit the old start time.
        request.session[SESSION_STARTED_KEY] = int(time.time())

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Sensitive account changes need a fresh proof of identity; a sign-in minutes ago is one.

        allauth only counts an explicit re-authentication, so a person who has just signed in for
        the first time would type their password again before setting up a second factor. Any
        authentication in this session within ACCOUNT_REAUTHENTICATION_TIMEOUT counts here.
        """
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = context.request
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return True
        records = get_authentication_records(request, user)
        if not records:
            return True
        return time.time() - records[-1]["at"] >= account_settings.REAUTHENTICATION_TIMEOUT


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Federated login (SURFconext, Entree) only for identities already linked to a user.

    allauth keys a social account on (provider id, uid); each configured provider id stands for one
    issuer and the uid is the OIDC subject, so a user is found by issuer + subject and never by
    e-mail address.
    """

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return False


class MfaAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def get_totp_issuer(self) -> str:
        return "Weerbaar"
