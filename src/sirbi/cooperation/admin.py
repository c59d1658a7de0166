"""The secretariat's editing of meetings, partners and the roadmap; coordinators edit the actions their
country leads. Every save goes through core.changelog (ScopedAdmin); uploads go through the pages, which
check the files' types."""

from django.contrib import admin

from sirbi.core import permissions
from sirbi.core.admin import ReadOnlyAdmin, ScopedAdmin
from sirbi.core.forms import VersionedForm

from .models import (
    Action,
    ActionIndicator,
    Agreement,
    Choice,
    GoodPractice,
    GroupMembership,
    Line,
    Meeting,
    Milestone,
    NeedArea,
    Objective,
    Participant,
    Partner,
    PartnershipAgreement,
    Question,
    Questionnaire,
    Response,
    Section,
    Session,
    WorkingGroup,
)


class OwnedInline(admin.TabularInline):
    """Rows that belong to their parent: whoever may change the parent may change them."""

    extra = 0

    def _may(self, request, obj):
        return permissions.can(request.user, "change", obj) if obj is not None else permissions.can_any(
            request.user, "add", self.parent_model)

    def has_add_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_view_permission(self, request, obj=None):
        return permissions.is_member(request.user)


class SessionInline(OwnedInline):
    model = Session
    fields = ["date", "start_time", "end_time", "kind", "title", "title_pt", "title_en", "room", "speakers",
              "moderators", "is_sample"]


class AgreementInline(OwnedInline):
    # The status stays editable: only the secretariat records agreements, and it closes those that did not become
    # an action here or on the meeting page; one that became an action follows it (meetings.effective_status).
    model = Agreement
    fields = ["number", "text", "text_pt", "text_en", "countries", "networks", "deadline", "status", "action",
              "is_sample"]
    readonly_fields = ["action"]


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    form = VersionedForm
    list_display = ["title", "kind", "start_date", "end_date", "city", "country", "capacity", "registration_open"]
    list_filter = ["kind", "registration_open", "is_sample"]
    search_fields = ["title", "title_pt", "title_en", "city"]
    filter_horizontal = ["hosts", "partners", "countries"]

    inlines = [SessionInline, AgreementInline]


@admin.register(Partner)
class PartnerAdmin(ScopedAdmin):
    form = VersionedForm
    list_display = ["name", "acronym", "kind", "country"]
    list_filter = ["kind"]
    filter_horizontal = ["networks"]
    search_fields = ["name", "acronym"]


@admin.register(NeedArea)
class NeedAreaAdmin(ScopedAdmin):
    form = VersionedForm
    list_display = ["code", "name_es", "name_pt", "name_en", "order"]
    filter_horizontal = ["indicators"]


@admin.register(Line)
class LineAdmin(ScopedAdmin):
    form = VersionedForm
    list_display = ["code", "name", "order", "weight", "is_sample"]


@admin.register(Objective)
class ObjectiveAdmin(ScopedAdmin):
    form = VersionedForm
    list_display = ["code", "name", "line", "parent", "weight"]
    list_filter = ["line"]


class MilestoneInline(OwnedInline):
    model = Milestone
    fields = ["title", "title_pt", "title_en", "due", "done_on"]


class ActionIndicatorInline(OwnedInline):
    model = ActionIndicator
    fields = ["indicator", "typology", "country", "baseline", "baseline_year", "target", "target_year"]


@admin.register(Action)
class ActionAdmin(ScopedAdmin):
    form = VersionedForm
    list_display = ["code", "title", "objective", "lead_country", "start", "end", "status", "weight", "progress"]
    list_filter = ["status", "objective__line", "lead_country"]
    search_fields = ["code", "title", "title_pt", "title_en"]
    filter_horizontal = ["countries", "networks", "partners", "need_areas"]
    readonly_fields = ["progress"]
    inlines = [MilestoneInline, ActionIndicatorInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("objective", "lead_country")


class MembershipInline(OwnedInline):
    model = GroupMembership
    fields = ["user", "role", "country"]
    autocomplete_fields = ["user"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(ScopedAdmin):
    form = VersionedForm
    list_display = ["code", "name", "theme", "is_sample"]
    filter_horizontal = ["countries"]
    inlines = [MembershipInline]


class SectionInline(OwnedInline):
    model = Section
    fields = ["order", "title_es", "title_pt", "title_en"]
    show_change_link = True


@admin.register(Questionnaire)
class QuestionnaireAdmin(ScopedAdmin):
    """The secretariat builds a needs questionnaire: sections here, their questions on each section's page.
    Sending it (its status) is the secretariat's own step, taken here: only the secretariat writes questionnaires."""

    form = VersionedForm
    list_display = ["code", "title_es", "opens", "closes", "status"]
    filter_horizontal = ["countries"]
    inlines = [SectionInline]


class QuestionInline(OwnedInline):
    model = Question
    fields = ["order", "code", "kind", "text_es", "text_pt", "text_en", "required", "scale_min", "scale_max",
              "need_area"]
    show_change_link = True


@admin.register(Section)
class SectionAdmin(ScopedAdmin):
    form = VersionedForm
    list_display = ["title_es", "questionnaire", "order"]
    list_filter = ["questionnaire"]
    inlines = [QuestionInline]


class ChoiceInline(OwnedInline):
    model = Choice
    fields = ["order", "code", "label_es", "label_pt", "label_en", "need_area"]


@admin.register(Question)
class QuestionAdmin(ScopedAdmin):
    form = VersionedForm
    list_display = ["code", "text_es", "kind", "section", "need_area"]
    list_filter = ["section__questionnaire", "kind"]
    inlines = [ChoiceInline]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    """Answers are given, submitted and returned on the questionnaire's pages (read-only here for everyone);
    the list shows the drafts of the user's own country only (Response.public_q)."""

    list_display = ["questionnaire", "country", "status", "submitted"]
    list_filter = ["questionnaire", "status"]


@admin.register(PartnershipAgreement)
class PartnershipAgreementAdmin(ScopedAdmin):
    list_display = ["title", "signed", "starts", "ends"]
    filter_horizontal = ["networks", "partners"]

    def get_form(self, request, obj=None, **kwargs):
        from .forms import PartnershipForm
        kwargs["form"] = PartnershipForm
        return super().get_form(request, obj, **kwargs)


@admin.register(GoodPractice)
class GoodPracticeAdmin(ScopedAdmin):
    """Practices are shared and moderated on their pages; here their scope's roles and the secretariat correct
    them. Status and moderation note are read-only for everyone: moderation (alliances.moderate) is the
    secretariat's alone, asks for a reason when refusing and tells the author; an admin edit would skip all
    three (and let a coordinator publish their own practice)."""

    form = VersionedForm
    list_display = ["title", "country", "status", "created"]
    list_filter = ["status", "country"]
    search_fields = ["title", "title_pt", "title_en"]
    filter_horizontal = ["themes"]
    exclude = ["image", "image_type", "image_extension", "token", "submitted_by"]
    readonly_fields = ["status", "moderation_note"]

    def has_change_permission(self, request, obj=None):
        # A published practice says what the secretariat read: its scope's roles correct it before publication
        # only (an edit after it would publish unread text).
        if obj is not None and obj.status == GoodPractice.Status.PUBLISHED and not permissions.is_secretariat(
                request.user):
            return False
        return super().has_change_permission(request, obj)


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    """Registrations are handled on the meeting's page (approval, waiting list); the admin only reads them."""

    list_display = ["name", "meeting", "country", "role", "status", "attended"]
    list_filter = ["status", "meeting"]
    may_read = staticmethod(permissions.is_secretariat)
