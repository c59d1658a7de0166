from django.urls import path

from . import views

app_name = "stats-campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_edit, name="new"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/template.<str:fmt>", views.scope_template, name="scope-template"),
    path("<int:pk>/upload/", views.scope_upload, name="scope-upload"),
    path("uploads/<int:job_id>/", views.upload_result, name="upload-result"),
    path("<int:pk>/report/<str:unit_key>/", views.report, name="report"),
    path("<int:pk>/review/<str:unit_key>/", views.review, name="review"),
    path("<int:pk>/report/<str:unit_key>/template.<str:fmt>", views.template, name="template"),
    path("<int:pk>/report/<str:unit_key>/upload/", views.upload, name="upload"),
]
