"""Registry lookups the rules (rules.py) are given by the edit form; the importer reads its own once per file."""

from django.db.models import Count
from django.db.models.functions import Lower

from .choices import LibraryStatus
from .models import Library, ServicePoint, TypologyRule
from .typology import rule_for, typed


def isil_holder(isil, exclude_pk=None):
    """The id of the library holding `isil` without regard to case, other than `exclude_pk`, or None."""
    queryset = Library.objects.annotate(isil_lower=Lower("isil")).filter(isil_lower=isil.lower())
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.values_list("pk", flat=True).first()


def typology_of(library, rules=None):
    """(ISO 2789 values, the crosswalk rule that types `library`, or None) for its page."""
    item = typed(library.type, library.iso_type, library.iso_subtype, library.statutory)
    return item, rule_for(rules if rules is not None else TypologyRule.objects.all(), item)


def units_and_service_points(libraries):
    """(libraries, service points) of `libraries` (a queryset) as the reconciliation counts them: closed ones left
    out; a library without recorded open service points counts as one, one with them as that many."""
    open_libraries = libraries.exclude(status=LibraryStatus.CLOSED)
    units = open_libraries.count()
    points = (ServicePoint.objects.filter(library__in=open_libraries.values("pk")).exclude(status=LibraryStatus.CLOSED)
              .aggregate(n=Count("pk"), libraries=Count("library", distinct=True)))
    return units, units + points["n"] - points["libraries"]
