"""One FilterSet per model, used by the web lists, their exports and the API alike."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from sirbi.core.filters import by_code
from sirbi.core.text import fold

from .choices import LibraryStatus, LibraryType, NetworkStatus, NetworkType
from .models import Country, Library, Network, Subdivision


def member_country_choices():
    """Member countries by name in the active language (the filter value stays the ISO code)."""
    countries = sorted(Country.objects.filter(is_member=True), key=lambda c: fold(c.name))
    return [("", "—")] + [(c.code, c.name) for c in countries]


def network_choices():
    # Two countries' networks may share a name: the country tells them apart (the code is for programs).
    return [("", "—")] + [(code, f"{name} ({country})") for code, name, country in
                          Network.objects.order_by("country__code", "name").values_list("code", "name",
                                                                                        "country__code")]


class CountryFilter(django_filters.FilterSet):
    member = django_filters.BooleanFilter(field_name="is_member", label=_("CERLALC member"))
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated", lookup_expr="gte", label=_("updated since"))

    class Meta:
        model = Country
        fields = ["member"]


class SubdivisionFilter(django_filters.FilterSet):
    country = by_code("country__code", _("country"))

    class Meta:
        model = Subdivision
        fields = ["country"]


class NetworkFilter(django_filters.FilterSet):
    country = by_code("country__code", _("country"))
    type = django_filters.ChoiceFilter(choices=NetworkType.choices, label=_("type"))
    status = django_filters.ChoiceFilter(choices=NetworkStatus.choices, label=_("status"))
    q = django_filters.CharFilter(method="filter_q", label=_("search"))
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated", lookup_expr="gte", label=_("updated since"))

    class Meta:
        model = Network
        fields = ["country", "type", "status"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(name__icontains=value) | queryset.filter(acronym__icontains=value)


class LibraryFilter(django_filters.FilterSet):
    country = by_code("country__code", _("country"), widget=forms.Select(choices=member_country_choices))
    subdivision = by_code("subdivision__code", _("subdivision"))
    type = django_filters.ChoiceFilter(choices=LibraryType.choices, label=_("type"))
    status = django_filters.ChoiceFilter(choices=LibraryStatus.choices, label=_("status"))
    network = django_filters.CharFilter(method="filter_network", label=_("network"),
                                        widget=forms.Select(choices=network_choices))
    q = django_filters.CharFilter(method="filter_q", label=_("search"))
    isil = django_filters.CharFilter(field_name="isil", lookup_expr="iexact", label=_("ISIL"))
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated", lookup_expr="gte", label=_("updated since"))
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("locality", "locality"), ("type", "type"), ("updated", "updated"),
                ("country__code", "country")),
        label=_("sort by"),
    )

    class Meta:
        model = Library
        fields = ["country", "subdivision", "type", "status", "network"]

    def filter_network(self, queryset, name, value):
        return queryset.filter(
            pk__in=Library.networks.through.objects.filter(network__code=value).values("library_id")
        )

    def filter_q(self, queryset, name, value):
        for word in fold(value).split():
            queryset = queryset.filter(search_text__contains=word)
        return queryset
