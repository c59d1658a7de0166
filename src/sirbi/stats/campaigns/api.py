"""Reporting through the API: the third way in for figures, with the rules of the form and the templates.

GET  /api/v1/campaigns/                          campaigns open to the caller (members)
GET  /api/v1/campaigns/{id}/figures/?unit=PE     the unit's figures in the campaign, drafts included
POST /api/v1/campaigns/{id}/figures/             {"unit": "PE", "figures": [...], "submit": false}

Writes go through services.save_figures: scope, deadline, checks and the change log as on the pages.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, as in the other viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from sirbi.core import permissions
from sirbi.core.changelog import ConflictError

from ..choices import Method, Source, Typology
from ..models import Campaign, Indicator
from . import services
from .services import CampaignError, Entry, Unit


class CampaignSerializer(serializers.ModelSerializer):
    indicators = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "title", "year", "indicators", "level_country", "level_network", "level_library",
                  "typologies", "languages", "deadline", "status", "instructions"]


class FigureInSerializer(serializers.Serializer):
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    typology = serializers.ChoiceField(choices=Typology.choices)
    value = serializers.FloatField(allow_null=True, help_text="Null removes a draft: missing, never zero.")
    source = serializers.ChoiceField(choices=Source.choices, required=False, allow_blank=True)
    method = serializers.ChoiceField(choices=Method.choices, required=False, default=Method.COUNT)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    justification = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ReportSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text='"PE" (a country), "network:12" or "library:345".')
    figures = FigureInSerializer(many=True)
    submit = serializers.BooleanField(default=False, help_text="Send the unit's drafts for review.")


class FigureOutSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.code")
    typology = serializers.CharField()
    value = serializers.FloatField()
    source = serializers.CharField()
    method = serializers.CharField()
    note = serializers.CharField()
    justification = serializers.CharField()
    status = serializers.CharField()
    flags = serializers.ListField(child=serializers.DictField())
    review_comment = serializers.CharField()
    version = serializers.IntegerField()


def _unit(key, user):
    try:
        unit = Unit.from_key(key or "")
    except LookupError:
        raise NotFound(_("There is no reporting unit “%(key)s”.") % {"key": key}) from None
    reason = permissions.refusal(user, "add", unit.value(), label=unit)
    if reason:
        raise PermissionDenied(reason)
    return unit


def _figures(campaign, unit):
    values = services.campaign_values(campaign, unit).values()
    return FigureOutSerializer(sorted(values, key=lambda v: (v.indicator.position, v.typology)), many=True).data


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """Reporting campaigns, for members; the secretariat also sees those in preparation."""

    serializer_class = CampaignSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        if not permissions.is_member(self.request.user):
            return Campaign.objects.none()
        return permissions.restrict(Campaign.objects.prefetch_related("indicators"), self.request.user, "view")

    @extend_schema(methods=["GET"], parameters=[OpenApiParameter("unit", str, required=True)],
                   responses=FigureOutSerializer(many=True))
    @extend_schema(methods=["POST"], request=ReportSerializer, responses=FigureOutSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def figures(self, request, pk=None):
        campaign = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "GET":
            return Response(_figures(campaign, _unit(request.query_params.get("unit"), request.user)))
        report = ReportSerializer(data=request.data)
        report.is_valid(raise_exception=True)
        unit = _unit(report.validated_data["unit"], request.user)
        entries = [Entry(indicator=f["indicator"], typology=f["typology"], value=f["value"],
                         source=f.get("source", ""), method=f.get("method") or Method.COUNT, note=f.get("note", ""),
                         justification=f.get("justification", ""))
                   for f in report.validated_data["figures"]]
        try:
            services.save_figures(request.user, campaign, unit, entries, submit=report.validated_data["submit"],
                                   source="api")
        except (CampaignError, ConflictError) as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(_figures(campaign, unit), status=status.HTTP_200_OK)
