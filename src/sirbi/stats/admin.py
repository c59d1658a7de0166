from django.contrib import admin

from sirbi.core import permissions
from sirbi.core.admin import ReadScopedAdmin, ScopedAdmin

from .forms import CampaignForm, IndicatorForm, NeedRuleForm
from .models import Campaign, Indicator, NeedRule, Population, Value


@admin.register(NeedRule)
class NeedRuleAdmin(ScopedAdmin):
    """Which figures make a need: the secretariat's rules, each change in the change log."""

    form = NeedRuleForm
    list_display = ["indicator", "typology", "kind", "threshold", "is_active"]
    list_filter = ["kind", "typology", "is_active"]


@admin.register(Campaign)
class CampaignAdmin(ScopedAdmin):
    """Campaigns are opened, extended and closed by the secretariat; every change is in the change log. Their
    status stays editable here: only the secretariat writes campaigns, and this admin is its workflow."""

    form = CampaignForm
    list_display = ["title", "year", "deadline", "status"]
    list_filter = ["status", "year"]
    filter_horizontal = ["indicators"]


@admin.register(Indicator)
class IndicatorAdmin(ScopedAdmin):
    """The catalogue: read by members, edited by the secretariat, every change in the change log."""

    form = IndicatorForm
    list_display = ["code", "name_en", "unit", "aggregation", "direction", "numerator", "denominator", "is_active"]
    list_filter = ["unit", "is_active"]
    search_fields = ["code", "name_en", "name_es", "name_pt"]


class SecretariatAdmin(ReadScopedAdmin):
    def has_module_permission(self, request):
        return permissions.is_member(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_member(request.user)

    def has_add_permission(self, request):
        return permissions.is_secretariat(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.is_secretariat(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.is_secretariat(request.user)


@admin.register(Population)
class PopulationAdmin(SecretariatAdmin):
    list_display = ["country", "subdivision", "year", "value", "source"]
    list_filter = ["year", "country"]
    search_fields = ["country__code", "subdivision__code", "source"]


@admin.register(Value)
class ValueAdmin(SecretariatAdmin):
    """Values are entered through campaigns, forms, spreadsheets and the API; the admin only reads them, for
    everyone: their status moves by the campaign's workflow (submit, return, accept, publish), which checks
    and notifies; an admin edit would skip both."""

    list_display = ["indicator", "typology", "unit_key", "year", "value", "source", "status", "is_sample"]
    list_filter = ["status", "source", "typology", "year", "is_sample"]
    search_fields = ["indicator__code", "unit_key"]
    list_select_related = ["indicator"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
