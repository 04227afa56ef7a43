from django.urls import path

from weerbaar.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.index, name="index"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/export.csv", views.catalogue_export, name="catalogue_export"),
    path("catalogue/<uuid:steward_id>/import/", views.catalogue_import, name="catalogue_import"),
    path("catalogue/<uuid:steward_id>/products/new/", views.product_edit, name="product_new"),
    path("catalogue/<uuid:steward_id>/products/<uuid:product_id>/edit/", views.product_edit, name="product_edit"),
    path("products/<uuid:product_id>/", views.product_detail, name="product"),
    path("products/<uuid:product_id>/central/new/", views.central_new, name="central_new"),
    path("central/<uuid:central_id>/", views.central_detail, name="central"),
    path("central/<uuid:central_id>/start/", views.local_start, name="local_start"),
    path("central/<uuid:central_id>/<slug:what>/", views.central_action, name="central_action"),
    path("vendor-measures/<uuid:measure_id>/", views.vendor_measure, name="vendor_measure"),
    path("sector/", views.sector, name="sector"),
    path("organisations/<uuid:organisation_id>/", views.organisation, name="organisation"),
    path("organisations/<uuid:organisation_id>/register/", views.register, name="register"),
    path(
        "organisations/<uuid:organisation_id>/register/export.<slug:file_format>",
        views.register_export,
        name="register_export",
    ),
    path("organisations/<uuid:organisation_id>/register/new/", views.activity_edit, name="activity_new"),
    path(
        "organisations/<uuid:organisation_id>/register/<uuid:activity_id>/", views.activity_edit, name="activity_edit"
    ),
    path("organisations/<uuid:organisation_id>/breaches/", views.breaches, name="breaches"),
    path("organisations/<uuid:organisation_id>/breaches/export.xlsx", views.breaches_export, name="breaches_export"),
    path("organisations/<uuid:organisation_id>/breaches/new/", views.breach_edit, name="breach_new"),
    path("organisations/<uuid:organisation_id>/breaches/<uuid:breach_id>/", views.breach_edit, name="breach_edit"),
    path("incidents/<uuid:incident_id>/decision/", views.incident_decision, name="incident_decision"),
    path("uses/<uuid:use_id>/end/", views.use_end, name="use_end"),
    path("dpias/<uuid:dpia_id>/", views.local_detail, name="local"),
    path("dpias/<uuid:dpia_id>/risks/", views.local_risk, name="local_risk_new"),
    path("dpias/<uuid:dpia_id>/risks/<uuid:risk_id>/", views.local_risk, name="local_risk"),
    path("dpias/<uuid:dpia_id>/measures/", views.local_measure, name="local_measure_new"),
    path("dpias/<uuid:dpia_id>/measures/<uuid:measure_id>/", views.local_measure, name="local_measure"),
    path("dpias/<uuid:dpia_id>/advice/", views.local_advice, name="local_advice"),
    path("dpias/<uuid:dpia_id>/accept/", views.local_accept, name="local_accept"),
    path("dpias/<uuid:dpia_id>/new-version/", views.local_new_version, name="local_new_version"),
    path("dpias/<uuid:dpia_id>/export.<slug:file_format>", views.local_export, name="local_export"),
]
