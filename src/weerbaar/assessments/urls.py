from django.urls import path

from weerbaar.assessments import views

app_name = "assessments"
urlpatterns = [
    # --- workflow pages
    # --- import and export
]
