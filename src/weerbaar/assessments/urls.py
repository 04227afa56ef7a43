from django.urls import path

from weerbaar.assessments import views

app_name = "assessments"
urlpatterns = [
    # --- workflow pages
    # --- import and export
    path("<uuid:assessment_id>/import/", views.assessment_import, name="assessment_import"),
    path("<uuid:assessment_id>/export.xlsx", views.assessment_export_xlsx, name="assessment_export_xlsx"),
    path("<uuid:assessment_id>/export.pdf", views.assessment_export_pdf, name="assessment_export_pdf"),
]
