"""The statistics REST API: the indicator catalogue, published values and country tables with the
region's figure. Read-only for now; only published values reach anyone through it."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from . import reconciliation
from .choices import Typology
from .filters import ValueFilter
from .models import Indicator, Value
from .services import LICENCE, LICENCE_URL, LMW_ATTRIBUTION, aggregate_rows, formula, levels


class FormulaSerializer(serializers.Serializer):
    numerator = serializers.CharField(help_text="Code of the indicator divided.")
    denominator = serializers.CharField(help_text="Code of the indicator it is divided by, or \"population\".")
    multiplier = serializers.FloatField(help_text="For example 100000 for a rate per 100,000 inhabitants.")


class IndicatorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="Name in the request's language (es, pt, en).")
    definition = serializers.CharField(read_only=True, help_text="Definition in the request's language.")
    levels = serializers.SerializerMethodField(help_text="Who reports it: library, network, country.")
    is_derived = serializers.BooleanField(read_only=True)
    formula = serializers.SerializerMethodField(help_text="How a derived indicator is computed; null if reported.")

    class Meta:
        model = Indicator
        fields = ["code", "name", "name_es", "name_pt", "name_en", "definition", "definition_es", "definition_pt",
                  "definition_en", "unit", "levels", "aggregation", "direction", "standard", "is_derived", "formula",
                  "position", "updated"]

    def get_levels(self, indicator) -> list[str]:
        return levels(indicator)

    @extend_schema_field(FormulaSerializer(allow_null=True))
    def get_formula(self, indicator):
        return formula(indicator)


class ValueSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    country = serializers.SlugRelatedField(slug_field="code", read_only=True)
    network = serializers.SlugRelatedField(slug_field="code", read_only=True)
    library_isil = serializers.CharField(source="library.isil", read_only=True, allow_null=True)
    level = serializers.ChoiceField(choices=["country", "network", "library"], read_only=True)

    class Meta:
        model = Value
        fields = ["id", "indicator", "typology", "country", "network", "library", "library_isil", "level", "year",
                  "value", "source", "source_name", "source_url", "method", "note", "is_sample", "updated"]


class AggregateQuerySerializer(serializers.Serializer):
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.filter(is_active=True),
                                             help_text="Indicator code, e.g. libraries_per_100k.")
    typology = serializers.ChoiceField(choices=Typology.choices, default=Typology.PUBLIC,
                                       help_text="Library type; figures of different types are never added.")
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2100,
                                    help_text="Year of the figures; without it, each country's latest year.")


class AggregateRowSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["country", "region"])
    country = serializers.CharField(allow_null=True, help_text="ISO 3166-1 alpha-2 code; null for the region.")
    country_name = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="Null where the country has no figure.")
    year = serializers.IntegerField(allow_null=True, help_text="The figure's year (the region's latest).")
    years = serializers.ListField(child=serializers.IntegerField(), help_text="Years the figure draws on.")
    basis = serializers.CharField(allow_null=True,
                                  help_text="reported, network, aggregated (summed) or computed (derived).")
    reported = serializers.IntegerField(allow_null=True, help_text="Units (countries, libraries) with a figure.")
    expected = serializers.IntegerField(allow_null=True, help_text="Units expected to have one.")
    coverage = serializers.FloatField(allow_null=True, help_text="reported / expected.")
    population_year = serializers.IntegerField(allow_null=True, help_text="Year of the population divided by.")
    source = serializers.CharField(allow_null=True)
    source_name = serializers.CharField(allow_null=True)
    source_url = serializers.CharField(allow_null=True)
    is_estimate = serializers.BooleanField(allow_null=True)
    attribution = serializers.CharField(allow_null=True)


class AggregateTableSerializer(serializers.Serializer):
    indicator = IndicatorSerializer()
    typology = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    licence = serializers.CharField()
    licence_url = serializers.URLField()
    attribution = serializers.CharField()
    count = serializers.IntegerField()
    results = AggregateRowSerializer(many=True)


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """The indicator catalogue: names and definitions in Spanish, Portuguese and English, units, and the
    formula of each derived indicator."""

    queryset = Indicator.objects.filter(is_active=True).select_related("numerator", "denominator")
    serializer_class = IndicatorSerializer
    filter_backends = []
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"


class ValueViewSet(viewsets.ReadOnlyModelViewSet):
    """Published statistics values, one per indicator, unit (country, network or library), library type, year
    and source. Figures of the IFLA Library Map of the World (source "lmw") are CC BY 4.0, IFLA."""

    queryset = (Value.objects.published().select_related("indicator", "country", "network", "library")
                .order_by("indicator__position", "indicator__code", "country__code", "unit_key", "typology", "year",
                          "source", "pk"))
    serializer_class = ValueSerializer
    filterset_class = ValueFilter


@extend_schema_view(list=extend_schema(
    parameters=[AggregateQuerySerializer],
    responses=AggregateTableSerializer,
    description="One row per member country (value null where it has none) and a last row for the region, "
                "with its coverage: how many countries have a figure. Built from published values only.",
))
class AggregateViewSet(viewsets.ViewSet):
    """Country tables of one indicator, with the region's figure."""

    filter_backends = []
    pagination_class = None

    def list(self, request):
        query = AggregateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        indicator, typology = query.validated_data["indicator"], query.validated_data["typology"]
        year = query.validated_data.get("year")
        rows = aggregate_rows(indicator, typology, year)
        return Response(AggregateTableSerializer({
            "indicator": indicator, "typology": typology, "year": year, "licence": LICENCE,
            "licence_url": LICENCE_URL, "attribution": f"SIRBI (CERLALC); {LMW_ATTRIBUTION} for source lmw",
            "count": len(rows), "results": rows,
        }, context={"request": request}).data)



class ReconciliationLineSerializer(serializers.Serializer):
    country = serializers.CharField(help_text="ISO alpha-2 code; \"region\" for the region's line")
    lmw_type = serializers.CharField()
    registry_libraries = serializers.IntegerField()
    registry_service_points = serializers.IntegerField()
    sample_libraries = serializers.IntegerField()
    lmw_count = serializers.FloatField(allow_null=True)
    lmw_year = serializers.CharField(allow_blank=True)
    declared_by_networks = serializers.CharField(allow_blank=True)
    difference = serializers.FloatField(allow_null=True)
    rules = serializers.ListField(child=serializers.CharField())
    reasons = serializers.ListField(child=serializers.CharField())


@extend_schema_view(list=extend_schema(
    parameters=[OpenApiParameter("country", str, description="ISO alpha-2 code of a member country; without it, "
                                 "every member country and a last line per type for the region")],
    responses=ReconciliationLineSerializer(many=True),
    description="The libraries of each Library Map of the World type as the registry counts them (administrative "
                "units and service points, typed by the crosswalk), the LMW's published count and the networks' "
                "declared counts, with the difference and the reasons (in the request's language).",
))
class ReconciliationViewSet(viewsets.ViewSet):
    """Counting libraries the same way (stats/reconciliation.py)."""

    filter_backends = []
    pagination_class = None

    def list(self, request):
        countries = reconciliation.members()
        code = request.query_params.get("country", "").upper()
        if code:
            countries = [c for c in countries if c.code == code]
            if not countries:
                raise ValidationError({"country": f"{code} is not a member country."})
        reconciled = reconciliation.reconcile(countries)
        if not code:
            reconciled["region"] = reconciliation.region(reconciled)
        rows = [{**row, "rules": row["rules"].split(), "reasons": row["reasons"]}
                for row in reconciliation.csv_rows(reconciled, joined=False)]
        return Response(ReconciliationLineSerializer(rows, many=True).data)
