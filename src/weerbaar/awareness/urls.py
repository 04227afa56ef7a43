from django.urls import path

from weerbaar.awareness import views

app_name = "awareness"
urlpatterns = [
    path("", views.index, name="index"),
    path("sector/", views.sector_figures, name="sector"),
    path("offer/", views.offer_list, name="offer_list"),
    path("offer/new/", views.offer_new, name="offer_new"),
    path("offer/<uuid:offer_id>/", views.offer_detail, name="offer"),
    path("offer/<uuid:offer_id>/edit/", views.offer_edit, name="offer_edit"),
    path("enrolments/<uuid:enrolment_id>/cancel/", views.enrolment_cancel, name="enrolment_cancel"),
    path("organisation/<uuid:organisation_id>/", views.organisation_activities, name="organisation"),
    path("organisation/<uuid:organisation_id>/new/", views.activity_new, name="activity_new"),
    path("<uuid:activity_id>/", views.activity_detail, name="activity"),
    path("<uuid:activity_id>/edit/", views.activity_edit, name="activity_edit"),
    path("<uuid:activity_id>/delete/", views.activity_delete, name="activity_delete"),
    path("<uuid:activity_id>/participation/", views.participation_set, name="participation"),
    path("<uuid:activity_id>/import/", views.participation_import, name="import"),
    path("<uuid:activity_id>/evaluation/", views.evaluation_save, name="evaluation"),
    path("<uuid:activity_id>/findings/", views.finding_add, name="finding_add"),
]
