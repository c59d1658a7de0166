"""FilterSets of the statistics, used by the API and the open data downloads alike."""

import django_filters
from django.utils.translation import gettext_lazy as _

from sirbi.core.filters import by_code

from .choices import Source, Typology
from .models import Value

LEVELS = [("country", _("country")), ("network", _("network")), ("library", _("library"))]


class ValueFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code", label=_("indicator"))
    country = by_code("country__code", _("country"))
    network = django_filters.CharFilter(field_name="network__code", label=_("network"))
    # Bounded: a number past the database's integers would overflow instead of matching nothing.
    library = django_filters.NumberFilter(field_name="library_id", label=_("library"), min_value=1, max_value=2**63 - 1)
    level = django_filters.ChoiceFilter(choices=LEVELS, method="filter_level", label=_("level"))
    year = django_filters.NumberFilter(field_name="year", label=_("year"))
    year_min = django_filters.NumberFilter(field_name="year", lookup_expr="gte", label=_("from year"))
    year_max = django_filters.NumberFilter(field_name="year", lookup_expr="lte", label=_("to year"))
    typology = django_filters.ChoiceFilter(choices=Typology.choices, label=_("library type"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("source"))
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated", lookup_expr="gte", label=_("updated since"))

    class Meta:
        model = Value
        fields = ["indicator", "country", "network", "library", "year", "typology", "source"]

    def filter_level(self, queryset, name, value):
        if value == "library":
            return queryset.filter(library__isnull=False)
        if value == "network":
            return queryset.filter(network__isnull=False, library__isnull=True)
        return queryset.country_level()
