"""The cooperation REST API: meetings (with sessions, documents and agreements, and each as .ics), the
roadmap's lines with computed progress, actions (read by anyone; written by the lead country's coordinator
or the secretariat through the same form rules and change log as the admin) and their progress reports
(by the action's owners), and agreements."""

from datetime import date

from django.core.exceptions import PermissionDenied as DjangoDenied
from django.core.exceptions import ValidationError as DjangoInvalid
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from sirbi.core import permissions
from sirbi.core.api import FormWriteMixin, TranslatedModelSerializer
from sirbi.core.filters import by_code
from sirbi.core.languages import texts
from sirbi.core.uploads import upload_limit
from sirbi.registry.models import Country, Network

from .alliances import services as alliances
from .choices import ActionStatus
from .forms import ActionForm, PartnershipForm
from .meetings import services as meetings
from .meetings.calendar import meetings_calendar
from .models import (
    Action,
    Agreement,
    Document,
    GoodPractice,
    GroupMembership,
    Line,
    Meeting,
    Milestone,
    NeedArea,
    PartnershipAgreement,
    ProgressReport,
    Session,
    WorkingGroup,
)
from .roadmap import services as roadmap


class SessionSerializer(TranslatedModelSerializer):
    class Meta:
        model = Session
        fields = ["id", "kind", "title", "date", "start_time", "end_time", "room", "speakers", "moderators",
                  "description", "is_sample"]


class DocumentSerializer(serializers.ModelSerializer):
    versions = serializers.SerializerMethodField(help_text="Every version, newest first, with its download URL.")

    class Meta:
        model = Document
        fields = ["id", "title", "kind", "visibility", "is_sample", "versions"]

    def get_versions(self, document) -> list[dict]:
        request = self.context.get("request")
        return [{"number": v.number, "media_type": v.media_type, "size": v.size, "sha256": v.sha256,
                 "uploaded": v.uploaded, "note": v.note,
                 "url": request.build_absolute_uri(reverse("cooperation:document-file", args=[document.pk, v.number]))
                 if request else None}
                for v in sorted(document.versions.all(), key=lambda v: -v.number)]


class AgreementSerializer(TranslatedModelSerializer):
    meeting = serializers.PrimaryKeyRelatedField(read_only=True)
    countries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    networks = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    action = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    status = serializers.SerializerMethodField(help_text="open, done or dropped; an agreement that became an "
                                                         "action follows its action.")

    class Meta:
        model = Agreement
        fields = ["id", "meeting", "number", "text", "countries", "networks", "deadline", "status", "action",
                  "is_sample"]

    def get_status(self, agreement) -> str:
        return meetings.effective_status(agreement)


class MeetingSerializer(TranslatedModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    countries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    hosts = serializers.StringRelatedField(many=True)
    partners = serializers.StringRelatedField(many=True)
    sessions = SessionSerializer(many=True, read_only=True)
    documents = serializers.SerializerMethodField(help_text="Public documents; members also see members-only ones.")
    agreements = AgreementSerializer(many=True, read_only=True)
    ics = serializers.SerializerMethodField(help_text="The meeting as iCalendar.")

    class Meta:
        model = Meeting
        fields = ["id", "title", "kind", "start_date", "end_date", "timezone", "city", "country", "venue",
                  "online_url", "hosts", "partners", "countries", "description", "capacity", "registration_open",
                  "source_url", "is_sample", "sessions", "documents", "agreements", "ics", "updated"]

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, meeting):
        request = self.context.get("request")
        member = permissions.is_member(getattr(request, "user", None))
        documents = [d for d in meeting.documents.all() if member or d.visibility == "public"]
        return DocumentSerializer(documents, many=True, context=self.context).data

    def get_ics(self, meeting) -> str:
        request = self.context.get("request")
        path = reverse("meeting-ics", args=[meeting.pk])
        return request.build_absolute_uri(path) if request else path


class MeetingFilter(filters.FilterSet):
    kind = filters.CharFilter()
    country = by_code("country__code", help_text="ISO alpha-2 code of the host country.")
    after = filters.DateFilter(field_name="end_date", lookup_expr="gte", help_text="Meetings ending on or after.")
    before = filters.DateFilter(field_name="start_date", lookup_expr="lte", help_text="Meetings starting on or before.")

    class Meta:
        model = Meeting
        fields = ["kind", "country", "after", "before"]


