from django.urls import path

from . import statistics_views, views

app_name = "loans"
urlpatterns = [
    path("", views.home, name="home"),
    path("libraries/<int:library>/", views.desk, name="desk"),
    path("libraries/<int:library>/policy/", views.policy_detail, name="policy"),
    path("libraries/<int:library>/policy/edit/", views.policy_edit, name="policy-edit"),
    path("libraries/<int:library>/endpoint/", views.endpoint_edit, name="endpoint-edit"),
    path("requests/new/", views.request_new, name="request-new"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/act/", views.request_act, name="request-act"),
    path("requests/<int:pk>/answer/", views.request_answer, name="request-answer"),
    path("requests/<int:pk>/rota/", views.request_rota, name="request-rota"),
    path("requests/<int:pk>/copy/", views.request_copy, name="request-copy"),
    path("requests/<int:pk>/messages/<int:message>/resend/", views.request_resend, name="request-resend"),
    path("copies/<int:pk>/", views.copy_file, name="copy"),
    path("statistics/", statistics_views.statistics_page, name="statistics"),
    path("statistics/<str:level>/<str:key>/", statistics_views.statistics_page, name="statistics-unit"),
]
