"""Filters every app's FilterSets share."""

import django_filters


def by_code(field_name, label=None, **kwargs):
    """A filter on an ISO code given in any case; the exact match on the upper-cased value uses the index."""
    return django_filters.CharFilter(field_name=field_name, method=_exact_upper, label=label, **kwargs)


def _exact_upper(queryset, name, value):
    return queryset.filter(**{name: value.strip().upper()})
