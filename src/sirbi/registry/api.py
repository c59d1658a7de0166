"""The registry's REST API: serializers for reading, the edit forms for writing.

Writes are validated by the same forms as the pages and saved through core's `save_object`, so the
API applies the same rules, the same permissions and the same change log as every other door.
"""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from sirbi.core import permissions
from sirbi.core.api import Conflict, FormWriteMixin
from sirbi.core.params import whole_number

from .choices import SERVICES
from .filters import CountryFilter, LibraryFilter, NetworkFilter, SubdivisionFilter
from .forms import CountryForm, LibraryForm, NetworkForm, ServicePointForm
from .models import Country, Library, Network, ServicePoint, Subdivision, TypologyRule
from .services import typology_of


class PrivateFieldsMixin:
    """Leaves out a model's `private_fields` (contacts) unless the reader is a signed-in member."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not permissions.is_member(request.user):
            for name in getattr(type(instance), "private_fields", ()):
                data.pop(name, None)
        return data


class CountrySerializer(PrivateFieldsMixin, serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="Name in the request's language (es, pt, en).")

    class Meta:
        model = Country
        fields = ["code", "alpha3", "numeric", "name", "name_es", "name_pt", "name_en", "is_member", "latitude",
                  "longitude", "focal_point_entity", "focal_point_name", "focal_point_role", "focal_point_email",
                  "focal_point_phone", "version", "updated"]
        read_only_fields = ["code", "alpha3", "numeric", "name_es", "name_pt", "name_en", "is_member", "updated"]


class SubdivisionSerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Subdivision
        fields = ["code", "name", "type", "country", "parent_code"]


class NetworkSerializer(PrivateFieldsMixin, serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.filter(is_member=True))

    class Meta:
        model = Network
        fields = ["id", "code", "country", "name", "acronym", "type", "status", "governing_entity",
                  "legal_framework", "legal_framework_url", "website", "description", "contact_name",
                  "contact_role", "contact_email", "contact_phone", "libraries_declared",
                  "libraries_declared_is_minimum", "libraries_declared_year", "libraries_declared_source",
                  "source_url", "confidence", "version", "updated"]
        read_only_fields = ["id", "updated"]


class ServicePointSerializer(serializers.ModelSerializer):
    library = serializers.PrimaryKeyRelatedField(queryset=Library.objects.all())

    class Meta:
        model = ServicePoint
        fields = ["id", "library", "kind", "name", "address", "locality", "latitude", "longitude", "opening_hours",
                  "status", "is_sample", "version", "updated"]
        read_only_fields = ["id", "is_sample", "updated"]


class LibrarySerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.filter(is_member=True))
    subdivision = serializers.SlugRelatedField(
        slug_field="code", queryset=Subdivision.objects.all(), required=False, allow_null=True
    )
    networks = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Network.objects.all(),
                                            required=False)
    services = serializers.ListField(child=serializers.ChoiceField(choices=list(SERVICES)), required=False)
    is_sample = serializers.BooleanField(read_only=True)
    service_points = serializers.SerializerMethodField(help_text="The library's service points (main building, "
                                                       "branches, mobile libraries, reading points).")
    lmw_type = serializers.SerializerMethodField(
        help_text="The Library Map of the World type the typology crosswalk gives (registry/typology.py).")
    sirbi_type = serializers.SerializerMethodField(help_text="SIRBI's network type, by the same rule.")
    typology_rule = serializers.SerializerMethodField(help_text="The code of the crosswalk rule.")

    class Meta:
        model = Library
        fields = ["id", "isil", "name", "country", "subdivision", "networks", "type", "status", "iso_type",
                  "iso_subtype", "statutory", "lmw_type", "sirbi_type", "typology_rule", "service_points",
                  "locality", "address", "postal_code", "latitude", "longitude", "website", "email", "phone",
                  "services", "description", "is_sample", "version", "updated"]
        read_only_fields = ["id", "updated", "is_sample"]

    def _rule(self, library):
        cache = self.context.setdefault("typology_rules", {})
        if "rules" not in cache:
            cache["rules"] = list(TypologyRule.objects.all())
        return typology_of(library, cache["rules"])[1]

    def get_lmw_type(self, library) -> str | None:
        rule = self._rule(library)
        return rule.lmw_type if rule else None

    def get_sirbi_type(self, library) -> str | None:
        rule = self._rule(library)
        return rule.sirbi_type if rule else None

    def get_typology_rule(self, library) -> str | None:
        rule = self._rule(library)
        return rule.code if rule else None

    @extend_schema_field(ServicePointSerializer(many=True))
    def get_service_points(self, library):
        return ServicePointSerializer(library.service_points.all(), many=True).data


class GeoJSONRenderer(JSONRenderer):
    """`?format=geojson`: a FeatureCollection of the page (with count, next and previous kept)."""

    media_type = "application/geo+json"
    format = "geojson"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "results" in data:
            data = {"type": "FeatureCollection", "count": data["count"], "next": data["next"],
                    "previous": data["previous"], "features": [self.feature(row) for row in data["results"]]}
        elif isinstance(data, dict) and "id" in data:
            data = self.feature(data)
        return super().render(data, accepted_media_type, renderer_context)

    @staticmethod
    def feature(row):
        row = dict(row)
        latitude, longitude = row.pop("latitude", None), row.pop("longitude", None)
        geometry = {"type": "Point", "coordinates": [longitude, latitude]} if latitude is not None else None
        return {"type": "Feature", "id": row.get("id"), "geometry": geometry, "properties": row}


@extend_schema_view(list=extend_schema(description="Countries (ISO 3166-1); `?member=true` gives CERLALC's 21."))
class CountryViewSet(FormWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                     viewsets.GenericViewSet):
    queryset = Country.objects.all()
    serializer_class = CountrySerializer
    filterset_class = CountryFilter
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{2}"
    form_class = CountryForm

    def get_object(self):
        self.kwargs["code"] = self.kwargs["code"].upper()
        return super().get_object()


class SubdivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """ISO 3166-2 subdivisions of the member countries."""

    queryset = Subdivision.objects.select_related("country")
    serializer_class = SubdivisionSerializer
    filterset_class = SubdivisionFilter
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9-]+"


class NetworkViewSet(FormWriteMixin, viewsets.ModelViewSet):
    """National library networks."""

    queryset = Network.objects.select_related("country")
    serializer_class = NetworkSerializer
    filterset_class = NetworkFilter
    lookup_field = "code"
    form_class = NetworkForm

    def perform_destroy(self, instance):
        if instance.libraries.exists():
            raise Conflict("This network still has libraries: move or remove them first.")
        super().perform_destroy(instance)


class LibraryViewSet(FormWriteMixin, viewsets.ModelViewSet):
    """Libraries; `?format=geojson` gives a GeoJSON FeatureCollection of the page."""

    queryset = Library.objects.with_related().prefetch_related("service_points")
    serializer_class = LibrarySerializer
    filterset_class = LibraryFilter
    form_class = LibraryForm
    m2m_names = ("networks",)
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, GeoJSONRenderer]



@extend_schema_view(list=extend_schema(description="Service points of the libraries (main buildings, branches, mobile "
                                                   "libraries, reading points); `library` or `country` filter them. "
                                                   "Written by the library's keepers, its staff included."))
class ServicePointViewSet(FormWriteMixin, viewsets.ModelViewSet):
    queryset = ServicePoint.objects.select_related("library__country").order_by("library", "kind", "name", "pk")
    serializer_class = ServicePointSerializer
    form_class = ServicePointForm

    def get_queryset(self):
        queryset = super().get_queryset()
        library, country = self.request.query_params.get("library"), self.request.query_params.get("country")
        if library:
            library_id = whole_number(library, low=1, high=2**62)
            queryset = queryset.filter(library_id=library_id) if library_id else queryset.none()
        if country:
            queryset = queryset.filter(library__country__code=country.upper())
        return queryset
