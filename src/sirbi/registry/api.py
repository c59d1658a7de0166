"""The registry's REST API: serializers for reading, the edit forms for writing.

Writes are validated by the same forms as the pages and saved through core's `save_object`, so the
API applies the same rules, the same permissions and the same change log as every other door.
"""

from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from sirbi.core import permissions
from sirbi.core.changelog import ConflictError, delete_object, save_object

from .choices import SERVICES
from .filters import CountryFilter, LibraryFilter, NetworkFilter, SubdivisionFilter
from .forms import CountryForm, LibraryForm, NetworkForm
from .models import Country, Library, Network, Subdivision


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


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


class LibrarySerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.filter(is_member=True))
    subdivision = serializers.SlugRelatedField(
        slug_field="code", queryset=Subdivision.objects.all(), required=False, allow_null=True
    )
    networks = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Network.objects.all(),
                                            required=False)
    services = serializers.ListField(child=serializers.ChoiceField(choices=list(SERVICES)), required=False)
    is_sample = serializers.BooleanField(read_only=True)

    class Meta:
        model = Library
        fields = ["id", "isil", "name", "country", "subdivision", "networks", "type", "status", "locality",
                  "address", "postal_code", "latitude", "longitude", "website", "email", "phone", "services",
                  "description", "is_sample", "version", "updated"]
        read_only_fields = ["id", "updated", "is_sample"]


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


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


LIST_FIELDS = (serializers.ListField, serializers.ManyRelatedField, serializers.ListSerializer,
               serializers.MultipleChoiceField)


class FormWriteMixin:
    """Create, update and delete through the edit form and core.changelog (source "api").

    A write is checked before the form sees it: the body is a JSON object (or a form), each field has the shape
    its read has (a list where a read gives a list, a single value elsewhere), and a change to an object that
    carries a `version` says which version it was based on (the `version` field, or an `If-Match` header with
    the ETag a read sent) — without one, 428, so that no client overwrites a change it never saw.
    """

    form_class = None
    m2m_names = ()

    def check_shapes(self, body, instance):
        if isinstance(body, QueryDict):
            return  # a form's fields are strings (lists come as repeated fields)
        if not isinstance(body, dict):
            raise ValidationError({"non_field_errors": [_("The body must be a JSON object of fields.")]})
        fields = self.get_serializer(instance).fields
        errors = {}
        for name, value in body.items():
            field = fields.get(name)
            if field is None or isinstance(field, serializers.SerializerMethodField) or value is None:
                continue  # unknown fields are left to the form, which ignores them
            if isinstance(field, LIST_FIELDS) and not isinstance(value, list):
                errors[name] = [_("Expected a list of values.")]
            elif not isinstance(field, (*LIST_FIELDS, serializers.JSONField, serializers.DictField)) \
                    and isinstance(value, (list, dict)):
                errors[name] = [_("Expected a single value, not a list or an object.")]
        if errors:
            raise ValidationError(errors)

    def based_on(self, request, instance):
        """The version the client read: the `version` field, or the If-Match header (an ETag of a read)."""
        if "version" in request.data:
            return request.data.get("version"), False
        if_match = request.headers.get("If-Match", "").strip()
        if if_match and if_match != "*":
            tag = if_match.split(",")[0].strip().removeprefix("W/").strip('"')
            return tag, True
        if instance.pk and any(field.name == "version" for field in instance._meta.concrete_fields):
            raise PreconditionRequired(_("Send the version you read: the “version” field, or an If-Match header "
                                         "with the ETag of your read."))
        return None, False

    def write(self, request, instance, partial):
        self.check_shapes(request.data, instance)
        base_version, from_header = self.based_on(request, instance)
        data = {}
        if partial or instance.pk:
            data.update(self.get_serializer(instance).data)
        data.update(request.data.items())
        # The version the client read is the one a concurrent change is checked against.
        data["base_version"] = base_version
        data.pop("version", None)
        if not instance.pk:
            for model_field in instance._meta.concrete_fields:
                if model_field.has_default() and model_field.name not in data:
                    data[model_field.name] = model_field.get_default()
        # No `user` when the form is built: the API offers every country, and save_object answers 403 outside the
        # token's scope. The rules that depend on who writes (a library's network memberships) read it after.
        form = self.form_class(data=data, instance=instance)
        form.user = request.user
        if not form.is_valid():
            raise ValidationError({("version" if field == "base_version" else field): [e["message"] for e in errors]
                                   for field, errors in form.errors.get_json_data().items()})
        obj = form.save(commit=False)
        try:
            save_object(obj, user=request.user, m2m={name: form.cleaned_data[name] for name in self.m2m_names},
                        expected_version=form.cleaned_data.get("base_version"),
                        message=str(request.data.get("message", ""))[:500], source="api")
        except ConflictError as conflict:
            raise (PreconditionFailed if from_header else Conflict)(str(conflict)) from conflict
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        """Reads and writes of one versioned object carry its version as an ETag, for If-Match."""
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if self.detail and isinstance(data, dict) and isinstance(data.get("version"), int) \
                and response.status_code < 300:
            response["ETag"] = f'"{data["version"]}"'
        return response

    def create(self, request, *args, **kwargs):
        obj = self.write(request, self.queryset.model(), partial=False)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        obj = self.write(request, self.get_object(), partial=kwargs.get("partial", False))
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)

    def perform_destroy(self, instance):
        # A deletion names the version it was decided on, like a change (`version` in the body or If-Match).
        # (Not an override of `destroy`: the router would then route DELETE for viewsets that offer none.)
        base_version, from_header = self.based_on(self.request, instance)
        if base_version is not None and str(base_version) != str(instance.version):
            raise (PreconditionFailed if from_header else Conflict)(str(ConflictError(instance)))
        delete_object(instance, user=self.request.user, source="api")


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

    queryset = Library.objects.with_related()
    serializer_class = LibrarySerializer
    filterset_class = LibraryFilter
    form_class = LibraryForm
    m2m_names = ("networks",)
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, GeoJSONRenderer]