@extend_schema_view(list=extend_schema(description="Meetings with their sessions, documents and agreements."))
class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = (Meeting.objects.select_related("country").prefetch_related(
        "countries", "hosts", "partners", Prefetch("sessions", Session.objects.order_by("date", "start_time")),
        Prefetch("documents", Document.objects.prefetch_related("versions")),
        Prefetch("agreements", Agreement.objects.select_related("action").prefetch_related("countries", "networks")))
        .order_by("-start_date", "pk"))
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter

    @extend_schema(responses={(200, "text/calendar"): str}, description="The meeting and its sessions as .ics.")
    @route(detail=True, methods=["get"])
    def ics(self, request, pk=None):
        meeting = self.get_object()
        body = meetings_calendar([meeting], str(meeting),
                                 lambda m: request.build_absolute_uri(m.get_absolute_url()), request.get_host())
        return HttpResponse(body, content_type="text/calendar; charset=utf-8")


class MilestoneSerializer(TranslatedModelSerializer):
    class Meta:
        model = Milestone
        fields = ["title", "due", "done_on"]


class ActionSerializer(TranslatedModelSerializer):
    objective = serializers.SlugRelatedField(slug_field="code", read_only=True)
    line = serializers.CharField(source="objective.line.code", read_only=True)
    lead_country = serializers.SlugRelatedField(slug_field="code", read_only=True)
    countries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    networks = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    need_areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    partners = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    overdue = serializers.SerializerMethodField(help_text="Past its end and neither done nor cancelled.")
    progress = serializers.IntegerField(read_only=True, help_text="From the latest progress report (0–100).")

    class Meta:
        model = Action
        fields = ["code", "title", "description", "line", "objective", "lead_country", "countries", "networks",
                  "partners", "need_areas", "start", "end", "status", "weight", "progress", "overdue", "milestones",
                  "is_sample", "version", "updated"]

    def get_overdue(self, action) -> bool:
        return action.end < date.today() and action.status not in (ActionStatus.DONE, ActionStatus.CANCELLED)


class ActionFilter(filters.FilterSet):
    line = filters.CharFilter(field_name="objective__line__code", help_text="Code of the line of work.")
    objective = filters.CharFilter(field_name="objective__code")
    country = filters.CharFilter(method="by_country", help_text="Actions a country leads or takes part in.")
    lead = filters.CharFilter(method="by_lead", help_text="Actions a country leads.")
    status = filters.ChoiceFilter(choices=ActionStatus.choices)
    overdue = filters.BooleanFilter(method="by_overdue")

    class Meta:
        model = Action
        fields = ["line", "objective", "country", "lead", "status", "overdue"]

    def by_country(self, queryset, name, value):
        code = value.upper()
        return queryset.filter(Q(lead_country__code=code) | Q(countries__code=code)).distinct()

    def by_lead(self, queryset, name, value):
        return queryset.filter(lead_country__code=value.upper())

    def by_overdue(self, queryset, name, value):
        late = Q(end__lt=date.today()) & ~Q(status__in=[ActionStatus.DONE, ActionStatus.CANCELLED])
        return queryset.filter(late) if value else queryset.exclude(late)


class ProgressReportSerializer(serializers.ModelSerializer):
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReport
        fields = ["id", "date", "progress", "text", "link", "evidence", "created", "is_sample"]
        read_only_fields = ["id", "evidence", "created", "is_sample"]
        extra_kwargs = {"date": {"required": False}}

    def get_evidence(self, report) -> str | None:
        if not report.evidence:
            return None
        request = self.context.get("request")
        path = reverse("cooperation:evidence", args=[report.pk])
        return request.build_absolute_uri(path) if request else path


@extend_schema_view(list=extend_schema(description="Roadmap actions with computed progress; writable by the lead "
                                                   "country's coordinator and the secretariat."))
