"""Public statistics pages: the region's overview, an indicator's map and table, a country's profile and a
comparison of countries. Each table downloads as CSV (?format=csv) and every chart has its table."""

from django.shortcuts import get_object_or_404, render

from sirbi.core.downloads import export
from sirbi.registry.models import Country, TypologyRule

from . import page_tables as tables
from . import reconciliation, services
from .forms import CompareForm, FigureForm, TypologyForm
from .models import Indicator, Value
from .templatetags.stats_figures import format_figure

DEFAULT_COMPARED = ["libraries", "libraries_per_100k"]


def _members():
    return sorted(Country.objects.filter(is_member=True), key=lambda c: c.name)


def _indicators():
    return list(Indicator.objects.filter(is_active=True).select_related("numerator", "denominator"))


def _wants_csv(request):
    return request.GET.get("format") == "csv"


def overview(request):
    form = TypologyForm(request.GET)
    typology = form.chosen_typology()
    countries = _members()
    rows = []
    for indicator in _indicators():
        table = services.country_table(indicator, typology, countries=countries)
        rows.append((indicator, services.region_figure(indicator, table, countries)))
    if _wants_csv(request):
        return tables.csv_response(f"sirbi-stats-{typology}", tables.OVERVIEW_CSV_COLUMNS,
                                   tables.overview_csv_rows(rows, typology))
    return render(request, "stats/overview.html", {
        "form": form, "typology": typology, "typology_label": tables.TYPOLOGY_LABELS[typology], "rows": rows,
        "member_count": len(countries),
    })


def _base_of(indicator):
    """The reported indicator a derived one is computed from (whose years are the derived one's)."""
    while indicator.is_derived:
        indicator = indicator.numerator
    return indicator


def indicator_detail(request, code):
    indicator = get_object_or_404(Indicator.objects.select_related("numerator", "denominator"), code=code,
                                  is_active=True)
    typology = TypologyForm(request.GET).chosen_typology()
    years = sorted(set(Value.objects.published().filter(indicator=_base_of(indicator), typology=typology)
                       .values_list("year", flat=True).distinct()), reverse=True)
    form = FigureForm(request.GET, years=years)
    year = form.chosen_year()
    countries = _members()
    table = services.country_table(indicator, typology, year, countries)
    rows, classes = tables.indicator_rows(table, countries)
    if _wants_csv(request):
        name = f"sirbi-{indicator.code}-{typology}-{year or 'latest'}"
        return tables.csv_response(name, tables.INDICATOR_CSV_COLUMNS,
                                   tables.indicator_csv_rows(indicator, typology, rows))
    map_data = {
        "countries": {
            row.country.numeric: {
                "name": row.country.name, "url": row.country.get_absolute_url(),
                "text": format_figure(row.figure.value if row.figure else None, indicator.unit)
                + (f" ({row.figure.year})" if row.figure else ""),
                "class": row.map_class.number if row.map_class else None,
            } for row in rows
        },
        "classes": {c.number: {"colour": c.colour, "dark": c.dark} for c in classes},
    }
    present = [row for row in rows if row.figure]
    return render(request, "stats/indicator.html", {
        "indicator": indicator, "form": form, "typology": typology, "year": year,
        "typology_label": tables.TYPOLOGY_LABELS[typology], "rows": rows, "classes": classes,
        "region": services.region_figure(indicator, table, countries), "map_data": map_data,
        "present_count": len(present), "member_count": len(countries),
        "has_population": any(row.figure.population_year for row in present),
        "has_alternatives": any(row.figure.alternatives for row in present),
        "csv_query": _query_with(request, format="csv"),
    })


def _query_with(request, **changes):
    params = request.GET.copy()
    for name, value in changes.items():
        params[name] = value
    return params.urlencode()


def country_profile(request, code):
    country = get_object_or_404(Country, code=code.upper())
    indicators = _indicators()
    series = tables.country_series(country, indicators)
    if _wants_csv(request):
        return tables.csv_response(f"sirbi-stats-{country.code}", tables.SERIES_CSV_COLUMNS,
                                   tables.series_csv_rows(country, indicators, series))
    sections = [(indicator, series[indicator.code], tables.series_chart(series[indicator.code]))
                for indicator in indicators if series[indicator.code]]
    country_needs = services.needs().get(country.code, []) if country.is_member else []
    return render(request, "stats/country.html", {
        "country": country, "sections": sections, "needs": country_needs,
        "empty": [indicator for indicator in indicators if not series[indicator.code]],
        "has_sample": any(row.figure.is_sample for rows in series.values() for row in rows),
        "charts": {indicator.code: chart for indicator, _rows, chart in sections},
    })


def compare(request):
    countries_all = _members()
    indicators_all = _indicators()
    form = CompareForm(request.GET, countries=countries_all, indicators=indicators_all)
    typology = form.chosen_typology()
    chosen_countries = set(form.chosen("countries", [c.code for c in countries_all]))
    chosen_indicators = set(form.chosen("indicator", DEFAULT_COMPARED))
    countries = [c for c in countries_all if c.code in chosen_countries]
    indicators = [i for i in indicators_all if i.code in chosen_indicators]
    figures = {i.code: services.country_table(i, typology, countries=countries) for i in indicators}
    if _wants_csv(request):
        return tables.csv_response(f"sirbi-compare-{typology}", tables.COMPARE_CSV_COLUMNS,
                                   tables.compare_csv_rows(countries, indicators, figures, typology))
    rows = [(country, [(indicator, _present(figures[indicator.code].get(country.code))) for indicator in indicators])
            for country in countries]
    charts = {
        indicator.code: {
            "type": "bar", "labels": [c.name for c in countries],
            "series": [{"label": indicator.name, "values": [
                getattr(_present(figures[indicator.code].get(c.code)), "value", None) for c in countries]}],
        } for indicator in indicators
    }
    return render(request, "stats/compare.html", {
        "form": form, "typology": typology, "typology_label": tables.TYPOLOGY_LABELS[typology],
        "countries": countries, "indicators": indicators, "rows": rows,
        "charts": charts, "csv_query": _query_with(request, format="csv"),
    })


def _present(figure):
    return figure if figure is not None and figure.value is not None else None


def reconciliation_region(request):
    """The region's library counts by Library Map of the World type: registry, LMW and networks, with the reasons."""
    countries = reconciliation.members()
    reconciled = reconciliation.reconcile(countries)
    if _wants_csv(request):
        return export(reconciliation.csv_rows(reconciled), reconciliation.CSV_COLUMNS, "csv",
                      "sirbi-reconciliation")
    return render(request, "stats/reconciliation.html", {
        "lines": reconciliation.region(reconciled), "countries": countries,
        "rules": TypologyRule.objects.all()})


def reconciliation_country(request, code):
    """One country's library counts by type, side by side, with the reasons for the differences."""
    country = get_object_or_404(Country, code=code.upper(), is_member=True)
    reconciled = reconciliation.reconcile([country])
    if _wants_csv(request):
        return export(reconciliation.csv_rows(reconciled), reconciliation.CSV_COLUMNS, "csv",
                      f"sirbi-reconciliation-{country.code}")
    return render(request, "stats/reconciliation.html", {
        "country": country, "lines": reconciled[country.code], "rules": TypologyRule.objects.all()})
