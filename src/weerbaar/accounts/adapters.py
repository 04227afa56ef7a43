"""allauth adapters: invitation-only accounts, encrypted MFA secrets, federated login by subject."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from weerbaar.accounts import crypto


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # People join through an invitation by their organisation, never by signing up.
        return False


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
