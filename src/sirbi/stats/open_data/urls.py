from django.urls import path

from . import views

app_name = "stats-data"
urlpatterns = [
    path("values.<str:fmt>", views.values_download, name="values"),
    path("aggregates.<str:fmt>", views.aggregates_download, name="aggregates"),
    path("indicators.<str:fmt>", views.indicators_download, name="indicators"),
]
