"""The union catalog's REST API: search (count, results, facets; each result a cluster with its holding
libraries), clusters, records, holdings and sources, all readable by anyone."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from sirbi.core.params import whole_number

from . import clusters as editions
from .models import Cluster, Holding, Record, Source
from .search import FACETS, QueryError, backend, search_options, search_params, widens

MAX_PAGE = 100
MAX_PAGES = 100_000  # deeper pages are clamped to it (a larger offset overflows the search engine)


class LibrarySummary(serializers.Serializer):
    id = serializers.IntegerField()
    isil = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    country = serializers.CharField()


class HoldingSerializer(serializers.ModelSerializer):
    library = serializers.SerializerMethodField()
    record = serializers.PrimaryKeyRelatedField(read_only=True)
    status_code = serializers.CharField(read_only=True, help_text="The status in the catalog's vocabulary: "
                                        "available, on_loan, reference, missing; empty when the source's text "
                                        "says nothing known (`status` is the source's own text).")

    class Meta:
        model = Holding
        fields = ["id", "record", "library", "library_code", "call_number", "barcode", "status", "status_code"]

    @extend_schema_field(LibrarySummary(allow_null=True))
    def get_library(self, holding):
        library = holding.library
        if library is None:
            return None
        return {"id": library.pk, "isil": library.isil, "name": library.name, "country": library.country.code}


class RecordSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Record
        fields = ["id", "source", "local_id", "cluster", "title", "sort_title", "authors", "isbns", "issns",
                  "other_ids", "year", "language", "material", "edition", "publisher", "place", "series", "subjects",
                  "notes", "work_key", "raw_format", "deleted", "updated"]


class ClusterSerializer(serializers.ModelSerializer):
    representative = RecordSerializer(read_only=True)
    records = serializers.SerializerMethodField(help_text="Ids of its live member records.")
    libraries = serializers.SerializerMethodField(help_text="Every library holding a copy of a member record.")

    class Meta:
        model = Cluster
        fields = ["id", "representative", "records", "libraries", "updated"]

    def get_records(self, cluster) -> list[int]:
        return [r.pk for r in cluster.records.all() if not r.deleted]

    @extend_schema_field(LibrarySummary(many=True))
    def get_libraries(self, cluster):
        seen = {}
        for record in cluster.records.all():
            for holding in record.holdings.all():
                if holding.library and not record.deleted:
                    seen[holding.library.pk] = {"id": holding.library.pk, "isil": holding.library.isil,
                                                "name": holding.library.name,
                                                "country": holding.library.country.code}
        return list(seen.values())


CLUSTERS = Cluster.objects.select_related("representative__source").prefetch_related(
    Prefetch("records", Record.objects.prefetch_related(
        Prefetch("holdings", Holding.objects.select_related("library__country")))))


class SourceSerializer(serializers.ModelSerializer):
    library = serializers.SlugRelatedField(slug_field="isil", read_only=True)
    network = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Source
        fields = ["code", "name", "kind", "library", "network", "base_url", "metadata_prefix", "set_spec", "updated"]


class FacetValue(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField()


class SearchResult(ClusterSerializer):
    work = serializers.CharField(required=False, help_text="With collapse: the work key of this result (its "
                                                           "representative record's).")
    editions = serializers.IntegerField(required=False, help_text="With collapse: the work's editions and "
                                                                  "translations in the catalog.")

    class Meta(ClusterSerializer.Meta):
        fields = [*ClusterSerializer.Meta.fields, "work", "editions"]


class SearchResponse(serializers.Serializer):
    count = serializers.IntegerField(help_text="Clusters found (works, with collapse).")
    results = SearchResult(many=True)
    facets = serializers.DictField(child=FacetValue(many=True))
    any_words_count = serializers.IntegerField(
        required=False, help_text="When no cluster has all the words: how many have some of them (match=any).")


class SearchView(APIView):
    """GET /api/v1/catalog/search/?q=…: clusters matching the query, with facet counts over all matches."""

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Keywords, every one required, in any field; title:, "
                                                           "author:, subject:, publisher:, isbn: govern the words "
                                                           "after them; year:; OR/NOT; \"phrases\"."),
                    OpenApiParameter("match", str, enum=["all", "any"],
                                     description="all (default): every word; any: some of them."),
                    OpenApiParameter("collapse", bool, description="One result per work (editions and "
                                                                   "translations together)."),
                    *[OpenApiParameter(name, str, description=f"Filter by {name}.") for name in FACETS],
                    OpenApiParameter("year_from", int), OpenApiParameter("year_to", int),
                    OpenApiParameter("sort", str, enum=["relevance", "year", "title"]),
                    OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=SearchResponse)
    def get(self, request):
        q, filters, sort = search_params(request.query_params)
        options = search_options(request.query_params)
        page = whole_number(request.query_params.get("page", 1), low=1, high=MAX_PAGES)
        size = whole_number(request.query_params.get("page_size", 20), low=1, high=MAX_PAGE)
        if page is None or size is None:
            raise ValidationError({"page": _("page and page_size are whole numbers.")})
        try:
            result = backend().search(q, filters, sort, offset=(page - 1) * size, limit=size, **options)
            widened = backend().search(q, filters, limit=1, facet_size=1, match="any").count \
                if not result.count and options["match"] == "all" and widens(q) else None
        except QueryError as exc:
            raise ValidationError({"q": str(exc)}) from exc
        clusters = CLUSTERS.in_bulk(result.keys)
        found = [clusters[k] for k in result.keys if k in clusters]
        results = ClusterSerializer(found, many=True).data
        if options["collapse"]:
            works = [cluster.representative.work_key if cluster.representative else "" for cluster in found]
            counts = editions.editions_count(works)
            for row, work in zip(results, works, strict=True):
                row.update(work=work, editions=counts.get(work, 1))
        body = {"count": result.count, "results": results,
                "facets": {name: [{"value": v, "count": n} for v, n in values]
                           for name, values in result.facets.items()}}
        if widened is not None:
            body["any_words_count"] = widened
        return Response(body)


@extend_schema_view(list=extend_schema(description="Clusters: the records of one edition and where it is held."))
class ClusterViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = CLUSTERS.order_by("pk")
    serializer_class = ClusterSerializer


class RecordViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Record.objects.select_related("source").order_by("pk")
    serializer_class = RecordSerializer
    filterset_fields = ["source__code", "cluster", "language", "material", "year"]


class HoldingViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Holding.objects.select_related("library__country", "record").order_by("pk")
    serializer_class = HoldingSerializer
    filterset_fields = ["record", "library"]


class SourceViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Source.objects.select_related("library", "network").order_by("code")
    serializer_class = SourceSerializer
    lookup_field = "code"
