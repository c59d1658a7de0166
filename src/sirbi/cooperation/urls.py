from django.urls import path

from . import group_views, needs_views, transfer_views, views

app_name = "cooperation"

urlpatterns = [
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/calendar/", views.calendar_page, name="calendar"),
    path("meetings/sirbi.ics", views.calendar_feed, name="feed"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>.ics", views.meeting_ics, name="meeting-ics"),
    path("meetings/<int:pk>/register/", views.register, name="register"),
    path("meetings/<int:pk>/participants/", views.participants, name="participants"),
    path("meetings/<int:pk>/documents/", views.add_document, name="add-document"),
    path("meetings/<int:pk>/agreements/", views.add_agreement, name="add-agreement"),
    path("registrations/<int:pk>/cancel/", views.cancel_registration, name="cancel-registration"),
    path("documents/<int:pk>/versions/", views.add_version, name="add-version"),
    path("documents/<int:pk>/v<int:number>/", views.document_file, name="document-file"),
    path("agreements/<int:pk>/action/", views.agreement_to_action, name="agreement-to-action"),
    path("groups/", group_views.group_list, name="groups"),
    path("groups/<slug:code>/", group_views.group_detail, name="group"),
    path("groups/<slug:code>/documents/", group_views.group_document, name="group-document"),
    path("groups/<slug:code>/topics/", group_views.start_topic, name="start-topic"),
    path("groups/<slug:code>/topics/<int:pk>/", group_views.topic_detail, name="topic"),
    path("needs/", needs_views.questionnaire_list, name="questionnaires"),
    path("needs/<slug:code>/", needs_views.questionnaire_detail, name="questionnaire"),
    path("needs/<slug:code>/matrix/", needs_views.matrix_page, name="matrix"),
    path("needs/<slug:code>/countries/<str:country>/", needs_views.answer, name="answer"),
    path("needs/<slug:code>/countries/<str:country>/return/", needs_views.return_answers, name="return-answers"),
    path("roadmap/", views.roadmap_page, name="roadmap"),
    path("roadmap/timeline/", views.timeline_page, name="timeline"),
    path("roadmap/import/", transfer_views.import_page, name="import-actions"),
    path("roadmap/actions.<str:fmt>", transfer_views.export, name="actions-export"),
    path("roadmap/template.<str:fmt>", transfer_views.template, name="actions-template"),
    path("roadmap/countries/", views.country_jump, name="countries"),
    path("roadmap/countries/<str:code>/", views.country_page, name="country"),
    path("actions/<slug:code>/", views.action_detail, name="action"),
    path("actions/<slug:code>/report/", views.report_progress, name="report"),
    path("reports/<int:pk>/evidence/", views.evidence_file, name="evidence"),
]
