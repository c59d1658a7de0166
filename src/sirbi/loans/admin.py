from django.contrib import admin, messages
from django.utils.translation import gettext as _

from sirbi.core.admin import ReadOnlyAdmin, ScopedAdmin
from sirbi.core.forms import VersionedForm

from . import services
from .forms import EndpointForm
from .models import LendingPolicy, LoanRequest, PartnerEndpoint


@admin.register(LendingPolicy)
class LendingPolicyAdmin(ScopedAdmin):
    """Kept by the library's staff, its networks' managers and its country's coordinators (as on its page)."""

    form = VersionedForm
    list_display = ["library", "lends_returnables", "supplies_copies", "lends_to", "loan_days", "paused_until"]
    list_filter = ["lends_to", "lends_returnables", "supplies_copies", "is_sample"]
    search_fields = ["library__name", "library__isil"]
    raw_id_fields = ["library"]


@admin.register(PartnerEndpoint)
class PartnerEndpointAdmin(ScopedAdmin):
    """A partner's endpoint; saving a new one (or ticking "new token") shows its token once: only its hash is
    kept, so a lost token is replaced, never read back."""

    form = EndpointForm
    list_display = ["library", "agency_id", "url", "active"]
    search_fields = ["library__name", "agency_id"]
    raw_id_fields = ["library"]
    actions = ["new_token"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not self._pending.token_hash:
            self._issue(request, self._pending)

    @admin.action(description="Issue a new token (the old one stops working)")
    def new_token(self, request, queryset):
        for endpoint in queryset:
            if self.has_change_permission(request, endpoint):
                self._issue(request, endpoint)

    def _issue(self, request, endpoint):
        token = services.issue_token(endpoint, user=request.user, source="admin")
        messages.warning(request, _("The token of %(endpoint)s, shown only now: %(token)s")
                         % {"endpoint": endpoint, "token": token})


@admin.register(LoanRequest)
class LoanRequestAdmin(ReadOnlyAdmin):
    """Requests are read here; they move only by their actions (the pages, the API, ISO 18626)."""

    list_display = ["request_id", "title", "borrower", "lender", "state", "supplier_status", "updated"]
    list_filter = ["state", "service_type", "is_sample"]
    search_fields = ["request_id", "title"]
    exclude = ["patron_reference"]

    def get_queryset(self, request):
        return services.readable(request.user, admin.ModelAdmin.get_queryset(self, request))
