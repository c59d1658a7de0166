"""The REST API, version 1: one router for every app, the OpenAPI schema and its offline docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from sirbi.catalog.api import ClusterViewSet, HoldingViewSet, RecordViewSet, SearchView, SourceViewSet
from sirbi.cooperation.api import (
    ActionViewSet,
    AgreementViewSet,
    GoodPracticeViewSet,
    LineViewSet,
    MeetingViewSet,
    PartnershipViewSet,
    WorkingGroupViewSet,
)
from sirbi.core.api import ChangeLogViewSet
from sirbi.loans.api import LendingPolicyViewSet, LoanRequestViewSet
from sirbi.loans.statistics_api import LoanStatisticsViewSet
from sirbi.registry.api import (
    CountryViewSet,
    LibraryViewSet,
    NetworkViewSet,
    ServicePointViewSet,
    SubdivisionViewSet,
)
from sirbi.stats.api import AggregateViewSet, IndicatorViewSet, ReconciliationViewSet, ValueViewSet
from sirbi.stats.campaigns.api import CampaignViewSet

router = DefaultRouter()
router.register("countries", CountryViewSet, basename="country")
router.register("subdivisions", SubdivisionViewSet, basename="subdivision")
router.register("networks", NetworkViewSet, basename="network")
router.register("libraries", LibraryViewSet, basename="library")
router.register("service-points", ServicePointViewSet, basename="service-point")
router.register("changes", ChangeLogViewSet, basename="change")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("values", ValueViewSet, basename="value")
router.register("aggregates", AggregateViewSet, basename="aggregate")
router.register("reconciliation", ReconciliationViewSet, basename="reconciliation")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("roadmap", LineViewSet, basename="roadmap")
router.register("actions", ActionViewSet, basename="action")
router.register("meeting-agreements", AgreementViewSet, basename="meeting-agreement")
router.register("agreements", PartnershipViewSet, basename="agreement")
router.register("working-groups", WorkingGroupViewSet, basename="working-group")
router.register("good-practices", GoodPracticeViewSet, basename="good-practice")
router.register("catalog/clusters", ClusterViewSet, basename="catalog-cluster")
router.register("catalog/records", RecordViewSet, basename="catalog-record")
router.register("catalog/holdings", HoldingViewSet, basename="catalog-holding")
router.register("catalog/sources", SourceViewSet, basename="catalog-source")
router.register("loans/policies", LendingPolicyViewSet, basename="loans-policy")
router.register("loans/requests", LoanRequestViewSet, basename="loans-request")
router.register("loans/statistics", LoanStatisticsViewSet, basename="loans-statistics")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so the docs need no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("catalog/search/", SearchView.as_view(), name="catalog-search"),
    *router.urls,
]
