from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator"),
    path("countries/<str:code>/", views.country_profile, name="country"),
    path("compare/", views.compare, name="compare"),
    path("reconciliation/", views.reconciliation_region, name="reconciliation"),
    path("countries/<str:code>/reconciliation/", views.reconciliation_country, name="country-reconciliation"),
]
