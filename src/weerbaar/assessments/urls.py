from django.urls import path

from weerbaar.assessments import views

app_name = "assessments"
urlpatterns = [
    # --- workflow pages
    path("", views.index, name="index"),
    path("organisation/<uuid:organisation_id>/", views.organisation_assessments, name="organisation_assessments"),
    path("organisation/<uuid:organisation_id>/start/", views.assessment_start, name="assessment_start"),
    path("organisation/<uuid:organisation_id>/actions/", views.improvement_plan, name="improvement_plan"),
    path("organisation/<uuid:organisation_id>/targets/", views.domain_targets, name="domain_targets"),
    path("actions/<uuid:action_id>/", views.improvement_action_edit, name="improvement_action_edit"),
    path("audits/overdue/", views.overdue_audits, name="overdue_audits"),
    path("reviews/", views.review_list, name="review_list"),
    path("<uuid:assessment_id>/", views.assessment_detail, name="assessment_detail"),
    path("<uuid:assessment_id>/results/", views.assessment_results, name="assessment_results"),
    path("<uuid:assessment_id>/submit/", views.assessment_submit, name="assessment_submit"),
    path("<uuid:assessment_id>/reopen/", views.assessment_reopen, name="assessment_reopen"),
    path("<uuid:assessment_id>/reviewer/", views.assessment_assign_reviewer, name="assessment_assign_reviewer"),
    path("<uuid:assessment_id>/finalise/", views.assessment_finalise, name="assessment_finalise"),
    path("<uuid:assessment_id>/norms/<str:norm_code>/", views.norm_answer, name="norm_answer"),
    path("<uuid:assessment_id>/norms/<str:norm_code>/review/", views.norm_review, name="norm_review"),
    path("<uuid:assessment_id>/norms/<str:norm_code>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<uuid:assessment_id>/norms/<str:norm_code>/links/", views.evidence_link, name="evidence_link"),
    path("evidence/<uuid:evidence_id>/download/", views.evidence_download, name="evidence_download"),
    path("evidence/<uuid:evidence_id>/remove/", views.evidence_remove, name="evidence_remove"),
    # --- import and export
    path("<uuid:assessment_id>/import/", views.assessment_import, name="assessment_import"),
    path("<uuid:assessment_id>/export.xlsx", views.assessment_export_xlsx, name="assessment_export_xlsx"),
    path("<uuid:assessment_id>/export.pdf", views.assessment_export_pdf, name="assessment_export_pdf"),
]
