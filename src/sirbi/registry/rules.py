"""The rules of a library, once, as plain functions over values: the edit form (pages, API, admin) and the bulk
importer call these same functions, so a bad value gets the same message by every door.

The functions query nothing: what a rule is checked against (the ISIL's current holder, the subdivision, the
networks) is passed in, as the form reads it for one library and as the importer reads it once per file.
Each returns the message of the broken rule, or "" (or {field: message} for `place_errors`).
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sirbi.core import permissions
from sirbi.core.text import fold

from .choices import SERVICES, LibraryStatus, LibraryType
from .models import Library
from .validators import coordinate_problem, validate_isil

PLAIN_FIELDS = ["name", "locality", "address", "postal_code", "website", "email", "phone", "description"]

# Field messages the form's own fields raise too (set as their error messages, see LibraryForm).
NOT_A_WEB_ADDRESS = gettext_lazy("“%(value)s” is not a web address (https://…).")
NOT_AN_EMAIL = gettext_lazy("“%(value)s” is not an e-mail address.")
UNKNOWN_TYPE = gettext_lazy("unknown type “%(value)s”; the types are %(types)s.")
UNKNOWN_STATUS = gettext_lazy("unknown status “%(value)s”; the statuses are %(statuses)s.")
UNKNOWN_CHOICE = gettext_lazy("unknown value “%(value)s”; the values are %(values)s.")
NOT_YES_OR_NO = gettext_lazy("“%(value)s” is neither yes nor no (or empty: as the type says).")
# Words a spreadsheet writes for yes and no, in the three languages (folded: no accents, lower case).
YES_WORDS = frozenset({"yes", "y", "si", "sim", "s", "true", "1", "x"})
NO_WORDS = frozenset({"no", "n", "nao", "false", "0"})


def normalise_isil(value):
    """ISILs are stored as typed, without surrounding spaces; an empty one is no ISIL (NULL)."""
    value = (value or "").strip()
    return value or None


def isil_error(isil, country_code, holder=None):
    """An ISIL must be valid (ISO 15511), carry its library's country prefix and be nobody else's (`holder`: the
    library already holding it without regard to case, other than this one, or None)."""
    if not isil:
        return ""
    try:
        validate_isil(isil, country_code)
    except ValidationError as error:
        return " ".join(error.messages)
    if holder is not None:
        return _("Another library already has the ISIL %(isil)s.") % {"isil": isil}
    return ""


def subdivision_error(subdivision, country):
    if subdivision is None or country is None or subdivision.country_id == country.pk:
        return ""
    return _("%(subdivision)s (%(code)s) is not a subdivision of %(country)s.") % {
        "subdivision": subdivision.name, "code": subdivision.code, "country": country.name}


def networks_of_another_country(country, networks):
    """The networks a library of `country` may not belong to: those of another country."""
    return [network for network in networks if network.country_id != country.pk]


def networks_error(country, networks):
    foreign = networks_of_another_country(country, networks) if country is not None else ()
    if not foreign:
        return ""
    return _("These networks belong to another country: %(networks)s.") % {
        "networks": ", ".join(f"{n.code} ({n.country.code})" for n in foreign)}


def place_errors(*, country, subdivision=None, networks=(), isil=None, isil_holder=None):
    """The rules between a library's fields, {field: message} for each one broken: the ISIL (valid, the country's
    prefix, unique), the subdivision and every network of the library's country."""
    errors = {}
    for field, message in (
        ("isil", isil_error(isil, country.code if country is not None else None, isil_holder)),
        ("subdivision", subdivision_error(subdivision, country)),
        ("networks", networks_error(country, networks)),
    ):
        if message:
            errors[field] = message
    return errors


def membership_refusal(user, before, after):
    """Why `user` may not change a library's networks from `before` to `after` (Network objects), or "".

    Memberships are decided by whoever may change the network (its managers, its country's coordinators) and
    the secretariat, not by the library: library staff keep their library's entry but neither take it out of a
    network nor put it in one.
    """
    by_pk = {network.pk: network for network in (*before, *after)}
    moved = {network.pk for network in before} ^ {network.pk for network in after}
    refused = sorted((by_pk[pk] for pk in moved if not permissions.can(user, "change", by_pk[pk])),
                     key=lambda network: network.code)
    if not refused:
        return ""
    return _("Only the managers of a network and the coordinators of its country add libraries to it or take "
             "them out: %(networks)s.") % {"networks": ", ".join(network.code for network in refused)}


def _text_rules():
    """(longest text, validators) of each plain field: the model fields' own (max length, no HTML tags...)."""
    rules = {}
    for name in PLAIN_FIELDS:
        field = Library._meta.get_field(name)
        rules[name] = (field.max_length or 10**9, field.validators)
    return rules


TEXT_RULES = _text_rules()


def text_errors(name, text):
    """The messages of the model field's validators for `text` (a plain field: name, address, description...).
    Most texts are short and hold no "<": for them no validator needs to run."""
    limit, validators = TEXT_RULES[name]
    if len(text) <= limit and "<" not in text:
        return []
    messages = []
    for validator in validators:
        try:
            validator(text)
        except ValidationError as error:
            messages.extend(error.messages)
    return messages


_url = URLValidator()
_email = EmailValidator()
# Strict subsets of what those validators accept, checked first because they are many times faster; any other
# value goes through the validator itself, so the answer is always the validator's.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN_URL = re.compile(rf"https?://{_LABEL}(?:\.{_LABEL})*\.[a-z]{{2,63}}(?:[/?#][^\s]*)?\Z", re.IGNORECASE)
_PLAIN_EMAIL = re.compile(rf"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:{_LABEL}\.)+[a-z]{{2,63}}\Z", re.IGNORECASE)


def _passes(validator, fast, value):
    if len(value) <= 253 and value.isascii() and fast.match(value):
        return True
    try:
        validator(value)
    except ValidationError:
        return False
    return True


def valid_url(value):
    return _passes(_url, _PLAIN_URL, value)


def valid_email(value):
    return _passes(_email, _PLAIN_EMAIL, value)


def website_error(value):
    return str(NOT_A_WEB_ADDRESS) % {"value": value} if value and not valid_url(value) else ""


def email_error(value):
    return str(NOT_AN_EMAIL) % {"value": value} if value and not valid_email(value) else ""


def coordinate_error(axis, number):
    """`axis` latitude or longitude; the model field's validators say the same."""
    return coordinate_problem(number, 90 if axis == "latitude" else 180)


def coordinates_error(latitude, longitude):
    if (latitude is None) != (longitude is None):
        return _("give both latitude and longitude, or neither.")
    return ""


def unknown_type(value):
    return str(UNKNOWN_TYPE) % {"value": value, "types": ", ".join(LibraryType.values)}


def unknown_status(value):
    return str(UNKNOWN_STATUS) % {"value": value, "statuses": ", ".join(LibraryStatus.values)}


def unknown_choice(value, values):
    """A code outside a field's choices (ISO 2789 type and subtype)."""
    return str(UNKNOWN_CHOICE) % {"value": value, "values": ", ".join(values)}


def yes_or_no(text):
    """(True, False or None for an empty cell; the error or "") of a yes/no cell (`statutory`)."""
    word = fold(text or "")
    if not word:
        return None, ""
    if word in YES_WORDS:
        return True, ""
    if word in NO_WORDS:
        return False, ""
    return None, str(NOT_YES_OR_NO) % {"value": text}


def unknown_service(value):
    return _("unknown service “%(value)s”; the services are %(services)s.") % {
        "value": value, "services": ", ".join(SERVICES)}
