from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from weerbaar.accounts.api import MeView, PersonalAccessTokenViewSet
from weerbaar.api.base import ApiViewMixin
from weerbaar.core.access import PUBLIC
from weerbaar.organisations.api import AuditEntryViewSet, MembershipViewSet, OrganisationViewSet


class SchemaView(ApiViewMixin, SpectacularAPIView):
    access_rule = PUBLIC


class DocsView(ApiViewMixin, SpectacularSwaggerSplitView):
    access_rule = PUBLIC


class Router(DefaultRouter):
    include_root_view = False


router = Router(trailing_slash=True)
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("audit-log", AuditEntryViewSet, basename="audit-entry")
router.register("tokens", PersonalAccessTokenViewSet, basename="token")

app_name = "api"
urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("v1/me/", MeView.as_view(), name="me"),
    path("v1/", include(router.urls)),
]
