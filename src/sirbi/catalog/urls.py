from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("clusters/<int:pk>/", views.cluster_page, name="cluster"),
    path("records/<int:pk>.<str:fmt>", views.record_download, name="record-download"),
    path("records/<int:pk>/split/", views.record_split, name="record-split"),
    path("records/<int:pk>/merge/", views.record_merge, name="record-merge"),
    path("csv-template.csv", views.csv_template, name="csv-template"),
    path("sources/", views.source_list, name="sources"),
    path("sources/new/", views.source_edit, name="source-new"),
    path("sources/<slug:code>/edit/", views.source_edit, name="source-edit"),
    path("sources/<slug:code>/", views.source_page, name="source"),
    path("sources/<slug:code>/upload/", views.source_upload, name="source-upload"),
    path("sources/<slug:code>/harvest/", views.source_harvest, name="source-harvest"),
]
