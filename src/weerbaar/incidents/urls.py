from django.urls import path

from weerbaar.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.report_new, name="new"),
    path("lessons/", views.lesson_list, name="lesson_list"),
    path("lessons/<uuid:lesson_id>/", views.lesson_detail, name="lesson_detail"),
    path("statistics/", views.statistics_view, name="statistics"),
    path("settings/<uuid:organisation_id>/", views.nis2_setting, name="nis2_setting"),
    path("files/<uuid:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("tasks/<uuid:task_id>/done/", views.task_done, name="task_done"),
    path("<uuid:incident_id>/", views.incident_detail, name="detail"),
    path("<uuid:incident_id>/edit/", views.report_edit, name="edit"),
    path("<uuid:incident_id>/submit/", views.report_submit, name="submit"),
    path("<uuid:incident_id>/notes/", views.entry_add, name="entry_add"),
    path("<uuid:incident_id>/indicators/", views.indicator_add, name="indicator_add"),
    path("<uuid:incident_id>/files/", views.attachment_add, name="attachment_add"),
    path("<uuid:incident_id>/duties/", views.duty_record, name="duty_record"),
    path("<uuid:incident_id>/triage/", views.triage, name="triage"),
    path("<uuid:incident_id>/assign/", views.assign, name="assign"),
    path("<uuid:incident_id>/status/", views.status_change, name="status"),
    path("<uuid:incident_id>/tasks/", views.task_add, name="task_add"),
    path("<uuid:incident_id>/links/", views.link_add, name="link_add"),
    path(
        "<uuid:incident_id>/intermediate-report/",
        views.intermediate_request,
        name="intermediate_request",
    ),
    path("<uuid:incident_id>/documents/<slug:kind>/", views.document, name="document"),
    path("<uuid:incident_id>/documents/<slug:kind>/pdf/", views.document_pdf, name="document_pdf"),
    path("<uuid:incident_id>/stix/", views.stix_export, name="stix"),
    path("<uuid:incident_id>/lesson/", views.lesson_edit, name="lesson_edit"),
    path("<uuid:incident_id>/lesson/agree/", views.lesson_agree, name="lesson_agree"),
]
