"""Figures as people read them: the shown source among several, derived indicators, aggregation with
coverage, the country tables with the region's figure (the API and the open data downloads serve them), licence
and attribution, and needs. Nothing here writes; missing stays missing (None), never zero."""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from sirbi.core.downloads import LIST_SEPARATOR
from sirbi.registry.models import Country, Library

from .choices import SOURCE_PRIORITY, Aggregation, Direction, Method, Source, Typology
from .models import Indicator, NeedRule, Population, Value

RANK = {source: rank for rank, source in enumerate(SOURCE_PRIORITY)}
# Every published figure is open data under this licence; the Library Map of the World's are credited to IFLA.
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LMW_ATTRIBUTION = "IFLA Library Map of the World, CC BY 4.0"
LMW_URL = "https://librarymap.ifla.org/"
# The units an indicator may be reported by.
LEVELS = ("library", "network", "country")



@dataclass
class Figure:
    """One number with everything needed to read it honestly."""

    value: float | None
    year: int | None = None
    source: str = ""
    source_name: str = ""
    source_url: str = ""
    note: str = ""
    is_estimate: bool = False
    # How the number was obtained: "reported" (typed by a country or source), "aggregated" (summed from
    # the networks' or libraries' figures), "computed" (a derived indicator).
    basis: str = "reported"
    reported: int | None = None  # units that reported, for aggregated figures
    expected: int | None = None  # units expected to report
    population_year: int | None = None
    numerator: float | None = None  # for computed figures: what was divided
    denominator: float | None = None
    alternatives: list = field(default_factory=list)  # the same figure from other sources
    is_sample: bool = False  # invented for the demonstration (or summed or computed from invented figures)

    @property
    def coverage(self):
        if self.reported is None or not self.expected:
            return None
        return self.reported / self.expected


def pick(values):
    """Of values for the same figure from several sources, the one to show first, then the others. Within a source,
    the country's own figure comes before a network's (the ILL counts give both)."""
    ordered = sorted(values, key=lambda v: (RANK.get(v.source, len(RANK)), v.network_id is not None,
                                            -v.updated.timestamp()))
    return ordered[0], ordered[1:]


def figure_of(value, alternatives=()):
    """The Figure of a stored value (with the same figure from other sources as its alternatives): an estimate
    when counted otherwise or estimated by its source; a network's own figure has that basis."""
    return Figure(value=value.value, year=value.year, source=value.source, source_name=value.source_name,
                  source_url=value.source_url, note=value.note,
                  is_estimate=value.method != Method.COUNT or value.source == Source.ESTIMATE,
                  basis="network" if value.network_id else "reported", is_sample=value.is_sample,
                  alternatives=[figure_of(v) for v in alternatives])


def aggregated_figure(indicator, year, total, reported, expected, is_sample=False):
    """A country's figure summed from its libraries' reports (`total` over `reported` libraries), or their mean
    for indicators that average; with coverage against the `expected` registered libraries. `is_sample`: some
    of the reports are invented for the demonstration."""
    if indicator.aggregation == Aggregation.MEAN and reported:
        total = total / reported
    return Figure(value=total, year=year, basis="aggregated", reported=reported, expected=expected,
                  source=Source.SURVEY, is_sample=is_sample)


def derived_figure(indicator, top, bottom=None, population=None):
    """A derived indicator's figure from its numerator's figure `top` and its denominator's `bottom`, or the
    country's (inhabitants, year) `population` when it divides by population; None when it cannot be computed.
    Never divides figures of different years or sources: that would mix what is not comparable."""
    if top is None or top.value is None:
        return None
    if indicator.denominator_id:
        if bottom is None or not bottom.value or bottom.year != top.year or bottom.source != top.source:
            return None
        figure = Figure(value=top.value / bottom.value * indicator.multiplier, year=top.year,
                        numerator=top.value, denominator=bottom.value)
    else:
        if not population:
            return None
        inhabitants, population_year = population
        figure = Figure(value=top.value / inhabitants * indicator.multiplier, year=top.year,
                        population_year=population_year, numerator=top.value, denominator=inhabitants)
    figure.basis = "computed"
    figure.source, figure.source_name, figure.source_url = top.source, top.source_name, top.source_url
    figure.is_estimate = top.is_estimate
    figure.is_sample = top.is_sample or bool(bottom is not None and bottom.is_sample)
    return figure


