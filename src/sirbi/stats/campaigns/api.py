"""Reporting through the API: the third way in for figures, with the rules of the form and the templates.

GET  /api/v1/campaigns/                          campaigns open to the caller (members)
GET  /api/v1/campaigns/{id}/figures/?unit=PE     the unit's figures in the campaign, drafts included
POST /api/v1/campaigns/{id}/figures/             {"unit": "PE", "figures": [...], "submit": false}

Writes go through services.save_figures: scope, deadline, the figure rules, checks and the change log as on the
pages. A figure already stored is changed only with the version the caller read ("version"): 428 without it, 409
when someone changed it since, as for every API write (core.api.FormWriteMixin).
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
from sirbi.core.api import Conflict, PreconditionRequired
from sirbi.core.changelog import ConflictError

from ..choices import REPORTED_SOURCES, Method, Typology
from ..models import Campaign, Indicator
from . import rules, services
from .services import CampaignError, Entry, Unit


class CampaignSerializer(serializers.ModelSerializer):
    indicators = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "title", "year", "indicators", "level_country", "level_network", "level_library",
                  "typologies", "languages", "deadline", "status", "instructions"]


class FigureInSerializer(serializers.Serializer):
    """The shape of a figure; its rules (which indicators and types, sources, methods, counts, texts) are the
    services' (rules.py), so the API refuses what the form and the spreadsheets refuse, in the same words."""

    indicator = serializers.CharField(help_text="The indicator's code.")
    typology = serializers.CharField(help_text=f"One of {', '.join(Typology.values)}.")
    value = serializers.FloatField(allow_null=True, help_text="Null removes a draft: missing, never zero.")
    source = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text=f"One of {', '.join(REPORTED_SOURCES)}; empty: the unit's usual source.")
    method = serializers.CharField(required=False, allow_blank=True, default=Method.COUNT,
                                   help_text=f"One of {', '.join(Method.values)}.")
    note = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    justification = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    version = serializers.IntegerField(required=False, allow_null=True, default=None,
                                       help_text="The version read (GET) of a figure already stored; required for "
                                                 "those (428 without it, 409 when it changed since).")


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


def _require_versions(entries, stored):
    """A change to a stored figure says which version it was based on, as every API write does (core.api)."""
    unread = [e.indicator.code for e in entries if e.version is None and (e.indicator.code, e.typology) in stored]
    if unread:
        raise PreconditionRequired(_("Send the version you read of each figure already stored: %(codes)s.")
                                   % {"codes": ", ".join(unread)})


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
        indicators = {i.code: i for i in Indicator.objects.all()}
        unknown = {f["indicator"] for f in report.validated_data["figures"]} - set(indicators)
        if unknown:
            raise ValidationError({"detail": " ".join(rules.unknown_indicator(code) for code in sorted(unknown))})
        entries = [Entry(indicator=indicators[f["indicator"]], typology=f["typology"], value=f["value"],
                         source=f["source"], method=f["method"] or Method.COUNT, note=f["note"],
                         justification=f["justification"], version=f["version"])
                   for f in report.validated_data["figures"]]
        _require_versions(entries, services.campaign_values(campaign, unit))
        try:
            services.save_figures(request.user, campaign, unit, entries, submit=report.validated_data["submit"],
                                   source="api")
        except ConflictError as exc:
            raise Conflict(str(exc)) from exc
        except CampaignError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(_figures(campaign, unit), status=status.HTTP_200_OK)
