from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("changes/", views.ChangeLogListView.as_view(), name="changes"),
    path("changes/imports/", views.batch_list, name="batches"),
    path("changes/imports/<int:pk>/", views.batch_detail, name="batch"),
    path("changes/imports/<int:pk>/file/", views.batch_file, name="batch-file"),
    path("changes/imports/<int:pk>/undo/", views.batch_undo, name="batch-undo"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("account/token/", views.token_view, name="token"),
    path("account/notifications/", views.notifications_view, name="notifications"),
    path("account/token/new/", views.token_regenerate, name="token-regenerate"),
]
