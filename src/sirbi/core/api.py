"""The REST API's kernel: writes through an app's edit form and `save_object` (`FormWriteMixin`, with its 409,
412 and 428 answers), and the change log's endpoint."""

from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from .changelog import ConflictError, delete_object, filter_changes, readable_changes, save_object
from .languages import CONTENT_LANGUAGES, column, reader_language, text
from .models import ChangeLog
from .rest import IsMember


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


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


class TranslatedModelSerializer(serializers.ModelSerializer):
    """A model's texts in every language (core/languages.py): each translated field keeps its name for the
    Spanish text, read and written as before, followed by `<name>_pt` and `<name>_en`; `localized` gives each
    text in the request's language (Accept-Language or the URL's), else in the first language that has it,
    with that language's code: {"title": {"text": "...", "lang": "es"}}."""

    localized = serializers.SerializerMethodField(
        help_text="Each translated text in the request's language, or the first language that has it: "
                  '{"title": {"text": "...", "lang": "es"}}.')

    def get_field_names(self, declared_fields, info):
        names = list(super().get_field_names(declared_fields, info))
        translated = [name for name in getattr(self.Meta.model, "translated_fields", ()) if name in names]
        for name in reversed(translated):
            at = names.index(name) + 1
            names[at:at] = [column(name, language) for language in CONTENT_LANGUAGES[1:]]
        return [*names, "localized"] if translated else names

    def get_localized(self, obj) -> dict:
        language = reader_language()
        names = [name for name in getattr(type(obj), "translated_fields", ()) if name in self.fields]
        return {name: {"text": value.text, "lang": value.lang}
                for name in names for value in [text(obj, name, language)]}


class ChangeLogSerializer(serializers.ModelSerializer):
    model = serializers.SerializerMethodField()

    class Meta:
        model = ChangeLog
        # batch and row: an import's entry points at its import (whose kept file holds a creation's values).
        fields = ["id", "time", "user_name", "action", "model", "object_id", "object_repr", "country", "source",
                  "message", "before", "after", "batch", "row"]

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
