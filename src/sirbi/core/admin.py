"""Admin for platform objects. Registry objects use ScopedAdmin so the admin obeys the same rules.

Reads are scoped as on the pages: every list and change page shows only what the user may read
(`permissions.restrict(..., "view")`: no other country's drafts, unmoderated practices or unsubmitted answers).
Workflow fields (publication, moderation, review, approval, submission) change only through their workflow
services; each admin says per field whether it is read-only for everyone or whether the secretariat's admin
edit is itself the workflow (objects only the secretariat writes).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models

from . import permissions
from .changelog import ConflictError, delete_object, readable_changes, save_object
from .models import ChangeLog, Job, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]

    def has_module_permission(self, request):
        return permissions.is_secretariat(request.user)

    has_view_permission = has_change_permission = has_add_permission = has_delete_permission = (
        lambda self, request, obj=None: permissions.is_secretariat(request.user)
    )


class ReadScopedAdmin(admin.ModelAdmin):
    """Lists and change pages show what the user may read, as the pages and the API do (permissions "view":
    drafts and unmoderated content in their authors' scope and the secretariat's)."""

    def get_queryset(self, request):
        return permissions.restrict(super().get_queryset(request), request.user, "view")


class ReadOnlyAdmin(ReadScopedAdmin):
    """Lists that are read in the admin and written elsewhere (by services, with their rules)."""

    may_read = staticmethod(permissions.is_member)

    def has_module_permission(self, request):
        return self.may_read(request.user)

    def has_view_permission(self, request, obj=None):
        return self.may_read(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeLog)
class ChangeLogAdmin(ReadOnlyAdmin):
    list_display = ["time", "user_name", "action", "content_type", "object_repr", "country", "source"]
    list_filter = ["action", "content_type", "country", "source"]
    search_fields = ["object_repr", "user_name", "message"]

    def get_queryset(self, request):
        # Entries of objects the user may read now, as on the change-log page and in the API.
        return readable_changes(admin.ModelAdmin.get_queryset(self, request), request.user)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "done", "total", "created_by", "created", "finished"]
    list_filter = ["kind", "status"]

    def has_module_permission(self, request):
        return permissions.is_secretariat(request.user)

    has_view_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: permissions.is_secretariat(request.user)
    )

    def has_add_permission(self, request):
        return False


class ScopedAdmin(ReadScopedAdmin):
    """A ModelAdmin whose lists, forms and saves go through core.permissions and the change log."""

    # Web addresses typed without a scheme are read as https://, as in the registry's own forms.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_module_permission(self, request):
        return permissions.is_member(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_member(request.user)

    def has_add_permission(self, request):
        return permissions.can_any(request.user, "add", self.model)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return permissions.can_any(request.user, "change", self.model)
        return permissions.can(request.user, "change", obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return permissions.can_any(request.user, "delete", self.model)
        return permissions.can(request.user, "delete", obj)

    def save_model(self, request, obj, form, change):
        self._pending = obj

    def save_related(self, request, form, formsets, change):
        obj = self._pending
        m2m = {f.name: form.cleaned_data[f.name] for f in obj._meta.many_to_many if f.name in form.cleaned_data}
        try:
            save_object(obj, user=request.user, m2m=m2m, source="admin",
                        expected_version=form.cleaned_data.get("base_version"),
                        message=form.cleaned_data.get("message", ""))
        except ConflictError as exc:
            raise permissions.PermissionDenied(str(exc)) from exc
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        delete_object(obj, user=request.user, source="admin")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            delete_object(obj, user=request.user, source="admin")
