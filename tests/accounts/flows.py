"""Helpers that walk the sign-in pages as a person does, and check what a browser would run."""

import time
from datetime import timedelta
from html.parser import HTMLParser

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from tests.factories import TEST_PASSWORD, TOTP_SECRET

LOGIN_URL = "/accounts/login/"
MFA_AUTHENTICATE_URL = "/accounts/2fa/authenticate/"


def totp_code(secret: str = TOTP_SECRET, *, step: int = 0, at: float | None = None) -> str:
    """The code an authenticator app shows for `secret` now (or `step` periods later)."""
    now = time.time() if at is None else at
    return format_hotp_value(hotp_value(secret, int(now) // mfa_settings.TOTP_PERIOD + step))


def submit_password(client, email: str, password: str = TEST_PASSWORD):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def sign_in(
    client,
    email: str,
    password: str = TEST_PASSWORD,
    secret: str | None = TOTP_SECRET,
    step: int = 0,
):
    """Sign in with password and, when the account has one, the authenticator code."""
    response = submit_password(client, email, password)
    assert response.status_code == 302, response.content.decode()[:2000]
    if response["Location"] == MFA_AUTHENTICATE_URL:
        response = client.post(MFA_AUTHENTICATE_URL, {"code": totp_code(secret, step=step)})
        assert response.status_code == 302, response.content.decode()[:2000]
    return response


def signed_in_user_id(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def dashboard_url() -> str:
    return reverse("organisations:dashboard")


class _InlineCodeFinder(HTMLParser):
    """What a strict Content-Security-Policy (script-src 'self', no inline style) blocks."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, _value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            script_type = (attributes.get("type") or "").lower()
            # Data blocks (JSON) are not executed and so are not subject to script-src.
            is_data = script_type in {"application/json", "application/ld+json"}
            if not attributes.get("src") and not is_data:
                self._in_inline_script = True
        if tag in {"a", "form", "iframe"}:
            for name in ("href", "action", "src"):
                if (attributes.get(name) or "").strip().lower().startswith("javascript:"):
                    self.problems.append(f"javascript: URL on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script" and self._in_inline_script:
            self.problems.append("inline <script>")
            self._in_inline_script = False


def csp_problems(response) -> list[str]:
    """What in this page the Content-Security-Policy would refuse; empty when it all runs."""
    problems = []
    policy = response.get("Content-Security-Policy", "")
    if "script-src 'self'" not in policy or "unsafe-inline" in policy:
        problems.append(f"unexpected policy: {policy!r}")
    finder = _InlineCodeFinder()
    finder.feed(response.content.decode())
    return problems + finder.problems


class Clock:
    """Moves the time seen by sessions, rate limits and authenticator codes forward together."""

    def __init__(self, monkeypatch):
        import django.utils.timezone

        self.offset = 0.0
        real_time = time.time
        real_now = django.utils.timezone.now
        monkeypatch.setattr(time, "time", lambda: real_time() + self.offset)
        monkeypatch.setattr(django.utils.timezone, "now", lambda: real_now() + _seconds(self.offset))

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)
