"""The change log in the REST API."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from .changelog import filter_changes, readable_changes
from .models import ChangeLog
from .rest import IsMember


class ChangeLogSerializer(serializers.ModelSerializer):
    model = serializers.SerializerMethodField()

    class Meta:
        model = ChangeLog
        fields = ["id", "time", "user_name", "action", "model", "object_id", "object_repr", "country", "source",
                  "message", "before", "after"]

    def get_model(self, change) -> str:
        return f"{change.content_type.app_label}.{change.content_type.model}"


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("model", str, description="app.model, e.g. registry.library"),
    OpenApiParameter("object_id", int),
    OpenApiParameter("action", str, enum=[choice.value for choice in ChangeLog.Action]),
    OpenApiParameter("country", str, description="ISO 3166-1 alpha-2 code"),
    OpenApiParameter("user", str),
    OpenApiParameter("source", str, description="web, api, import or admin"),
    OpenApiParameter("since", OpenApiTypes.DATE),
    OpenApiParameter("until", OpenApiTypes.DATE),
]))
class ChangeLogViewSet(viewsets.ReadOnlyModelViewSet):
    """The change log: who changed what, when, from what to what. Members only; each reads the entries of the
    objects they may read (drafts, unmoderated practices and unsubmitted answers: their scope's)."""

    serializer_class = ChangeLogSerializer
    permission_classes = [IsMember]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ChangeLog.objects.none()
        changes = readable_changes(ChangeLog.objects.select_related("content_type"), self.request.user)
        return filter_changes(changes, self.request.query_params)
