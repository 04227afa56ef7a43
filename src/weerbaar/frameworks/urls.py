from django.urls import path

from weerbaar.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("", views.framework_list, name="framework_list"),
    path("import/", views.catalogue_import, name="catalogue_import"),
    path("<uuid:framework_id>/", views.framework_detail, name="framework_detail"),
    path("<uuid:framework_id>/compare/", views.version_diff, name="version_diff"),
    path("versions/<uuid:version_id>/", views.version_detail, name="version_detail"),
    path(
        "versions/<uuid:version_id>/export/<str:export_format>/",
        views.version_export,
        name="version_export",
    ),
    path("versions/<uuid:version_id>/new-draft/", views.version_new_draft, name="version_new_draft"),
    path("versions/<uuid:version_id>/publish/", views.version_publish, name="version_publish"),
    path("versions/<uuid:version_id>/discard/", views.version_discard, name="version_discard"),
    path("versions/<uuid:version_id>/norms/add/", views.norm_add, name="norm_add"),
    path("versions/<uuid:version_id>/domains/add/", views.domain_add, name="domain_add"),
    path("norms/<uuid:norm_id>/", views.norm_detail, name="norm_detail"),
    path("norms/<uuid:norm_id>/edit/", views.norm_edit, name="norm_edit"),
    path("norms/<uuid:norm_id>/delete/", views.norm_delete, name="norm_delete"),
]
