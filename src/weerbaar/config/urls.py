from django.urls import include, path
from django.views.i18n import set_language

from weerbaar.core.access import PUBLIC, access_rule
from weerbaar.core.views import healthz

# The language is a user choice stored in a cookie, not a URL prefix, so links stay the same in
# Dutch and English.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", access_rule(PUBLIC)(set_language), name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("weerbaar.accounts.urls")),
    path("api/", include("weerbaar.api.urls")),
    path("frameworks/", include("weerbaar.frameworks.urls")),
    path("assessments/", include("weerbaar.assessments.urls")),
    path("incidents/", include("weerbaar.incidents.urls")),
    path("advisories/", include("weerbaar.advisories.urls")),
    path("awareness/", include("weerbaar.awareness.urls")),
    path("monitor/", include("weerbaar.monitor.urls")),
    path("privacy/", include("weerbaar.privacy.urls")),
    path("governance/", include("weerbaar.governance.urls")),
    path("", include("weerbaar.organisations.urls")),
]

handler400 = "weerbaar.core.views.bad_request"
handler403 = "weerbaar.core.views.permission_denied"
handler404 = "weerbaar.core.views.page_not_found"
handler500 = "weerbaar.core.views.server_error"
