from django.urls import path

from .agenda import views as agenda_views
from .alliances import views as alliance_views
from .groups import views as group_views
from .meetings import views as meeting_views
from .needs import views as needs_views
from .roadmap import views as roadmap_views
from .views import index

app_name = "cooperation"

urlpatterns = [
    path("", index, name="index"),
    path("meetings/", meeting_views.meeting_list, name="meetings"),
    path("meetings/calendar/", meeting_views.calendar_page, name="calendar"),
    path("meetings/sirbi.ics", meeting_views.calendar_feed, name="feed"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>.ics", meeting_views.meeting_ics, name="meeting-ics"),
    path("meetings/<int:pk>/register/", meeting_views.register, name="register"),
    path("meetings/<int:pk>/participants/", meeting_views.participants, name="participants"),
    path("meetings/<int:pk>/documents/", meeting_views.add_document, name="add-document"),
    path("meetings/<int:pk>/agreements/", meeting_views.add_agreement, name="add-agreement"),
    path("registrations/<int:pk>/cancel/", meeting_views.cancel_registration, name="cancel-registration"),
    path("documents/<int:pk>/versions/", meeting_views.add_version, name="add-version"),
    path("documents/<int:pk>/v<int:number>/", meeting_views.document_file, name="document-file"),
    path("agreements/<int:pk>/action/", meeting_views.agreement_to_action, name="agreement-to-action"),
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
    path("agenda/", agenda_views.agenda_page, name="agenda"),
    path("agenda/new/", agenda_views.activity_edit, name="activity-new"),
    path("agenda/<int:pk>/", agenda_views.activity_detail, name="activity"),
    path("agenda/<int:pk>/edit/", agenda_views.activity_edit, name="activity-edit"),
    path("alliances/", alliance_views.alliance_list, name="alliances"),
    path("alliances/new/", alliance_views.partnership_edit, name="partnership-new"),
    path("alliances/<int:pk>/", alliance_views.partnership_detail, name="partnership"),
    path("alliances/<int:pk>/edit/", alliance_views.partnership_edit, name="partnership-edit"),
    path("alliances/<int:pk>/documents/", alliance_views.partnership_document, name="partnership-document"),
    path("practices/", alliance_views.practice_list, name="practices"),
    path("practices/new/", alliance_views.practice_new, name="practice-new"),
    path("practices/<int:pk>/", alliance_views.practice_detail, name="practice"),
    path("practices/<int:pk>/image/", alliance_views.practice_image, name="practice-image"),
    path("practices/<int:pk>/moderate/", alliance_views.practice_moderate, name="practice-moderate"),
    path("roadmap/", roadmap_views.roadmap_page, name="roadmap"),
    path("roadmap/timeline/", roadmap_views.timeline_page, name="timeline"),
    path("roadmap/import/", roadmap_views.import_page, name="import-actions"),
    path("roadmap/actions.<str:fmt>", roadmap_views.export, name="actions-export"),
    path("roadmap/template.<str:fmt>", roadmap_views.template, name="actions-template"),
    path("roadmap/countries/", roadmap_views.country_jump, name="countries"),
    path("roadmap/countries/<str:code>/", roadmap_views.country_page, name="country"),
    path("countries/<str:code>/new/", agenda_views.whats_new, name="whats-new"),
    path("actions/<slug:code>/", roadmap_views.action_detail, name="action"),
    path("actions/<slug:code>/report/", roadmap_views.report_progress, name="report"),
    path("reports/<int:pk>/evidence/", roadmap_views.evidence_file, name="evidence"),
]
