from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("open-data/", views.open_data, name="open-data"),
]
