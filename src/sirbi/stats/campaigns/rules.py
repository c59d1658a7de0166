"""The rules of one figure as a reporter gives it, over plain values, worded once.

Every door applies them through the services: `save_figures` (the campaign form, the API, a unit's spreadsheet)
and `save_many` (a scope's spreadsheet, the bulk path). Their lookups (the campaign's indicators, a unit's library
types) are passed in, so a file of 100,000 rows costs no query per row. What depends on the stored state (a figure
already sent, the user's scope, the checks' flags) stays in the services.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sirbi.core.markup import validate_plain_text

from ..choices import REPORTED_SOURCES, Method, Unit

# Counts are whole numbers; full-time equivalents and rates may have decimals.
WHOLE_UNITS = frozenset({Unit.COUNT})
SOURCES, METHODS = frozenset(REPORTED_SOURCES), frozenset(Method.values)
TEXT_LIMIT = 2000  # characters of a note or a justification


def unknown_indicator(code):
    """The refusal of an indicator code that names none (the API's and the spreadsheets' lookup)."""
    return _("“%(code)s” is not an indicator of this campaign.") % {"code": code}


def figure_problems(indicator, typology, value, source, method, note, justification, *, asked, typologies):
    """[(field, message)]: what is wrong with one figure, empty when nothing is.

    `asked` is the set of the campaign's indicator ids, `typologies` the library types the unit reports for;
    `value` is a number or None (missing), `source` may be empty (the unit's usual source).
    """
    problems = []
    if indicator.id not in asked or typology not in typologies:
        problems.append(("indicator" if indicator.id not in asked else "typology",
                         _("%(indicator)s (%(typology)s) is not asked in this campaign.")
                         % {"indicator": indicator.code, "typology": typology}))
    if value:
        if value < 0:
            problems.append(("value", _("a count cannot be negative.")))
        elif indicator.unit in WHOLE_UNITS and not float(value).is_integer():
            problems.append(("value", _("%(value)s is not a whole number, and %(indicator)s is a count.")
                             % {"value": f"{value:g}", "indicator": indicator.code}))
    if source and source not in SOURCES:
        problems.append(("source", _("“%(value)s” is not one of %(choices)s.")
                         % {"value": source, "choices": ", ".join(REPORTED_SOURCES)}))
    if method not in METHODS:
        problems.append(("method", _("“%(value)s” is not one of %(choices)s.")
                         % {"value": method, "choices": ", ".join(Method.values)}))
    for name, text in (("note", note), ("justification", justification)):
        if not text:
            continue
        if len(text) > TEXT_LIMIT:
            problems.append((name, _("at most %(limit)s characters, not %(length)s.")
                             % {"limit": TEXT_LIMIT, "length": len(text)}))
        try:
            validate_plain_text(text)  # the model fields' own rule
        except ValidationError as error:
            problems.append((name, " ".join(error.messages)))
    return problems
