"""Reads about people and their sign-in state."""

from django.conf import settings

from weerbaar.core.permissions import MFA_REQUIRED_ROLES


def mfa_required(user) -> bool:
    """Whether this user must use a second factor before seeing anything."""
    if settings.MFA_REQUIRED_FOR_ALL:
        return True
    return user.memberships.filter(is_active=True, role__in=MFA_REQUIRED_ROLES).exists()
