"""The tables of the public statistics pages, built from the services' figures: one row per country (an
indicator's map), per year and source (a country's profile), per country and indicator (a comparison),
with the map's classes and the CSV of each table. Nothing here writes; missing stays None."""

import math
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.utils.translation import gettext as _

from sirbi.core.downloads import CsvWriter
from sirbi.registry.models import Library

from . import services
from .choices import Source, Typology
from .models import Population, Value
from .services import Figure

SOURCE_LABELS = dict(Source.choices)
TYPOLOGY_LABELS = dict(Typology.choices)
# Light to dark, one hue: the classes stay in order for readers who see no colour (numbers mark them too).
PALETTES = {
    1: ["#2b7c89"],
    2: ["#9fd0d8", "#0b4f5b"],
    3: ["#c4e3e8", "#4f99a5", "#0b4f5b"],
    4: ["#d6ecef", "#8cc4cd", "#3c8794", "#0b4f5b"],
    5: ["#e1f1f3", "#a8d5dc", "#6bb0bb", "#2f7e8b", "#0b4f5b"],
}


def source_label(figure):
    return SOURCE_LABELS.get(figure.source, figure.source)


OVERVIEW_CSV_COLUMNS = ["indicator", "indicator_name", "library_type", "region_value", "unit", "countries_with_figure",
                        "member_countries", "years"]


def overview_csv_rows(rows, typology):
    for indicator, region in rows:
        yield [indicator.code, indicator.name, typology, "" if region.value is None else f"{region.value:g}",
               indicator.unit, region.reported, region.expected, " ".join(str(y) for y in region.years)]


# An indicator's map and table ---------------------------------------------------------------------

@dataclass
class MapClass:
    number: int
    low: float
    high: float
    colour: str
    dark: bool  # white labels on it


def classify(values, k=5):
    """Up to `k` classes holding about as many distinct values each (quantiles), lowest first."""
    ordered = sorted(set(values))
    k = min(k, len(ordered))
    classes, start = [], 0
    for i in range(k):
        end = math.ceil((i + 1) * len(ordered) / k)
        classes.append(MapClass(i + 1, ordered[start], ordered[end - 1], PALETTES[k][i], dark=i >= k / 2))
        start = end
    return classes


def class_of(value, classes):
    if value is None:
        return None
    return next((c for c in classes if value <= c.high), classes[-1] if classes else None)


@dataclass
class CountryRow:
    country: object
    figure: Figure | None
    map_class: MapClass | None = None


def indicator_rows(table, countries):
    """One row per country, in the countries' order, with the figure (None: no data) and its map class."""
    classes = classify([f.value for f in table.values() if f.value is not None])
    rows = []
    for country in countries:
        figure = table.get(country.code)
        if figure is not None and figure.value is None:
            figure = None
        rows.append(CountryRow(country, figure, class_of(figure.value if figure else None, classes)))
    return rows, classes


INDICATOR_CSV_COLUMNS = ["country", "country_name", "indicator", "library_type", "value", "year", "unit", "source",
                         "source_name", "source_url", "basis", "estimate", "libraries_reported",
                         "libraries_registered", "population_year", "other_sources"]


def _alternatives_text(figure):
    return "; ".join(f"{source_label(a)} {a.year}: {a.value:g}" for a in figure.alternatives)


def indicator_csv_rows(indicator, typology, rows):
    for row in rows:
        f = row.figure
        yield [row.country.code, row.country.name, indicator.code, typology,
               "" if f is None else f"{f.value:g}", "" if f is None else f.year, indicator.unit,
               "" if f is None else f.source, "" if f is None else f.source_name,
               "" if f is None else f.source_url, "" if f is None else f.basis,
               "" if f is None else ("yes" if f.is_estimate else "no"),
               "" if f is None or f.reported is None else f.reported,
               "" if f is None or f.expected is None else f.expected,
               "" if f is None or f.population_year is None else f.population_year,
               "" if f is None else _alternatives_text(f)]


