"""One error format for every API response:

    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"name": ["..."]}}}

`fields` appears only when the input had field errors; its keys are the request's field names
(nested fields joined with dots, such as `items.0.name`). Unexpected exceptions are not turned into
a response here: they propagate so that they are logged and fixed, and Django's error handler then
answers API paths in this same format (see `weerbaar.core.views`).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD_KEYS = ("non_field_errors", "__all__")


def error_body(status_code: int, code: str, message: str, fields: dict | None = None) -> dict:
    """The error document; also used by middleware and error views that answer outside DRF."""
    body = {"status": status_code, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """{"a": {"b": ["x"]}} → {"a.b": ["x"]}: one list of messages per field path."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            fields.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list | tuple):
        messages = [str(item) for item in detail if not isinstance(item, dict | list | tuple)]
        if messages:
            fields.setdefault(prefix, []).extend(messages)
        for index, item in enumerate(detail):
            if isinstance(item, dict | list | tuple) and item:
                fields.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        fields.setdefault(prefix, []).append(str(detail))
    return fields


def _first_message(detail) -> str:
    if isinstance(detail, list | tuple) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict):
        return _("The request has invalid fields.")
    return str(detail)


def _validation_response(detail) -> Response:
    if isinstance(detail, dict):
        fields = _flatten(detail)
        non_field = [m for key in NON_FIELD_KEYS for m in fields.pop(key, [])]
        message = non_field[0] if non_field else _("The request has invalid fields.")
    else:
        fields, message = {}, _first_message(detail)
    return Response(error_body(400, "invalid", message, fields), status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; its field names are the service's keywords,
        # which the API keeps equal to the request's field names.
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return _validation_response(detail)
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(exc.detail)
    if isinstance(exc, Http404):
        # The message of a 404 from access() may name the model; say nothing about what was asked.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        # Services explain refusals for the log, not for the client.
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else "error"
    response.data = error_body(response.status_code, code, _first_message(exc.detail))
    return response


class ErrorFieldsSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    code = serializers.CharField(
        help_text="A stable, machine-readable code: `invalid`, `not_found`, `permission_denied`…"
    )
    message = serializers.CharField(help_text="What went wrong, in the language of the request.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per request field (nested fields joined with dots): what is wrong with it.",
    )


class ErrorSerializer(serializers.Serializer):
    """Every error response of the API has this shape."""

    error = ErrorFieldsSerializer()
