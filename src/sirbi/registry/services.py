"""Registry rules shared by the forms, the API and the bulk importer."""

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from sirbi.core import permissions

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
        foreign = networks_of_another_country(country, networks)
        if foreign:
            errors["networks"] = _("These networks belong to another country: %(networks)s.") % {
                "networks": ", ".join(f"{n.code} ({n.country.code})" for n in foreign)}
    return errors


def networks_of_another_country(country, networks):
    """The networks a library of `country` may not belong to: those of another country."""
    return [network for network in networks if network.country_id != country.pk]


def membership_refusal(user, before, after):
    """Why `user` may not change a library's networks from `before` to `after` (Network objects), or "".

    Memberships are decided by whoever may change the network (its managers, its country's coordinators) and
    the secretariat, not by the library: library staff keep their library's entry but neither take it out of a
    network nor put it in one. The form (pages, API, admin) and the importer ask this same question.
    """
    by_pk = {network.pk: network for network in (*before, *after)}
    moved = {network.pk for network in before} ^ {network.pk for network in after}
    refused = sorted((by_pk[pk] for pk in moved if not permissions.can(user, "change", by_pk[pk])),
                     key=lambda network: network.code)
    if not refused:
        return ""
    return _("Only the managers of a network and the coordinators of its country add libraries to it or take "
             "them out: %(networks)s.") % {"networks": ", ".join(network.code for network in refused)}