@upload_limit("DOCUMENT_MAX_BYTES")  # a progress report's evidence file
class ActionViewSet(FormWriteMixin, viewsets.ModelViewSet):
    queryset = (Action.objects.select_related("objective__line", "lead_country")
                .prefetch_related("countries", "networks", "need_areas", "partners", "milestones")
                .order_by("objective__line__order", "start", "code"))
    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    form_class = ActionForm
    m2m_names = ("countries", "networks", "need_areas", "partners")
    lookup_field = "code"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(request=ProgressReportSerializer, responses={201: ProgressReportSerializer,
                                                                 200: ProgressReportSerializer(many=True)},
                   description="GET: the action's progress reports. POST (the action's owners): a new report "
                               "(progress 0–100, text, date, link; multipart `evidence` for a file).")
    @route(detail=True, methods=["get", "post"], permission_classes=[])
    def reports(self, request, code=None):
        action = self.get_object()
        if request.method == "GET":
            return Response(ProgressReportSerializer(action.reports.all(), many=True,
                                                     context={"request": request}).data)
        if not IsAuthenticated().has_permission(request, self):
            raise NotAuthenticated(_("Sign in or send a token to report progress."))
        data = ProgressReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report = roadmap.report_progress(action, request.user, progress=data.validated_data["progress"],
                                             text=data.validated_data["text"], day=data.validated_data.get("date"),
                                             link=data.validated_data.get("link", ""),
                                             upload=request.FILES.get("evidence"))
        except DjangoDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoInvalid as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
        return Response(ProgressReportSerializer(report, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class RoadmapNodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text="The name in Spanish.")
    names = serializers.DictField(child=serializers.CharField(), help_text="The name in each language: es, pt, en "
                                                                           "(empty where not written).")
    weight = serializers.FloatField()
    progress = serializers.FloatField(allow_null=True, help_text="Weighted roll-up of what it holds (0–100).")
    actions = serializers.IntegerField(help_text="Actions that count (cancelled ones do not).")
    overdue = serializers.IntegerField(help_text="Overdue actions, or actions with an overdue milestone.")
    objectives = serializers.ListField(child=serializers.DictField(), help_text="Nested objectives, same shape.")
    action_codes = serializers.ListField(child=serializers.CharField(), help_text="Its own actions' codes.")


class RoadmapSerializer(serializers.Serializer):
    progress = serializers.FloatField(allow_null=True, help_text="The whole roadmap's weighted progress.")
    actions = serializers.IntegerField()
    overdue = serializers.IntegerField()
    lines = RoadmapNodeSerializer(many=True)


def _node(node):
    return {"code": node.obj.code, "name": node.obj.name, "names": texts(node.obj, "name"),
            "weight": float(node.weight), "progress": node.progress, "actions": node.n_actions,
            "overdue": node.n_overdue,
            "objectives": [_node(child) for child in node.objectives],
            "action_codes": [row.code for row in node.actions]}


class LineViewSet(viewsets.GenericViewSet):
    """The roadmap: lines → objectives with progress rolled up, weighted, from the actions (computed)."""

    queryset = Line.objects.all()
    serializer_class = RoadmapNodeSerializer
    lookup_field = "code"
    pagination_class = None

    @extend_schema(responses=RoadmapSerializer, description="The whole roadmap with its lines.")
    def list(self, request):
        root = roadmap.tree()
        return Response({"progress": root.progress, "actions": root.n_actions, "overdue": root.n_overdue,
                         "lines": [_node(line) for line in root.objectives]})

    def retrieve(self, request, code=None):
        for line in roadmap.tree().objectives:
            if line.obj.code == code:
                return Response(_node(line))
        raise Http404


@extend_schema_view(list=extend_schema(description="Agreements recorded in meetings' minutes."))
class AgreementViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = (Agreement.objects.select_related("meeting", "action").prefetch_related("countries", "networks")
                .order_by("meeting__start_date", "number"))
    serializer_class = AgreementSerializer
    filterset_fields = ["meeting"]


class WorkingGroupSerializer(TranslatedModelSerializer):
    countries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    actions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    sessions = serializers.PrimaryKeyRelatedField(source="meetings", many=True, read_only=True,
                                                  help_text="Ids of its meetings (see /api/v1/meetings/).")
    members = serializers.SerializerMethodField(help_text="Names and roles; for signed-in members only.")

    class Meta:
        model = WorkingGroup
        fields = ["code", "name", "theme", "mandate", "countries", "members", "sessions", "actions", "is_sample",
                  "updated"]

    def get_members(self, group) -> list[dict] | None:
        request = self.context.get("request")
        if not permissions.is_member(getattr(request, "user", None)):
            return None
        return [{"name": m.user.get_full_name() or m.user.username, "role": m.role,
                 "country": m.country.code if m.country else None} for m in group.memberships.all()]


@extend_schema_view(list=extend_schema(description="Working groups with their countries, sessions and actions."))
class WorkingGroupViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = WorkingGroup.objects.prefetch_related(
        "countries", "actions", "meetings",
        Prefetch("memberships", GroupMembership.objects.select_related("user", "country"))).order_by("name")
    serializer_class = WorkingGroupSerializer
    lookup_field = "code"


class PartnershipSerializer(TranslatedModelSerializer):
    networks = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    partners = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    validity = serializers.SerializerMethodField(help_text="upcoming, active, expiring (within 60 days) or expired.")

    class Meta:
        model = PartnershipAgreement
        fields = ["id", "title", "networks", "partners", "signed", "starts", "ends", "validity", "scopes",
                  "description", "url", "is_sample", "version", "updated"]

    def get_validity(self, agreement) -> str:
        return agreement.validity()


@extend_schema_view(list=extend_schema(description="Agreements between networks or with partners; written by the "
                                                   "coordinators and managers of the signatory networks."))
class PartnershipViewSet(FormWriteMixin, viewsets.ModelViewSet):
    queryset = PartnershipAgreement.objects.prefetch_related("networks", "partners").order_by("-signed", "pk")
    serializer_class = PartnershipSerializer
    form_class = PartnershipForm
    m2m_names = ("networks", "partners")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class GoodPracticeSerializer(TranslatedModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.filter(is_member=True))
    network = serializers.SlugRelatedField(slug_field="code", queryset=Network.objects.all(), required=False,
                                           allow_null=True)
    themes = serializers.SlugRelatedField(slug_field="code", many=True, queryset=NeedArea.objects.all(),
                                          required=False)
    image = serializers.SerializerMethodField()

    class Meta:
        model = GoodPractice
        fields = ["id", "title", "summary", "country", "network", "library", "themes", "sdgs", "link", "image",
                  "status", "is_sample", "created"]
        read_only_fields = ["id", "image", "status", "is_sample", "created"]

    def get_image(self, practice) -> str | None:
        if not practice.image:
            return None
        request = self.context.get("request")
        path = reverse("cooperation:practice-image", args=[practice.pk])
        return request.build_absolute_uri(path) if request else path


class GoodPracticeFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", help_text="Words of the title or summary; accents optional.")
    country = filters.CharFilter(method="search")
    theme = filters.CharFilter(method="search")
    sdg = filters.NumberFilter(method="search", help_text="A Sustainable Development Goal, 1–17.")

    class Meta:
        model = GoodPractice
        fields = ["q", "country", "theme", "sdg"]

    def search(self, queryset, name, value):
        return alliances.search(queryset, **{name: str(int(value)) if name == "sdg" else value})


@extend_schema_view(list=extend_schema(description="Published good practices (and, for their authors' roles, "
                                                   "those waiting for moderation). POST shares one for moderation."))
@upload_limit(alliances.IMAGE_MAX_BYTES)
class GoodPracticeViewSet(viewsets.ModelViewSet):
    queryset = GoodPractice.objects.all()  # its model's roles decide who may POST (ScopedPermission)
    serializer_class = GoodPracticeSerializer
    filterset_class = GoodPracticeFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return (alliances.visible_practices(self.request.user).select_related("country", "network")
                .prefetch_related("themes").order_by("-created", "-pk"))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        themes = data.pop("themes", [])
        practice = GoodPractice(**data)
        try:
            alliances.share(practice, request.user, themes=themes, image=request.FILES.get("image"))
        except DjangoDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoInvalid as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
        return Response(self.get_serializer(practice).data, status=status.HTTP_201_CREATED)