def country_table(indicator, typology=Typology.PUBLIC, year=None, countries=None):
    """{country code: Figure} of one indicator for the member countries, from published values.

    `year=None` takes each country's latest year (shown with the figure). Derived indicators are
    computed from their numerator and denominator of the same year and typology.
    """
    countries = countries or list(Country.objects.filter(is_member=True))
    if indicator.is_derived:
        return _derived_table(indicator, typology, year, countries)
    rows = (Value.objects.published().country_level()
            .filter(indicator=indicator, typology=typology, country__in=countries)
            .select_related("country"))
    if year is not None:
        rows = rows.filter(year=year)
    by_country = defaultdict(lambda: defaultdict(list))
    for value in rows:
        by_country[value.country.code][value.year].append(value)
    # Network figures count too: a country-level figure from its network's source (e.g. the national
    # network's own count of its libraries) is listed as an alternative of the same year.
    network_rows = (Value.objects.published().filter(indicator=indicator, typology=typology,
                                                       network__isnull=False, library__isnull=True,
                                                       country__in=countries)
                    .select_related("country"))
    if year is not None:
        network_rows = network_rows.filter(year=year)
    for value in network_rows:
        by_country[value.country.code][value.year].append(value)
    table = {}
    for code, years in by_country.items():
        latest = max(years)
        shown, others = pick(years[latest])
        table[code] = figure_of(shown, others)
    # Library-level reports fill countries without a country figure (aggregated, with coverage).
    missing = [c for c in countries if c.code not in table]
    if missing and year is not None:
        table.update(aggregate_libraries(indicator, typology, year, missing))
    return table


def population_series(countries):
    """{country code: {year: inhabitants}} of these countries, in one query."""
    by_country = defaultdict(dict)
    for code, pop_year, figure in (Population.objects.filter(subdivision__isnull=True, country__in=countries)
                                   .values_list("country__code", "year", "value")):
        by_country[code][pop_year] = figure
    return by_country


def nearest_population(years, year=None):
    """(inhabitants, year) of a country's {year: inhabitants}: that of `year` or the nearest; None if none."""
    if not years:
        return None
    chosen = max(years) if year is None else min(years, key=lambda y: (abs(y - year), -y))
    return years[chosen], chosen


def population_table(countries, year=None):
    """{country code: (inhabitants, year)}: the population of `year`, or the nearest year available."""
    return {code: nearest_population(years, year) for code, years in population_series(countries).items()}


def _derived_table(indicator, typology, year, countries):
    numerators = country_table(indicator.numerator, typology, year, countries)
    denominators = {}
    if indicator.denominator_id:
        denominators = country_table(indicator.denominator, typology, year, countries)
    populations = population_series(countries) if not indicator.denominator_id else {}
    table = {}
    for code, top in numerators.items():
        figure = derived_figure(indicator, top, denominators.get(code),
                                nearest_population(populations.get(code), top.year) if populations else None)
        if figure is not None:
            table[code] = figure
    return table


def aggregate_libraries(indicator, typology, year, countries):
    """{country code: Figure} summed (or averaged) from the published library-level values of one year,
    with coverage: how many of the country's registered libraries reported."""
    codes = {c.pk: c.code for c in countries}
    rows = (Value.objects.published()
            .filter(indicator=indicator, typology=typology, year=year, library__isnull=False,
                    country_id__in=list(codes))
            .values("country_id").annotate(total=Sum("value"), reported=Count("library_id", distinct=True))
            .order_by())
    expected = dict(Library.objects.filter(country_id__in=list(codes)).values("country_id")
                    .annotate(n=Count("pk")).order_by().values_list("country_id", "n"))
    return {codes[row["country_id"]]: aggregated_figure(indicator, year, row["total"], row["reported"],
                                                        expected.get(row["country_id"]))
            for row in rows}


@dataclass
class RegionFigure:
    value: float | None
    reported: int
    expected: int
    years: list


def region_figure(indicator, table, countries):
    """The region's figure from a country table: a sum (or ratio of sums) over the countries that have
    one, with how many did. None when no country has one."""
    present = {code: f for code, f in table.items() if f.value is not None}
    years = sorted({f.year for f in present.values() if f.year})
    if not present:
        return RegionFigure(None, 0, len(countries), [])
    if indicator.aggregation == Aggregation.MEAN:
        value = statistics.fmean(f.value for f in present.values())
    elif indicator.is_derived:
        # A ratio of sums (a mean of country ratios would weigh Cuba like Brazil).
        value = (sum(f.numerator for f in present.values()) / sum(f.denominator for f in present.values())
                 * indicator.multiplier)
    else:
        value = sum(f.value for f in present.values())
    return RegionFigure(value, len(present), len(countries), years)


@dataclass
class Need:
    country: str
    indicator: Indicator
    figure: Figure
    reference: float
    rule: str


