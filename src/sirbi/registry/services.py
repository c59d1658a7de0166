"""Registry rules shared by the forms, the API and the bulk importer."""

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from .models import Library
from .validators import validate_isil


def normalise_isil(value):
    """ISILs are stored as typed, without surrounding spaces; an empty one is no ISIL (NULL)."""
    value = (value or "").strip()
    return value or None


def isil_taken(isil, exclude_pk=None):
    queryset = Library.objects.annotate(isil_lower=Lower("isil")).filter(isil_lower=isil.lower())
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.values_list("pk", flat=True).first()


def library_consistency_errors(*, country, subdivision=None, networks=(), isil=None, exclude_pk=None,
                               check_unique=True):
    """Rules between a library's fields: {field: message} for each one broken.

    The ISIL must be valid and carry the library's country prefix and be unique without regard to case;
    the subdivision and every network must be of the library's country.
    """
    errors = {}
    if isil:
        try:
            validate_isil(isil, country.code if country else None)
        except ValidationError as error:
            errors["isil"] = " ".join(error.messages)
        else:
            if check_unique and isil_taken(isil, exclude_pk):
                errors["isil"] = _("Another library already has the ISIL %(isil)s.") % {"isil": isil}
    if country is not None and subdivision is not None and subdivision.country_id != country.pk:
        errors["subdivision"] = _("%(subdivision)s (%(code)s) is not a subdivision of %(country)s.") % {
            "subdivision": subdivision.name, "code": subdivision.code, "country": country.name}
    if country is not None:
        foreign = [network for network in networks if network.country_id != country.pk]
        if foreign:
            errors["networks"] = _("These networks belong to another country: %(networks)s.") % {
                "networks": ", ".join(f"{n.code} ({n.country.code})" for n in foreign)}
    return errors
