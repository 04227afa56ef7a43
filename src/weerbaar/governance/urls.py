from django.urls import path

from weerbaar.governance import views

app_name = "governance"
urlpatterns = [
    path("", views.index, name="index"),
    path("organisation/<uuid:organisation_id>/", views.organisation_page, name="organisation"),
    path("organisation/<uuid:organisation_id>/budget/", views.budget_edit, name="budget_edit"),
    path("organisation/<uuid:organisation_id>/paragraphs/generate/", views.paragraph_generate, name="generate"),
    path("organisation/<uuid:organisation_id>/supervision/", views.supervision, name="supervision"),
    path("organisation/<uuid:organisation_id>/supervision.pdf", views.supervision_pdf, name="supervision_pdf"),
    path("paragraphs/<uuid:paragraph_id>/", views.paragraph_detail, name="paragraph"),
    path("paragraphs/<uuid:paragraph_id>/edit/", views.paragraph_edit, name="paragraph_edit"),
    path("paragraphs/<uuid:paragraph_id>/submit/", views.paragraph_submit, name="paragraph_submit"),
    path("paragraphs/<uuid:paragraph_id>/return/", views.paragraph_return, name="paragraph_return"),
    path("paragraphs/<uuid:paragraph_id>/approve/", views.paragraph_approve, name="paragraph_approve"),
    path("paragraphs/<uuid:paragraph_id>/new-version/", views.paragraph_new_version, name="paragraph_new_version"),
    path("paragraphs/<uuid:paragraph_id>/export.<str:fmt>", views.paragraph_export, name="paragraph_export"),
    path("sector/", views.sector_page, name="sector"),
    path("sector/settings/", views.sector_settings_list, name="sector_settings"),
    path("sector/settings/<str:code>/", views.sector_settings_edit, name="sector_settings_edit"),
]
