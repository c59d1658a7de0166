"""Validation of registry identifiers and values, shared by forms, the API and the bulk importer."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ISIL_RE = re.compile(r"^[0-9A-Za-z/:\-]{1,16}$")


def validate_isil(value, country_code=None):
    """ISO 15511: at most 16 characters of 0-9 A-Z a-z / - :, prefixed by a country or registered prefix.

    When the library's country is known, a country prefix must be that country's alpha-2 code.
    """
    if len(value) > 16:
        raise ValidationError(_("An ISIL has at most 16 characters (this one has %(n)s)."), params={"n": len(value)})
    if not ISIL_RE.match(value):
        raise ValidationError(_("An ISIL may contain only digits, letters A–Z without accents, and / - :."))
    prefix, dash, rest = value.partition("-")
    if not dash or not rest:
        raise ValidationError(_("An ISIL starts with a prefix and a hyphen, for example PE-BNP."))
    if len(prefix) == 2 and prefix.isalpha():
        if country_code and prefix.upper() != country_code.upper():
            raise ValidationError(
                _("The ISIL prefix %(prefix)s is not the library's country (%(country)s)."),
                params={"prefix": prefix, "country": country_code},
            )
    elif prefix.upper() not in {p.upper() for p in settings.ISIL_NONCOUNTRY_PREFIXES}:
        raise ValidationError(
            _("%(prefix)s is neither a country code nor a registered non-country ISIL prefix."),
            params={"prefix": prefix},
        )


def coordinate_problem(number, limit):
    """The message for a coordinate outside -limit..limit, or "" (the importer asks this without an exception)."""
    if -limit <= number <= limit:
        return ""
    return _("%(value)s is out of range (−%(limit)s to %(limit)s).") % {"value": f"{number:g}", "limit": limit}


def validate_latitude(value):
    if value is not None and (message := coordinate_problem(value, 90)):
        raise ValidationError(message)


def validate_longitude(value):
    if value is not None and (message := coordinate_problem(value, 180)):
        raise ValidationError(message)