def needs(indicators=None, typology=Typology.PUBLIC, year=None):
    """{country code: [Need]}: where a country's figure is on the weaker side of its rule's reference:
    the regional median (the default for derived indicators) or a threshold the secretariat set
    (NeedRule). Each need keeps the figures behind it and the rule."""
    countries = list(Country.objects.filter(is_member=True))
    rules = {rule.indicator_id: rule for rule in NeedRule.objects.filter(typology=typology)}
    if indicators is None:
        indicators = Indicator.objects.filter(is_active=True).filter(
            Q(numerator__isnull=False) | Q(pk__in=[pk for pk, rule in rules.items() if rule.is_active]))
    result = defaultdict(list)
    for indicator in indicators:
        rule = rules.get(indicator.pk)
        if indicator.direction == Direction.NEUTRAL or (rule is not None and not rule.is_active):
            continue
        table = country_table(indicator, typology, year, countries)
        values = [f.value for f in table.values() if f.value is not None]
        if rule is not None and rule.kind == NeedRule.Kind.THRESHOLD:
            reference, kind = rule.threshold, NeedRule.Kind.THRESHOLD
        elif len(values) >= 3:
            reference, kind = statistics.median(values), NeedRule.Kind.MEDIAN
        else:
            continue
        for code, figure in table.items():
            if figure.value is None:
                continue
            weaker = figure.value < reference if indicator.direction == Direction.HIGHER else figure.value > reference
            if weaker:
                result[code].append(Need(code, indicator, figure, reference, kind))
    return result


def attribution(source, source_name):
    """Whom a figure is credited to: IFLA's attribution for Library Map of the World figures, else its source."""
    return LMW_ATTRIBUTION if source == Source.LMW else source_name


def levels(indicator):
    return [level for level in LEVELS if getattr(indicator, f"level_{level}")]


def formula(indicator):
    """How a derived indicator is computed (None for a reported one); "population" as the denominator
    when it divides by the country's inhabitants."""
    if not indicator.is_derived:
        return None
    return {"numerator": indicator.numerator.code,
            "denominator": indicator.denominator.code if indicator.denominator_id else "population",
            "multiplier": indicator.multiplier}


def member_countries():
    return list(Country.objects.filter(is_member=True).order_by("code"))


def aggregate_rows(indicator, typology, year=None, countries=None):
    """One row per member country (value None where it has no figure) and a last row for the region.

    `year=None` takes each country's latest year, as country_table does. The API and the open data downloads
    both serve these rows.
    """
    countries = countries if countries is not None else member_countries()
    table = country_table(indicator, typology, year, countries)
    rows = []
    for country in countries:
        figure = table.get(country.code)
        row = {"scope": "country", "country": country.code, "country_name": country.name}
        if figure is None or figure.value is None:
            row.update(value=None, year=None, years=[], basis=None, reported=None, expected=None, coverage=None,
                       population_year=None, source=None, source_name=None, source_url=None, is_estimate=None,
                       attribution=None)
        else:
            row.update(value=figure.value, year=figure.year, years=[figure.year], basis=figure.basis,
                       reported=figure.reported, expected=figure.expected, coverage=figure.coverage,
                       population_year=figure.population_year, source=figure.source,
                       source_name=figure.source_name, source_url=figure.source_url, is_estimate=figure.is_estimate,
                       attribution=attribution(figure.source, figure.source_name))
        rows.append(row)
    rows.append(_region_row(indicator, table, countries))
    for row in rows:
        row.update(indicator=indicator.code, typology=typology, unit=indicator.unit, licence=LICENCE)
    return rows


def _region_row(indicator, table, countries):
    region = region_figure(indicator, table, countries)
    present = [f for f in table.values() if f.value is not None]
    sources = sorted({f.source for f in present}, key=lambda s: RANK.get(s, len(RANK)))
    names = list(dict.fromkeys(attribution(f.source, f.source_name) for f in present if f.source))
    urls = {f.source_url for f in present}
    population_years = {f.population_year for f in present if f.population_year}
    return {
        "scope": "region", "country": None, "country_name": _("Region (CERLALC member countries)"),
        "value": region.value, "year": region.years[-1] if region.years else None, "years": region.years,
        "basis": "aggregated" if region.value is not None else None, "reported": region.reported,
        "expected": region.expected, "coverage": region.reported / region.expected if region.expected else None,
        "population_year": population_years.pop() if len(population_years) == 1 else None,
        "source": LIST_SEPARATOR.join(sources) or None,
        "source_name": "; ".join(dict.fromkeys(f.source_name for f in present if f.source_name)) or None,
        "source_url": urls.pop() if len(urls) == 1 else None,
        "is_estimate": any(f.is_estimate for f in present) if present else None,
        "attribution": "; ".join(names) or None,
    }
