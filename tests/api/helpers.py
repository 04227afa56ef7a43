"""Helpers for API tests: tokens, requests, the error format and a snapshot of what writes touch."""

import json
from dataclasses import dataclass

from weerbaar.accounts.models import PersonalAccessToken, User
from weerbaar.accounts.services import create_api_token
from weerbaar.core.models import AuditEntry
from weerbaar.organisations.models import Membership, Organisation


@dataclass
class World:
    board_a: Organisation
    school_a: Organisation
    board_b: Organisation
    officer_a: Membership
    dpo_a: Membership
    officer_b: Membership


def token_for(user, scope: str = PersonalAccessToken.Scope.READ_WRITE, days_valid: int = 30) -> str:
    """The full secret of a new token for `user`, made through the service as the UI does."""
    _token, secret = create_api_token(actor=user, name="test", scope=scope, days_valid=days_valid)
    return secret


def bearer(secret: str) -> dict:
    return {"authorization": f"Bearer {secret}", "accept-language": "en"}


def send(
    client,
    method: str,
    path: str,
    body=None,
    *,
    headers=None,
    content_type="application/json",
    raw=None,
):
    """One request; `body` is sent as JSON, `raw` as the exact bytes given."""
    data = raw if raw is not None else (json.dumps(body) if body is not None else "")
    # generic() sends the bytes as they are; post() would encode a multipart body itself.
    return client.generic(method.upper(), path, data=data, content_type=content_type, headers=headers or {})


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is an error in the API's one format; returns its `error` object."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["status"] == status
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["code"], str)
    assert error["code"]
    if code is not None:
        assert error["code"] == code, error
    return error


def snapshot() -> tuple:
    """Everything an API write could change, to compare before and after a refused request."""
    return (
        list(Organisation.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values("pk", "email", "full_name", "is_active")),
        list(PersonalAccessToken.objects.order_by("pk").values("pk", "name", "scope", "expires_at", "revoked_at")),
        list(AuditEntry.objects.order_by("seq").values_list("seq", "hash")),
    )
