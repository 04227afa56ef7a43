"""The OpenAPI document and the page that shows it. Both are public: the document describes the
API's shape and holds no institution data."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from weerbaar.api.base import ApiViewMixin
from weerbaar.core.access import PUBLIC


class SchemaView(ApiViewMixin, SpectacularAPIView):
    access_rule = PUBLIC
    # No authentication at all: a stale or wrong token must not stop anyone reading the docs.
    authentication_classes = []
    permission_classes = [AllowAny]


class DocsView(ApiViewMixin, SpectacularSwaggerSplitView):
    """Swagger UI, with its start-up script served from this same URL (`?script`) and its assets
    from our own static files, so that the Content-Security-Policy needs no exception."""

    access_rule = PUBLIC
    authentication_classes = []
    permission_classes = [AllowAny]
    template_name = "api/docs.html"
    title = "Weerbaar API"
