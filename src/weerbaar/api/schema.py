"""How the OpenAPI document describes the API: the error responses every operation can give, the
introduction shown on the docs page, and descriptions taken only from a class's own docstring.

The document is committed as `docs/openapi.yaml` (`make openapi`); a test fails when it drifts.
"""

import copy
import inspect

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import get_override
from rest_framework.permissions import AllowAny

from weerbaar.api.base import StrictSerializer
from weerbaar.api.errors import ErrorSerializer

INTRODUCTION = """\
The REST API of Weerbaar. It shows and changes the same data as the web pages, through the same
rules: every answer holds only what the token's user may see, and every change is recorded in the
organisation's audit log.

## Authentication

Send a personal access token in the `Authorization` header of every request:

    Authorization: Bearer wb_<prefix>_<secret>

Create a token in the web application under *Account → API tokens*, or with `POST /api/v1/tokens/`
while signed in. The full token is shown once, at creation; Weerbaar keeps only a hash of it. A
token expires after the number of days chosen (at most 365 by default) and can be revoked at
any time.
A token with scope `read` may only read (`GET`); a token with scope `read_write` may also change
data, within the roles of its user. Tokens can be created only from a signed-in browser session,
so a token cannot extend its own life.

To try the API on this page: create a token, press **Authorize**, and paste the full token under
`personalAccessToken`. A signed-in browser session works as well; changes made through the
session need the CSRF token, which this page sends for you.

## Scoping

Records of organisations you may not see do not exist for the API: asking for one answers
`404 Not Found`, exactly as for an id that was never issued. Ids are UUIDs.

## Lists

Lists are paginated: `?page=2&page_size=100` (at most 200 per page). The answer holds `count`,
`next`, `previous` and `results`.

## Errors

Every error has the same shape:

    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"name": ["..."]}}}

Bodies must be JSON (`Content-Type: application/json`, otherwise `415`) and no larger than the
platform's limit (2 MB by default, otherwise `413`); unknown fields are refused (`400`, naming the
field). A refused request changes nothing.
Messages follow the `Accept-Language` header (`nl` or `en`; Dutch by default).
"""

_ERROR_DESCRIPTIONS = {
    "400": "The request is malformed or has invalid fields; nothing was changed.",
    "401": "No token or session, or the token is unknown, expired or revoked.",
    "403": "Not allowed: a read-only token, no CSRF token, or a role that does not allow it.",
    "404": "No such record among those you may see.",
    "413": "The request body is too large.",
    "415": "The request body is not JSON.",
}


class AutoSchema(SpectacularAutoSchema):
    def get_description(self) -> str:
        # drf-spectacular falls back to docstrings of base classes, which describe our plumbing
        # (mixins, StrictSerializer) rather than the endpoint: use only what the view itself says,
        # and a viewset's own docstring only for its list, not repeated on every operation.
        action = getattr(self.view, "action", None)
        action_or_method = getattr(self.view, action or self.method.lower(), None)
        action_doc = inspect.getdoc(action_or_method) if action_or_method is not None else None
        if action_doc and getattr(action_or_method, "__module__", "").startswith("weerbaar."):
            return action_doc
        if action in (None, "list"):
            return _own_doc(type(self.view))
        return ""

    def resolve_serializer(self, serializer, direction, bypass_extensions=False):
        # Our input serializers are validated whole, also for PATCH (ScopedViewSet.validated), so
        # a field they require is required; drf-spectacular would mark every PATCH body partial.
        if isinstance(serializer, StrictSerializer) and serializer.partial:
            serializer = copy.copy(serializer)
            serializer.partial = False
        return super().resolve_serializer(serializer, direction, bypass_extensions)

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if not get_override(serializer, "description") and not _own_doc(type(serializer)):
            schema.pop("description", None)
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response" or self._is_public():
            return responses
        codes = ["401", "403"]
        has_body = self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None
        if has_body or self.get_override_parameters():
            codes.append("400")
        if "{" in self.path or self._is_list_view():
            # A list answers 404 for a page beyond the last, as well as for a filter naming an
            # organisation out of reach.
            codes.append("404")
        if has_body:
            codes += ["413", "415"]
        for code in sorted(codes):
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = _ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses

    def _is_public(self) -> bool:
        return any(isinstance(permission, AllowAny) for permission in self.view.get_permissions())


def _own_doc(cls) -> str:
    doc = cls.__dict__.get("__doc__")
    return inspect.cleandoc(doc) if doc else ""


def describe_api(result, generator, request, public):
    """Postprocessing hook: the introduction of the docs page, kept beside the code it explains."""
    result["info"]["description"] = INTRODUCTION
    return result
