from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from weerbaar.accounts.models import PersonalAccessToken


class TokenScopePermission(BasePermission):
    """Signed in, and a read-only token may only read."""

    message = _("This token may only read.")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            # DRF answers 401 (not this message) when no credentials were given at all.
            return False
        token = request.auth
        if isinstance(token, PersonalAccessToken) and token.scope == PersonalAccessToken.Scope.READ:
            return request.method in SAFE_METHODS
        return True


class SessionOnlyPermission(BasePermission):
    """Only a signed-in browser session (which passed the second factor), not a token.

    Used for minting tokens: otherwise a leaked token could mint a fresh one and outlive its own
    expiry or revocation.
    """

    message = _("This can only be done while signed in to the web application, not with a token.")

    def has_permission(self, request, view) -> bool:
        return not isinstance(request.auth, PersonalAccessToken)
