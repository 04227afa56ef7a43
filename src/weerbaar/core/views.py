"""Views that belong to no domain: health check and error pages."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from weerbaar.core.access import PUBLIC, access_rule


@never_cache
@access_rule(PUBLIC)
def healthz(request):
    """Liveness and database readiness for the load balancer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)


def _api_error(request, status: int, code: str, message: str) -> JsonResponse | None:
    """For paths under /api/, the API's one error format (weerbaar.api.errors) instead of a page:
    errors raised outside the API views (an unknown URL, a server error) reach clients here."""
    if not request.path.startswith("/api/"):
        return None
    body = {"status": status, "code": code, "message": message}
    return JsonResponse({"error": body}, status=status)


def page_not_found(request, exception=None):
    api = _api_error(request, 404, "not_found", _("Not found."))
    return api or render(request, "core/404.html", status=404)


def permission_denied(request, exception=None):
    api = _api_error(request, 403, "permission_denied", _("You may not do this."))
    return api or render(request, "core/403.html", status=403)


def server_error(request):
    api = _api_error(request, 500, "server_error", _("Something went wrong on our side."))
    return api or render(request, "core/500.html", status=500)


def bad_request(request, exception=None):
    api = _api_error(request, 400, "bad_request", _("The request could not be understood."))
    return api or render(request, "core/400.html", status=400)
