"""How figures are written on the statistics pages: in the active language's digits, "no data" for none."""

import math

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ..choices import Unit

register = template.Library()

# Decimal places per unit: counts are whole numbers; rates need a few decimals to be told apart.
DECIMALS = {Unit.COUNT: 0, Unit.FTE: 1, Unit.PERCENT: 1, Unit.PER_100K: 1, Unit.PER_10K: 1,
            Unit.PER_CAPITA: 2, Unit.RATIO: 2}


def format_figure(value, unit=Unit.COUNT):
    """`value` written for the active language, or "no data" (never 0) when there is none."""
    if value is None:
        return _("no data")
    decimals = DECIMALS.get(unit, 2)
    if decimals and 0 < abs(value) < 1:
        # Two significant digits for small rates: 0.07 libraries per 100,000 must not read as 0.0.
        decimals = min(max(decimals, 1 - math.floor(math.log10(abs(value)))), 4)
    # Rounded here: number_format cuts the digits beyond `decimals` off (19.56 would read 19.5).
    return number_format(round(value, decimals), decimals, use_l10n=True, force_grouping=True)


@register.filter
def figure(value, unit=Unit.COUNT):
    return format_figure(value, unit)


@register.filter
def source_label(figure):
    """The figure's source as named by it, or the kind of source ("survey") when it names none."""
    from ..choices import Source

    return figure.source_name or dict(Source.choices).get(figure.source, figure.source)
