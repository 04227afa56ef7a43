"""One error format for every API response:

    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"name": ["..."]}}}
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _message_for(detail) -> str:
    if isinstance(detail, list) and detail:
        return _message_for(detail[0])
    if isinstance(detail, dict):
        return "The request has invalid fields."
    return str(detail)


def _fields_from_django(exc: DjangoValidationError) -> tuple[dict, str]:
    if hasattr(exc, "error_dict"):
        fields = {name: [str(m) for e in errors for m in e.messages] for name, errors in exc.error_dict.items()}
        non_field = fields.pop("__all__", None)
        return fields, (non_field[0] if non_field else "The request has invalid fields.")
    return {}, " ".join(str(m) for m in exc.messages)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        fields, message = _fields_from_django(exc)
        body = {"status": 400, "code": "invalid", "message": message}
        if fields:
            body["fields"] = fields
        return Response({"error": body}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    body = {"status": response.status_code}
    if isinstance(exc, exceptions.ValidationError) and isinstance(detail, dict):
        body["code"] = "invalid"
        non_field = detail.get("non_field_errors")
        body["message"] = str(non_field[0]) if non_field else "The request has invalid fields."
        body["fields"] = {
            name: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
            for name, msgs in detail.items()
            if name != "non_field_errors"
        }
    else:
        body["code"] = codes if isinstance(codes, str) else "invalid"
        body["message"] = _message_for(detail)
    response.data = {"error": body}
    return response
