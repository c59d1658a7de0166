"""Open data downloads of the statistics: published values, country tables with the region's figure and
the indicator definitions, in CSV, XLSX or JSON under CC BY 4.0."""

from django.http import Http404, HttpResponseBadRequest
from django.utils.translation import gettext as _

from .. import exports, services
from ..choices import Typology
from ..filters import ValueFilter
from ..models import Indicator, Value


def _format(fmt):
    if fmt not in exports.FORMATS:
        raise Http404(_("Unknown format."))
    return fmt


def _indicators():
    return list(Indicator.objects.filter(is_active=True).select_related("numerator", "denominator"))


def values_download(request, fmt):
    """Every published value, narrowed by the API's filters (?country=PE&indicator=libraries...)."""
    fmt = _format(fmt)
    filterset = ValueFilter(request.GET, queryset=Value.objects.published())
    if not filterset.is_valid():
        return HttpResponseBadRequest(filterset.errors.as_text())
    about = exports.about(_("SIRBI published statistics values"), request.build_absolute_uri())
    return exports.download(exports.value_rows(filterset.qs), exports.VALUE_COLUMNS, fmt, "sirbi-stats-values",
                            about_block=about, indicators=_indicators())


def aggregates_download(request, fmt):
    """The country tables with the region's figure: of one indicator or all, one library type or every type
    with published figures, one year or each country's latest (?indicator=...&typology=...&year=...)."""
    fmt = _format(fmt)
    indicators = _indicators()
    if request.GET.get("indicator"):
        indicators = [i for i in indicators if i.code == request.GET["indicator"]]
        if not indicators:
            raise Http404(_("Unknown indicator."))
    typology = request.GET.get("typology")
    if typology and typology not in Typology.values:
        return HttpResponseBadRequest(_("Unknown library type."))
    if typology:
        typologies = [typology]
    else:
        present = set(Value.objects.published().values_list("typology", flat=True).distinct())
        typologies = [t for t in Typology.values if t in present]
    year = request.GET.get("year") or None
    if year is not None:
        if not year.isdigit():
            return HttpResponseBadRequest(_("The year must be a number."))
        year = int(year)
    countries = services.member_countries()

    def rows():
        for indicator in indicators:
            for each in typologies:
                yield from services.aggregate_rows(indicator, each, year, countries)

    about = exports.about(_("SIRBI statistics by country and for the region"), request.build_absolute_uri())
    return exports.download(rows(), exports.AGGREGATE_COLUMNS, fmt, "sirbi-stats-aggregates", about_block=about,
                            indicators=indicators)


def indicators_download(request, fmt):
    """The indicator catalogue: names and definitions in Spanish, Portuguese and English, units, formulas."""
    fmt = _format(fmt)
    about = exports.about(_("SIRBI statistics indicator definitions"), request.build_absolute_uri())
    return exports.download(exports.indicator_rows(_indicators()), exports.INDICATOR_COLUMNS, fmt,
                            "sirbi-stats-indicators", about_block=about)
