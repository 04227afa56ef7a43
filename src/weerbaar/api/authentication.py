"""How API requests prove who they are: a personal access token, or the browser session of a
user who has passed the second factor."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from weerbaar.accounts.selectors import signed_in
from weerbaar.accounts.services import authenticate_api_token


class PersonalAccessTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        # The scheme name is case-insensitive (RFC 9110, section 11.1).
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower():
            raise exceptions.AuthenticationFailed(_("Use the header 'Authorization: Bearer <token>'."))
        token = authenticate_api_token(parts[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is unknown, expired or revoked."))
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class MfaSessionAuthentication(authentication.SessionAuthentication):
    """The browser session, with CSRF checks, refused when the user still owes a second factor."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        if signed_in(request._request).owes_second_factor:
            raise exceptions.PermissionDenied(_("Set up a second factor before using the API."))
        return result


class PersonalAccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = PersonalAccessTokenAuthentication
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal access token (`wb_<prefix>_<secret>`), created under "
                "Account → API tokens or with `POST /api/v1/tokens/` while signed in."
            ),
        }


class MfaSessionScheme(OpenApiAuthenticationExtension):
    target_class = MfaSessionAuthentication
    name = "session"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": (
                "The browser session of the web application (the cookie is `__Host-sessionid` in "
                "production). Changes need the CSRF token in the `X-CSRFToken` header."
            ),
        }
