"""REST framework building blocks named in settings: pagination and permission classes.

Kept apart from the viewsets (core.api) because REST framework imports these while it loads itself.
"""

from rest_framework import permissions as drf_permissions
from rest_framework.pagination import PageNumberPagination

from . import permissions
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
