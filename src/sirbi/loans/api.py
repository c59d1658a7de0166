"""Interlibrary loan's REST API: lending policies written through their form (core.api.FormWriteMixin), requests
read in the reader's scope and moved by their actions only (open, act, answer), through the services."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from sirbi.core import permissions
from sirbi.core.api import Conflict, FormWriteMixin
from sirbi.core.params import whole_number
from sirbi.registry.models import Library

from . import services
from .forms import LendingPolicyForm, LoanRequestForm, RequesterStepForm, SupplierAnswerForm
from .iso18626.codes import Action
from .iso18626.requester import Step
from .models import LendingPolicy, LoanRequest, RotaEntry, Transition


class LendingPolicySerializer(serializers.ModelSerializer):
    library = serializers.PrimaryKeyRelatedField(queryset=Library.objects.all())
    deliveries = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = LendingPolicy
        fields = ["id", "library", "lends_returnables", "supplies_copies", "lends_to", "loan_days", "renewals",
                  "response_days", "deliveries", "cost", "cost_amount", "cost_currency", "cost_note", "paused_from",
                  "paused_until", "pause_reason", "shipping_address", "note", "is_sample", "version", "updated"]
        read_only_fields = ["is_sample", "updated"]


class LendingPolicyViewSet(FormWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                           viewsets.ReadOnlyModelViewSet):
    """The lending directory: each library's policy (public); its keepers write it."""

    queryset = LendingPolicy.objects.select_related("library")
    serializer_class = LendingPolicySerializer
    form_class = LendingPolicyForm
    filterset_fields = ["library", "lends_to"]


class RotaSerializer(serializers.ModelSerializer):
    class Meta:
        model = RotaEntry
        fields = ["position", "library", "reason", "load", "detail", "outcome", "supplier_status", "reason_unfilled",
                  "asked_at", "answered_at"]


class TransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transition
        fields = ["time", "side", "name", "state_before", "state_after", "supplier_status", "reason",
                  "loan_condition", "answer", "note", "library", "via"]


class LoanRequestSerializer(serializers.ModelSerializer):
    rota = RotaSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta:
        model = LoanRequest
        fields = ["id", "request_id", "borrower", "lender", "cluster", "record", "title", "author", "isbn",
                  "service_type", "pages", "needed_before", "note", "patron_reference", "state", "supplier_status",
                  "loan_condition", "due_date", "answer_due", "external", "is_sample", "created", "updated",
                  "version", "rota", "transitions"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        # The patron reference is the requesting library's own.
        if request is None or not services.is_staff_of(request.user, instance.borrower):
            data.pop("patron_reference", None)
        return data


class IsMemberOrReadNothing(drf_permissions.BasePermission):
    """Requests are read by the roles of the libraries involved (scoped in the queryset); nobody else."""

    def has_permission(self, request, view):
        return permissions.is_member(request.user)


class LoanRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Interlibrary loan requests in the reader's scope. `POST` opens one (a draft with its rota); `act` and
    `answer` move it, as the requesting library and as the lender asked now."""

    serializer_class = LoanRequestSerializer
    permission_classes = [IsMemberOrReadNothing]
    filterset_fields = ["state", "borrower", "lender"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LoanRequest.objects.none()
        return services.readable(self.request.user, LoanRequest.objects.with_related().prefetch_related(
            "rota", "transitions")).order_by("-updated")

    def _run(self, call):
        try:
            loan = call()
        except services.LoanError as error:
            raise Conflict(str(error)) from error
        except PermissionDenied:
            raise
        return Response(self.get_serializer(LoanRequest.objects.get(pk=loan.pk)).data)

    @extend_schema(request=inline_serializer("LoanRequestOpen", {
        "borrower": serializers.IntegerField(), "cluster": serializers.IntegerField(required=False),
        "title": serializers.CharField(), "service_type": serializers.CharField(required=False)}))
    def create(self, request):
        reach = permissions.scope(request.user, "add", LoanRequest)
        if not reach:
            raise PermissionDenied(permissions.refusal(request.user, "add", LoanRequest))
        libraries = Library.objects.all() if reach.everywhere else reach.narrow(Library.objects.all())
        form = LoanRequestForm(data={"service_type": "Loan", **_fields(request)}, libraries=libraries)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        from sirbi.catalog.models import Cluster

        cluster_id = whole_number(request.data.get("cluster"), low=1, high=2**62)
        cluster = Cluster.objects.filter(pk=cluster_id).first() if cluster_id else None
        data = form.cleaned_data
        loan = services.open_request(request.user, data.pop("borrower"), cluster=cluster, source="api", **data)
        return Response(self.get_serializer(loan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=inline_serializer("LoanRequestStep", {
        "action": serializers.CharField(help_text="send, accept, decline, or an ISO 18626 action"),
        "note": serializers.CharField(required=False)}))
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        loan = self.get_object()
        form = RequesterStepForm(data=_fields(request))
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        name = form.cleaned_data["action"]
        step = Step(name) if name in Step._value2member_map_ else Action(name)
        return self._run(lambda: services.act(loan, step, user=request.user, note=form.cleaned_data["note"],
                                              via="api"))

    @extend_schema(request=inline_serializer("LoanRequestAnswer", {
        "status": serializers.CharField(help_text="an ISO 18626 status"),
        "reason_unfilled": serializers.CharField(required=False), "loan_condition": serializers.CharField(
            required=False), "due_date": serializers.DateField(required=False)}))
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        loan = self.get_object()
        form = SupplierAnswerForm(data=request.data)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        data = form.cleaned_data
        return self._run(lambda: services.respond(
            loan, data["status"], user=request.user, reason_for_message=data["reason_for_message"] or None,
            reason_unfilled=data["reason_unfilled"], reason_retry=data["reason_retry"],
            loan_condition=data["loan_condition"], due_date=data["due_date"], answer=data["answer"],
            note=data["note"], via="api"))


def _fields(request):
    """The body as a dict of fields, or 400: a JSON array, string or number is no request."""
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": [_("The body must be a JSON object of fields.")]})
    return request.data
