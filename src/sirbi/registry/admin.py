from django.contrib import admin, messages
from django.utils.translation import gettext as _

from sirbi.core.admin import ScopedAdmin

from .choices import IsoType, LmwType, NetworkType
from .forms import CountryForm, LibraryForm, NetworkForm, TypologyRuleForm
from .models import Country, Library, Network, Subdivision, TypologyRule
from .typology import uncovered, unreachable


@admin.register(Country)
class CountryAdmin(ScopedAdmin):
    form = CountryForm
    list_display = ["code", "name_en", "name_es", "name_pt", "is_member"]
    list_filter = ["is_member"]
    search_fields = ["code", "name_en", "name_es", "name_pt"]

    def has_add_permission(self, request):
        return False  # countries come from ISO 3166 (`sirbi load_demo` / registry.countries)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Subdivision)
class SubdivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "country"]
    list_filter = ["country"]
    search_fields = ["code", "name"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    has_change_permission = has_delete_permission = lambda self, request, obj=None: False


@admin.register(Network)
class NetworkAdmin(ScopedAdmin):
    form = NetworkForm
    list_display = ["code", "name", "country", "type", "status"]
    list_filter = ["type", "status", "country"]
    search_fields = ["code", "name", "acronym"]


@admin.register(Library)
class LibraryAdmin(ScopedAdmin):
    form = LibraryForm
    list_display = ["name", "isil", "country", "type", "status", "locality"]
    list_filter = ["type", "status", "is_sample", "country"]
    search_fields = ["name", "isil", "locality"]
    list_select_related = ["country"]

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class LibraryAdminForm(form_class):
            """The admin's own choices, with the rules that depend on who writes (network memberships)."""

            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, **form_kwargs)
                self.user = request.user

        return LibraryAdminForm


@admin.register(TypologyRule)
class TypologyRuleAdmin(ScopedAdmin):
    """The typology crosswalk: read by members, kept by the secretariat, every change in the change log."""

    form = TypologyRuleForm
    list_display = ["order", "code", "iso_type", "iso_subtype", "statutory", "lmw_type", "sirbi_type"]
    list_display_links = ["code"]

    def changelist_view(self, request, extra_context=None):
        """Warns of a crosswalk that cannot count some type, or leaves some kind of library without a type."""
        rules = list(TypologyRule.objects.all())
        lmw, sirbi = unreachable(rules, LmwType.values, NetworkType.values)
        if lmw or sirbi:
            messages.warning(request, _("No rule gives these types, so nothing is counted under them: %(types)s.")
                             % {"types": ", ".join(sorted(lmw | sirbi))})
        missing = uncovered(rules, IsoType.values)
        if missing:
            messages.warning(request, _("No rule takes these libraries (ISO 2789 type, run by a public authority), "
                                        "which then have no derived type: %(kinds)s.")
                             % {"kinds": ", ".join(f"{iso_type} ({'yes' if statutory else 'no'})"
                                                   for iso_type, statutory in missing)})
        return super().changelist_view(request, extra_context)
