from django.urls import path

from weerbaar.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<uuid:organisation_id>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<uuid:organisation_id>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<uuid:organisation_id>/members/", views.member_list, name="member_list"),
    path("organisations/<uuid:organisation_id>/members/invite/", views.member_invite, name="member_invite"),
    path("organisations/<uuid:organisation_id>/audit-log/", views.audit_log, name="audit_log"),
    path("members/<uuid:membership_id>/role/", views.member_change_role, name="member_change_role"),
    path("members/<uuid:membership_id>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("members/<uuid:membership_id>/reactivate/", views.member_reactivate, name="member_reactivate"),
]