def csv_response(filename, columns, rows):
    """A CSV download (UTF-8 with a byte order mark, so spreadsheet programs read the accents)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")
    writer = CsvWriter(response)
    writer.writerow(columns)
    writer.writerows(rows)
    return response


# A country's figures over time ---------------------------------------------------------------------

@dataclass
class SeriesRow:
    typology: str
    year: int
    figure: Figure
    shown: bool  # the figure shown for its year and type (the others are other sources of the same figure)

    @property
    def typology_label(self):
        return TYPOLOGY_LABELS.get(self.typology, self.typology)


def country_series(country, indicators):
    """{indicator code: [SeriesRow]}: every published figure of `country`, all years, types and sources.

    Reported figures keep one row per source (the one services.pick shows first marked `shown`); years
    without a country figure take the libraries' reports (services.aggregated_figure), with coverage; derived
    indicators are computed from the shown figures (services.derived_figure). Four queries in all.
    """
    reported = defaultdict(list)  # (indicator id, typology, year) -> [Value]
    for value in Value.objects.published().filter(country=country, library__isnull=True).order_by():
        reported[(value.indicator_id, value.typology, value.year)].append(value)
    aggregated = {
        (row["indicator_id"], row["typology"], row["year"]): row
        for row in (Value.objects.published().filter(country=country, library__isnull=False)
                    .values("indicator_id", "typology", "year")
                    .annotate(total=Sum("value"), reported=Count("library_id", distinct=True),
                              samples=Count("pk", filter=Q(is_sample=True))).order_by())
    }
    expected = Library.objects.filter(country=country).count() if aggregated else None
    populations = dict(Population.objects.filter(country=country, subdivision__isnull=True)
                       .values_list("year", "value"))
    by_id = {i.pk: i for i in indicators}

    def base_rows(indicator):
        rows = []
        for (indicator_id, typology, year), values in reported.items():
            if indicator_id == indicator.pk:
                shown, others = services.pick(values)
                rows.append(SeriesRow(typology, year, services.figure_of(shown), True))
                rows.extend(SeriesRow(typology, year, services.figure_of(v), False) for v in others)
        for (indicator_id, typology, year), row in aggregated.items():
            if indicator_id == indicator.pk and (indicator_id, typology, year) not in reported:
                figure = services.aggregated_figure(indicator, year, row["total"], row["reported"], expected,
                                                    is_sample=bool(row["samples"]))
                rows.append(SeriesRow(typology, year, figure, True))
        return rows

    def shown(indicator):
        return {(r.typology, r.year): r.figure for r in base_rows(indicator) if r.shown}

    def derived_rows(indicator):
        bottoms = shown(by_id.get(indicator.denominator_id) or indicator.denominator) \
            if indicator.denominator_id else {}
        rows = []
        for key, top in shown(by_id.get(indicator.numerator_id) or indicator.numerator).items():
            population = None if indicator.denominator_id else services.nearest_population(populations, top.year)
            figure = services.derived_figure(indicator, top, bottoms.get(key), population)
            if figure is not None:
                rows.append(SeriesRow(key[0], key[1], figure, True))
        return rows

    typology_order = {t: n for n, t in enumerate(Typology.values)}
    series = {}
    for indicator in indicators:
        rows = derived_rows(indicator) if indicator.is_derived else base_rows(indicator)
        rows.sort(key=lambda r: (typology_order.get(r.typology, 99), r.year, not r.shown))
        series[indicator.code] = rows
    return series


def series_chart(rows):
    """Chart data of a country's series: the years, and one line per library type (shown figures only).

    Sample figures (invented for the demonstration) are never joined to real ones: they make a line of their
    own, labelled as sample data and marked `sample` (drawn dashed)."""
    shown = [r for r in rows if r.shown]
    years = sorted({r.year for r in shown})
    lines = []
    for typology in dict.fromkeys(r.typology for r in shown):
        label = str(TYPOLOGY_LABELS.get(typology, typology))
        for sample in (False, True):
            points = {r.year: r.figure.value for r in shown if r.typology == typology and r.figure.is_sample == sample}
            if points:
                lines.append({"label": _("%(type)s (sample data)") % {"type": label} if sample else label,
                              "values": [points.get(year) for year in years], "sample": sample})
    return {"type": "line", "labels": [str(y) for y in years], "series": lines}


SERIES_CSV_COLUMNS = ["country", "indicator", "library_type", "year", "value", "unit", "shown", "source",
                      "source_name", "source_url", "basis", "estimate", "libraries_reported",
                      "libraries_registered", "population_year"]


def series_csv_rows(country, indicators, series):
    for indicator in indicators:
        for row in series.get(indicator.code, []):
            f = row.figure
            yield [country.code, indicator.code, row.typology, row.year, f"{f.value:g}", indicator.unit,
                   "yes" if row.shown else "no", f.source, f.source_name, f.source_url, f.basis,
                   "yes" if f.is_estimate else "no", "" if f.reported is None else f.reported,
                   "" if f.expected is None else f.expected, "" if f.population_year is None else f.population_year]


# A comparison --------------------------------------------------------------------------------------

COMPARE_CSV_COLUMNS = ["country", "country_name", "indicator", "library_type", "value", "year", "unit", "source",
                       "source_name", "basis", "estimate"]


def compare_csv_rows(countries, indicators, tables, typology):
    for country in countries:
        for indicator in indicators:
            f = tables[indicator.code].get(country.code)
            present = f is not None and f.value is not None
            yield [country.code, country.name, indicator.code, typology, f"{f.value:g}" if present else "",
                   f.year if present else "", indicator.unit, f.source if present else "",
                   f.source_name if present else "", f.basis if present else "",
                   ("yes" if f.is_estimate else "no") if present else ""]
