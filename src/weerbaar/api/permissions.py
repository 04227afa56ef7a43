from rest_framework.permissions import SAFE_METHODS, BasePermission

from weerbaar.accounts.models import PersonalAccessToken


class TokenScopePermission(BasePermission):
    """Signed in, and a read-only token may only read."""

    message = "This token may only read."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            self.message = "Authentication credentials were not provided."
            return False
        token = request.auth
        if isinstance(token, PersonalAccessToken) and token.scope == PersonalAccessToken.Scope.READ:
            self.message = "This token may only read."
            return request.method in SAFE_METHODS
        return True
