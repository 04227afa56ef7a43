"""Reads about people and their sign-in state."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from weerbaar.accounts.models import PersonalAccessToken
from weerbaar.core.permissions import MFA_REQUIRED_ROLES


def mfa_required(user) -> bool:
    """Whether this user must use a second factor before seeing anything."""
    if settings.MFA_REQUIRED_FOR_ALL:
        return True
    return user.memberships.filter(is_active=True, role__in=MFA_REQUIRED_ROLES).exists()


def has_security_key(user) -> bool:
    """Whether the user has registered a WebAuthn security key (or passkey)."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists()


def list_api_tokens(user) -> QuerySet[PersonalAccessToken]:
    """The user's own API tokens, newest first. Tokens belong to a person: nobody sees another's."""
    if user is None or not user.is_authenticated:
        return PersonalAccessToken.objects.none()
    return PersonalAccessToken.objects.filter(user=user).order_by("-created_at")


def access_api_token(user, public_id) -> PersonalAccessToken:
    """One of the user's own tokens, or 404, alike for another person's token and a missing one."""
    try:
        return list_api_tokens(user).get(public_id=public_id)
    except (PersonalAccessToken.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
