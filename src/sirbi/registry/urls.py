from django.urls import path

from . import views
from .imports import views as import_views

app_name = "registry"
urlpatterns = [
    path("", views.index, name="index"),
    path("countries/<str:code>/", views.country_detail, name="country"),
    path("countries/<str:code>/edit/", views.country_edit, name="country-edit"),
    path("networks/", views.network_list, name="networks"),
    path("networks/new/", views.network_edit, name="network-add"),
    path("networks/<slug:code>/", views.network_detail, name="network"),
    path("networks/<slug:code>/edit/", views.network_edit, name="network-edit"),
    path("networks/<slug:key>/delete/", views.delete, {"kind": "network"}, name="network-delete"),
    path("libraries/", views.library_list, name="libraries"),
    path("libraries/new/", views.library_edit, name="library-add"),
    path("libraries/<int:pk>/", views.library_detail, name="library"),
    path("libraries/<int:pk>/edit/", views.library_edit, name="library-edit"),
    path("libraries/<int:key>/delete/", views.delete, {"kind": "library"}, name="library-delete"),
    path("libraries/<int:library>/service-points/new/", views.service_point_edit, name="service-point-add"),
    path("service-points/<int:pk>/edit/", views.service_point_edit, name="service-point-edit"),
    path("service-points/<int:key>/delete/", views.delete, {"kind": "service_point"}, name="service-point-delete"),
    path("map/", views.library_map, name="map"),
    path("map/points.json", views.library_points, name="map-points"),
    path("import/", import_views.upload, name="import"),
    path("import/template.<str:fmt>", import_views.template, name="import-template"),
    path("import/<int:pk>/", import_views.preview, name="import-preview"),
]
