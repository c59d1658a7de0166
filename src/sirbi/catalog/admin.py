from django.contrib import admin

from sirbi.core.admin import ReadOnlyAdmin, ScopedAdmin
from sirbi.core.forms import VersionedForm

from .models import Record, Rejected, Source


@admin.register(Source)
class SourceAdmin(ScopedAdmin):
    """Sources are kept by the staff of their library or network (and the coordinators of its country)."""

    form = VersionedForm
    list_display = ["code", "name", "kind", "library", "network"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["library"]


@admin.register(Record)
class RecordAdmin(ReadOnlyAdmin):
    list_display = ["title", "source", "year", "language", "material", "cluster", "deleted"]
    list_filter = ["source", "material", "deleted"]
    search_fields = ["title", "local_id"]
    exclude = ["raw"]


@admin.register(Rejected)
class RejectedAdmin(ReadOnlyAdmin):
    list_display = ["source", "filename", "position", "reason", "created"]
    list_filter = ["source"]
    exclude = ["raw"]
