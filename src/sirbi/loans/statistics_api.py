"""The interlibrary loan statistics in the REST API: a year's figures of the region, every country, network and
library that took part, and the flows between countries. Aggregates only, open to everyone like the pages."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from . import statistics


class UnitFiguresSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text='"region", a country code ("PE"), "network:ID" or "library:ID".')
    requests_made = serializers.IntegerField(source="made")
    loans_requested = serializers.IntegerField(source="made_loans")
    copies_requested = serializers.IntegerField(source="made_copies")
    filled = serializers.IntegerField(help_text="Requests made that a lender shipped.")
    fill_rate = serializers.FloatField(allow_null=True, help_text="filled / requests_made; null without requests.")
    unfilled = serializers.IntegerField(help_text="Requests that ended unfilled.")
    unfilled_reasons = serializers.DictField(child=serializers.IntegerField(),
                                             help_text="Negative answers to the requests made, by reason code.")
    requests_received = serializers.IntegerField(source="received")
    supplied = serializers.IntegerField(source="lent")
    loans_supplied = serializers.IntegerField(source="lent_loans")
    copies_supplied = serializers.IntegerField(source="lent_copies")
    median_days_to_shipment = serializers.FloatField(source="median_to_shipment", allow_null=True)
    median_days_to_receipt = serializers.FloatField(source="median_to_receipt", allow_null=True)
    is_sample = serializers.BooleanField(help_text="Counts requests invented for the demonstration.")


class FlowSerializer(serializers.Serializer):
    lender_country = serializers.CharField()
    borrower_country = serializers.CharField()
    supplied = serializers.IntegerField()
    is_sample = serializers.BooleanField()


class StatisticsSerializer(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True)
    years = serializers.ListField(child=serializers.IntegerField(), help_text="Years with requests sent.")
    units = UnitFiguresSerializer(many=True)
    flows = FlowSerializer(many=True)


@extend_schema_view(list=extend_schema(
    parameters=[OpenApiParameter("year", int, description="The year the requests were sent (default: the latest).")],
    responses=StatisticsSerializer,
    description="A year's interlibrary loan figures of the region and of every country, network and library that "
                "made or received requests, and the requests supplied between countries (who lends to whom).",
))
class LoanStatisticsViewSet(viewsets.ViewSet):
    """Interlibrary loan statistics (loans/statistics.py)."""

    filter_backends = []
    pagination_class = None

    def list(self, request):
        years = statistics.years()
        raw = request.query_params.get("year", "")
        if raw and not (raw.isdigit() and 1900 <= int(raw) <= 2100):
            raise ValidationError({"year": "A year between 1900 and 2100."})
        year = int(raw) if raw else (years[0] if years else None)
        units, flows = [], []
        if year is not None:
            stats = statistics.compute(year)
            for key in sorted(stats.units, key=lambda k: (k != statistics.REGION, ":" in k, k)):
                figures = stats.units[key]
                figures.unit = key
                units.append(figures)
            flows = [{"lender_country": a, "borrower_country": b, "supplied": n,
                      "is_sample": bool(stats.flow_samples.get((a, b)))} for (a, b), n in sorted(stats.flows.items())]
        return Response(StatisticsSerializer({"year": year, "years": years, "units": units, "flows": flows}).data)
