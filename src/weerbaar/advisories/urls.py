from django.urls import path

from weerbaar.advisories import views
from weerbaar.advisories.api import MispFeedView

app_name = "advisories"
urlpatterns = [
    path("", views.index, name="index"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("upload/", views.upload, name="upload"),
    path("write/", views.write, name="write"),
    path("inventory/", views.inventory_index, name="inventory_index"),
    path("inventory/suggestions/", views.suggestions, name="suggestions"),
    path("inventory/<uuid:organisation_id>/", views.inventory, name="inventory"),
    path("inventory/items/<uuid:item_id>/remove/", views.item_remove, name="item_remove"),
    # For institutions' MISP instances, with an API token: exact file names, no trailing slash.
    path("feeds/misp/<slug:tlp>/<str:name>", MispFeedView.as_view(), name="misp_feed"),
    path("<uuid:advisory_id>/", views.detail, name="detail"),
    path("<uuid:advisory_id>/csaf/", views.csaf_download, name="csaf"),
]
