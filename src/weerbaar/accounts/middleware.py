"""Session lifetime and the second-factor requirement."""

import hashlib
import time

from allauth.account.adapter import get_adapter
from allauth.usersessions import app_settings as usersessions_settings
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.messages import get_messages, info
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.accounts.selectors import signed_in

SESSION_STARTED_KEY = "weerbaar_session_started"
# When this session's idle expiry was last renewed and its activity recorded, and from which
# address and browser: [unix time, ip, user-agent digest].
SESSION_SEEN_KEY = "weerbaar_session_seen"
# The idle expiry is renewed, and the session's activity recorded, at most once a minute: writing
# the session on every request cost three queries and a disk sync per page. A session therefore
# ends between 29 and 30 minutes after the last request, never later.
SESSION_RENEW_SECONDS = 60

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
            _renew(request, now)
        return self.get_response(request)


def _renew(request, now: int) -> None:
    """Renew the idle expiry and record the session's activity (allauth's list of sessions, with
    the last address and time seen) when a minute has passed, or at once when the address or
    browser changed. Marking the session modified makes SessionMiddleware save it, which moves
    the expiry 30 minutes on (SESSION_SAVE_EVERY_REQUEST is off for this reason)."""
    session = request.session
    if not session.session_key:
        return
    ip = get_adapter().get_client_ip(request)
    agent = request.META.get("HTTP_USER_AGENT", "")
    digest = hashlib.sha256(agent.encode()).hexdigest()[:16]
    seen = session.get(SESSION_SEEN_KEY)
    same_client = isinstance(seen, list) and len(seen) == 3 and seen[1:] == [ip, digest]
    if same_client and 0 <= now - int(seen[0]) < SESSION_RENEW_SECONDS:
        return
    if usersessions_settings.TRACK_ACTIVITY:
        updated = 0
        if same_client:
            # Only the time moved on: one UPDATE instead of allauth's read, compare and save.
            updated = UserSession.objects.filter(session_key=session.session_key, user_id=request.user.pk).update(
                last_seen_at=timezone.now()
            )
        if not updated:
            # First request of the session, or a new address or browser: allauth records it and
            # tells its listeners that the client changed.
            UserSession.objects.create_from_request(request)
    session[SESSION_SEEN_KEY] = [now, ip, digest]


class RequireMfaMiddleware:
    """Sends a user who must have a second factor, and has none, to set one up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_MFA_EXEMPT_PREFIXES)
            and signed_in(request).owes_second_factor
        ):
            reason = _("Your role requires two-factor authentication. Set it up to continue.")
            _tell_once(request, reason)
            return redirect(reverse("mfa_index"))
        return self.get_response(request)
