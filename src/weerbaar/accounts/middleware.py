"""Session lifetime and the second-factor requirement."""

import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.messages import get_messages, info
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from weerbaar.accounts.selectors import mfa_required

SESSION_STARTED_KEY = "weerbaar_session_started"

# Paths a signed-in user without a second factor may still use: setting one up, signing out,
# switching language, static files and the API (which has its own token rules).
_MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/", "/healthz")


def _tell_once(request, text: str) -> None:
    """Add an info message unless the same one is still waiting to be shown."""
    pending = get_messages(request)
    already = any(str(message.message) == text for message in pending)
    pending.used = False  # reading them above must not mark them as shown
    if not already:
        info(request, text)


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after sign-in, whatever the activity (ASVS v5.0.0-7.3.2).

    The 30-minute idle limit is the session's expiry on the server (SESSION_COOKIE_AGE), renewed
    on every request; the cookie itself is a browser-session cookie (ACCOUNT_SESSION_REMEMBER is
    off), so closing the browser ends the session too. Each sign-in resets the start time
    (AccountAdapter.login).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = int(time.time())
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - int(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                message = _("Your session has ended. Please sign in again.")
                if request.path.startswith("/api/"):
                    # API clients get the API's error format, not a redirect to a login page.
                    body = {"status": 401, "code": "not_authenticated", "message": message}
                    return JsonResponse({"error": body}, status=401)
                info(request, message)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class RequireMfaMiddleware:
    """Sends a user who must have a second factor, and has none, to set one up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_MFA_EXEMPT_PREFIXES)
            and mfa_required(user)
            and not Authenticator.objects.filter(user=user).exists()
        ):
            reason = _("Your role requires two-factor authentication. Set it up to continue.")
            _tell_once(request, reason)
            return redirect(reverse("mfa_index"))
        return self.get_response(request)
