from django.urls import path

from weerbaar.monitor import views

app_name = "monitor"
urlpatterns = [
    path("", views.index, name="index"),
    # --- coordinators: cycles and participation
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/new/", views.cycle_open, name="cycle_open"),
    path("cycles/<uuid:cycle_id>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<uuid:cycle_id>/reminders/", views.cycle_remind, name="cycle_remind"),
    # --- an organisation's own monitor page
    path("organisation/<uuid:organisation_id>/", views.organisation_monitor, name="organisation"),
    path(
        "organisation/<uuid:organisation_id>/cycles/<uuid:cycle_id>/take-part/",
        views.take_part,
        name="take_part",
    ),
    path(
        "organisation/<uuid:organisation_id>/measures/<str:code>/",
        views.measure_edit,
        name="measure_edit",
    ),
    path("organisation/<uuid:organisation_id>/soc/", views.soc_edit, name="soc_edit"),
    # --- anonymised aggregates: dashboard, reports, export
    path("sector/", views.sector_dashboard, name="sector_dashboard"),
    path("sector/<uuid:cycle_id>/spring/", views.report, {"kind": "spring"}, name="report_spring"),
    path(
        "sector/<uuid:cycle_id>/spring.pdf",
        views.report,
        {"kind": "spring", "as_pdf": True},
        name="report_spring_pdf",
    ),
    path("sector/<uuid:cycle_id>/autumn/", views.report, {"kind": "autumn"}, name="report_autumn"),
    path(
        "sector/<uuid:cycle_id>/autumn.pdf",
        views.report,
        {"kind": "autumn", "as_pdf": True},
        name="report_autumn_pdf",
    ),
    path("sector/<uuid:cycle_id>/aggregates.xlsx", views.export_xlsx, name="export_xlsx"),
]
