"""Bad input on every write endpoint gets a 4xx in the one error format, never a server error, and
changes nothing: no row, no audit entry. (The test client re-raises any exception a view lets
escape, so a 500 would fail these tests loudly.)"""

import json
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from tests.api.helpers import assert_error, bearer, send, snapshot, token_for
from weerbaar.core.permissions import Role

pytestmark = pytest.mark.django_db


@dataclass
class Endpoint:
    method: str
    path: str
    valid: dict
    headers: dict
    # Per field, a value of the right JSON type that the field must refuse (a wrong enum, a
    # number out of range, ...).
    bad_values: dict = field(default_factory=dict)
    text_field: str = ""


WRITE_ENDPOINTS = ["create_token", "invite_member", "change_organisation", "change_role"]


@pytest.fixture
def endpoint(request, client, world) -> Endpoint:
    """A client ready to call one write endpoint as someone allowed to, with a valid body."""
    name = request.param
    if name == "create_token":
        client.force_login(world.officer_a.user)
        return Endpoint(
            "POST",
            "/api/v1/tokens/",
            {"name": "Rapportage", "scope": "read", "days_valid": 30},
            {"accept-language": "en"},
            bad_values={"scope": "admin", "days_valid": 10**40},
            text_field="name",
        )
    headers = bearer(token_for(world.officer_a.user, scope="read_write"))
    if name == "invite_member":
        return Endpoint(
            "POST",
            "/api/v1/memberships/",
            {
                "organisation": str(world.board_a.public_id),
                "email": "nieuw@example.test",
                "role": Role.DPO,
            },
            headers,
            bad_values={
                "role": "headmaster",
                "email": "nieuw at example",
                "organisation": "board-a",
            },
            text_field="name",
        )
    if name == "change_organisation":
        return Endpoint(
            "PATCH",
            f"/api/v1/organisations/{world.board_a.public_id}/",
            {"name": "Stichting Alfa-Omega"},
            headers,
            bad_values={"student_count": -1, "brin": "nonsense", "board_number": "12"},
            text_field="name",
        )
    if name == "change_role":
        return Endpoint(
            "PATCH",
            f"/api/v1/memberships/{world.dpo_a.public_id}/",
            {"role": Role.BOARD_MEMBER},
            headers,
            bad_values={"role": "chief"},
            text_field="role",
        )
    raise AssertionError(name)


def call(client, endpoint: Endpoint, body=None, *, raw=None, content_type="application/json"):
    return send(
        client,
        endpoint.method,
        endpoint.path,
        body,
        raw=raw,
        content_type=content_type,
        headers=endpoint.headers,
    )


pytestmark = [pytestmark, pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS, indirect=True)]


def test_the_valid_body_is_accepted(client, endpoint):
    """The control: each bad-input test below differs from this request in one way only."""
    before = snapshot()

    response = call(client, endpoint, endpoint.valid)

    assert response.status_code in (200, 201), response.content
    assert snapshot() != before


def test_malformed_json_is_400(client, endpoint):
    before = snapshot()

    response = call(client, endpoint, raw=json.dumps(endpoint.valid)[:-3])

    assert_error(response, 400, "parse_error")
    assert snapshot() == before


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "\xff\xfe"}',  # not UTF-8
        b'{"student_count": NaN, "days_valid": Infinity}',  # not JSON numbers
        b"[" * 100_000 + b"]" * 100_000,  # nested beyond what the decoder can follow
        b"\x00",
    ],
    ids=["bad-utf8", "nan", "deep-nesting", "null-byte"],
)
def test_undecodable_bodies_are_400(client, endpoint, raw):
    before = snapshot()

    assert_error(call(client, endpoint, raw=raw), 400, "parse_error")
    assert snapshot() == before


def test_unknown_fields_are_400_naming_them(client, endpoint):
    before = snapshot()

    response = call(client, endpoint, {**endpoint.valid, "colour": "blue", "id": str(uuid.uuid4())})

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"colour", "id"}
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [[], [{"name": "x"}], "text", 42, None, True],
    ids=["empty-list", "list", "string", "number", "null", "true"],
)
def test_a_body_that_is_not_an_object_is_400(client, endpoint, body):
    before = snapshot()

    response = call(client, endpoint, raw=json.dumps(body))

    assert_error(response, 400, "invalid")
    assert snapshot() == before


def test_a_list_of_valid_objects_is_400(client, endpoint):
    before = snapshot()

    assert_error(call(client, endpoint, [endpoint.valid]), 400, "invalid")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content_type", "encode"),
    [
        ("text/plain", lambda body: json.dumps(body)),
        ("application/x-www-form-urlencoded", lambda body: urlencode(body)),
        (MULTIPART_CONTENT, lambda body: encode_multipart(BOUNDARY, body)),
        ("application/xml", lambda body: "<body/>"),
    ],
    ids=["text", "form", "multipart", "xml"],
)
def test_bodies_that_are_not_json_are_415(client, endpoint, content_type, encode):
    before = snapshot()

    response = call(client, endpoint, raw=encode(endpoint.valid), content_type=content_type)

    assert_error(response, 415, "unsupported_media_type")
    assert snapshot() == before


def test_bodies_over_the_limit_are_413(client, endpoint, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    settings.MAX_UPLOAD_BYTES = 8192
    before = snapshot()
    # A valid body, padded with whitespace that JSON allows, so that only its size is wrong.
    padded = json.dumps(endpoint.valid) + " " * 5000
    multipart = encode_multipart(BOUNDARY, {**endpoint.valid, "file": "x" * 10_000})

    assert_error(call(client, endpoint, raw=padded), 413, "too_large")
    assert_error(call(client, endpoint, raw=multipart, content_type=MULTIPART_CONTENT), 413, "too_large")
    assert snapshot() == before


def test_invalid_values_are_400_naming_the_field(client, endpoint):
    for name, value in endpoint.bad_values.items():
        before = snapshot()

        response = call(client, endpoint, {**endpoint.valid, name: value})

        error = assert_error(response, 400, "invalid")
        assert set(error["fields"]) == {name}, (name, error)
        assert snapshot() == before


@pytest.mark.parametrize(
    "value",
    ["x" * 100_000, "abc\x00def", [[["nested"]]], {"a": {"b": "c"}}, None],
    ids=["very-long", "null-character", "list", "object", "null"],
)
def test_wrong_text_values_are_400_naming_the_field(client, endpoint, value):
    before = snapshot()

    response = call(client, endpoint, {**endpoint.valid, endpoint.text_field: value})

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {endpoint.text_field}
    assert snapshot() == before
