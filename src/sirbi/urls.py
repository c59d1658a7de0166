"""Routes: pages under /es/, /pt/ and /en/; the API, health check and language switch outside them."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from sirbi.catalog.oai import views as oai_views
from sirbi.catalog.sru import views as sru_views
from sirbi.core import views as core_views
from sirbi.loans import views as loans_views
from sirbi.portal import views as portal_views

urlpatterns = [
    path("", portal_views.root_redirect, name="root"),
    path("healthz", core_views.healthz, name="healthz"),
    path("sru", sru_views.endpoint, name="sru"),
    path("oai", oai_views.endpoint, name="oai"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", include("sirbi.api_urls")),
    path("opendata/catalog", portal_views.catalogue, name="opendata-catalog"),
    path("opendata/catalog.<str:fmt>", portal_views.catalogue, name="opendata-catalog-file"),
    path("iso18626", loans_views.iso18626, name="iso18626"),
]

urlpatterns += i18n_patterns(
    path("", include("sirbi.portal.urls")),
    path("registry/", include("sirbi.registry.urls")),
    path("stats/campaigns/", include("sirbi.stats.campaigns.urls")),
    path("stats/data/", include("sirbi.stats.open_data.urls")),
    path("stats/", include("sirbi.stats.urls")),
    path("cooperation/", include("sirbi.cooperation.urls")),
    path("catalog/", include("sirbi.catalog.urls")),
    path("loans/", include("sirbi.loans.urls")),
    path("platform/", include("sirbi.core.urls")),
    # Before Django's own: the same page with limits on the mails it sends (core.views.PasswordResetView).
    path("accounts/password_reset/", core_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)
