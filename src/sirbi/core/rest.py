"""REST framework building blocks named in settings: pagination, permission, authentication and throttle classes.

Kept apart from the viewsets (core.api) because REST framework imports these while it loads itself.
"""

import time

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, throttling
from rest_framework import permissions as drf_permissions
from rest_framework.pagination import PageNumberPagination

from . import permissions, throttle
from .paginator import KeysFirstPaginator

METHOD_ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


class Pagination(PageNumberPagination):
    django_paginator_class = KeysFirstPaginator
    page_size_query_param = "page_size"
    max_page_size = 500


class ScopedPermission(drf_permissions.BasePermission):
    """Reads are open; writes need a token (or session) whose user may do this to this object."""

    def has_permission(self, request, view):
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        model = getattr(getattr(view, "queryset", None), "model", None)
        if model is None or not hasattr(model, "permission_roles"):
            return permissions.is_secretariat(request.user)
        return permissions.can_any(request.user, METHOD_ACTIONS[request.method], model)

    def has_object_permission(self, request, view, obj):
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        return permissions.can(request.user, METHOD_ACTIONS[request.method], obj)


class IsMember(drf_permissions.BasePermission):
    """The change log is for signed-in members: its entries may hold contact details."""

    def has_permission(self, request, view):
        return request.method in drf_permissions.SAFE_METHODS and permissions.is_member(request.user)


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token KEY`, looked up by the key's SHA-256 (core.models.ApiToken stores nothing else).

    Wrong keys are counted per client address: past LOGIN_FAILURE_LIMIT within LOGIN_COOLOFF_MINUTES the
    address gets 429 for every token, right or wrong, until the window ends.
    """

    def authenticate_credentials(self, key):
        from .models import ApiToken  # models are not ready while REST framework loads this module

        request = getattr(self, "_request", None)
        address = throttle.client_address(request) if request is not None else "unknown"
        window = settings.LOGIN_COOLOFF_MINUTES * 60
        failures, ends = throttle.counted("api-token-failure", address, window)
        if failures >= settings.LOGIN_FAILURE_LIMIT:
            raise exceptions.Throttled(wait=max(1, ends - time.time()),
                                       detail=_("Too many wrong API tokens from this address."))
        token = ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(key)).first()
        if token is None or not token.user.is_active:
            throttle.count("api-token-failure", address, window)
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return (token.user, token)

    def authenticate(self, request):
        self._request = request
        return super().authenticate(request)


class RateThrottle(throttling.BaseThrottle):
    """A rate of settings.API_THROTTLE_RATES ("N/minute") counted per identity in a fixed window, in the shared
    "throttle" cache (one small counter per identity and window; REST framework's own throttles keep every
    request's time instead)."""

    PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    cache = "throttle"

    def identity(self, request):
        """(rate name, who) for this request, or None when it is not throttled."""
        raise NotImplementedError

    def allow_request(self, request, view):
        identity = self.identity(request)
        if identity is None:
            return True
        scope, who = identity
        number, period = settings.API_THROTTLE_RATES[scope].split("/")
        seen, ends = throttle.count(f"api-{scope}", who, self.PERIODS[period[0]], cache=self.cache)
        self.retry_after = max(1, ends - time.time())
        return seen <= int(number)

    def wait(self):
        return self.retry_after


class ReadThrottle(RateThrottle):
    """Every request: per account when signed in ("user" rate), per client address otherwise ("anonymous").

    Counted in each web process's memory, so that a read costs no write to the database: with N workers a client
    gets up to N times the rate, which still bounds it. Writes and wrong tokens are counted exactly, in the
    database."""

    cache = "process"

    def identity(self, request):
        if request.user and request.user.is_authenticated:
            return "user", request.user.pk
        return "anonymous", throttle.client_address(request)


class WriteThrottle(RateThrottle):
    """Writes (POST, PUT, PATCH, DELETE), per account (or client address), at the stricter "write" rate."""

    def identity(self, request):
        if request.method in drf_permissions.SAFE_METHODS:
            return None
        signed_in = request.user and request.user.is_authenticated
        return "write", request.user.pk if signed_in else throttle.client_address(request)
