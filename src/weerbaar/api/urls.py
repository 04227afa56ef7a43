from django.urls import include, path
from rest_framework.routers import DefaultRouter

from weerbaar.accounts.api import MeView, PersonalAccessTokenViewSet
from weerbaar.advisories.api import AdvisoryViewSet, IndicatorFeedViewSet, InventoryViewSet
from weerbaar.api.views import DocsView, SchemaView
from weerbaar.assessments.api import AssessmentViewSet, ImprovementActionViewSet, ScoreViewSet
from weerbaar.awareness.api import AwarenessActivityViewSet, AwarenessFiguresViewSet, TrainingOfferViewSet
from weerbaar.frameworks.api import FrameworkVersionViewSet, FrameworkViewSet, NormViewSet
from weerbaar.governance.api import (
    BudgetViewSet,
    ParagraphViewSet,
    SectorFiguresViewSet,
    SectorSettingsViewSet,
    SupervisionViewSet,
)
from weerbaar.incidents.api import IncidentStatisticsViewSet, IncidentViewSet, LessonViewSet
from weerbaar.monitor.api import BenchmarkViewSet, CycleViewSet, OrganisationMonitorViewSet, PostureViewSet
from weerbaar.organisations.api import AuditEntryViewSet, MembershipViewSet, OrganisationViewSet
from weerbaar.privacy.api import (
    ActivityViewSet,
    BreachViewSet,
    CentralViewSet,
    LocalViewSet,
    ProductViewSet,
    SectorViewSet,
    UseViewSet,
)


class Router(DefaultRouter):
    include_root_view = False
    include_format_suffixes = False


router = Router(trailing_slash=True)
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("audit-log", AuditEntryViewSet, basename="audit-entry")
router.register("tokens", PersonalAccessTokenViewSet, basename="token")
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("framework-versions", FrameworkVersionViewSet, basename="framework-version")
router.register("norms", NormViewSet, basename="norm")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register(r"assessments/(?P<assessment_id>[^/.]+)/scores", ScoreViewSet, basename="assessment-score")
router.register("improvement-actions", ImprovementActionViewSet, basename="improvement-action")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("incident-statistics", IncidentStatisticsViewSet, basename="incident-statistics")
router.register("lessons", LessonViewSet, basename="lesson")
router.register("advisories", AdvisoryViewSet, basename="advisory")
router.register("inventory", InventoryViewSet, basename="inventory-item")
router.register("iocs", IndicatorFeedViewSet, basename="ioc-feed")
router.register("monitor/cycles", CycleViewSet, basename="monitor-cycle")
router.register("monitor/benchmarks", BenchmarkViewSet, basename="monitor-benchmark")
router.register("monitor/positions", OrganisationMonitorViewSet, basename="monitor-position")
router.register("monitor/posture", PostureViewSet, basename="monitor-posture")
router.register("privacy/products", ProductViewSet, basename="privacy-product")
router.register("privacy/central-dpias", CentralViewSet, basename="privacy-central-dpia")
router.register("privacy/product-uses", UseViewSet, basename="privacy-product-use")
router.register("privacy/local-dpias", LocalViewSet, basename="privacy-local-dpia")
router.register("privacy/processing-activities", ActivityViewSet, basename="privacy-processing-activity")
router.register("privacy/breaches", BreachViewSet, basename="privacy-breach")
router.register("privacy/sector", SectorViewSet, basename="privacy-sector")
router.register("awareness/activities", AwarenessActivityViewSet, basename="awareness-activity")
router.register("awareness/training-offer", TrainingOfferViewSet, basename="awareness-offer")
router.register("awareness/sector-figures", AwarenessFiguresViewSet, basename="awareness-sector-figures")
router.register("governance/budgets", BudgetViewSet, basename="governance-budget")
router.register("governance/paragraphs", ParagraphViewSet, basename="governance-paragraph")
router.register("governance/supervision", SupervisionViewSet, basename="governance-supervision")
router.register("governance/sector-figures", SectorFiguresViewSet, basename="governance-sector-figures")
router.register("governance/sector-settings", SectorSettingsViewSet, basename="governance-sector-settings")

app_name = "api"
urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("v1/me/", MeView.as_view(), name="me"),
    path("v1/", include(router.urls)),
]
