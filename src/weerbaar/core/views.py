"""Views that belong to no domain: health check and error pages."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
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
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return JsonResponse({"status": "unavailable"}, status=503)


def page_not_found(request, exception=None):
    return render(request, "core/404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "core/403.html", status=403)


def server_error(request):
    return render(request, "core/500.html", status=500)


def bad_request(request, exception=None):
    return render(request, "core/400.html", status=400)
