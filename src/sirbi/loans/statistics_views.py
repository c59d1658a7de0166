"""Public interlibrary loan statistics pages (issue #17 §5): the region's and a country's, a network's or a
library's figures for a year, the flow matrix with its chart, and their CSV. Aggregates only: no request, title
or patron reference reaches these pages (loans/statistics.py counts in the database)."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from sirbi.registry.models import Country, Library, Network
from sirbi.stats.page_tables import csv_response

from . import statistics
from .choices import REASON_UNFILLED_LABELS, RotaOutcome

LEVELS = ("country", "network", "library")
UNIT_COLUMNS = ["year", "unit", "unit_name", "requests_made", "loans_requested", "copies_requested", "filled",
                "fill_rate", "unfilled", "requests_received", "supplied", "loans_supplied", "copies_supplied",
                "median_days_to_shipment", "median_days_to_receipt", "sample"]
FLOW_COLUMNS = ["year", "lender_country", "borrower_country", "supplied", "sample"]


def _year(request, years):
    raw = request.GET.get("year", "")
    if raw.isdigit() and 1900 <= int(raw) <= 2100:
        return int(raw)
    return years[0] if years else None


def _unit(level, key):
    """(unit key, its name, the object) of a page's unit; 404 for anything else."""
    if level == "country":
        country = get_object_or_404(Country, code=key.upper())
        return country.code, country.name, country
    if not key.isdigit():
        raise Http404
    if level == "network":
        network = get_object_or_404(Network, pk=key)
        return f"network:{network.pk}", network.name, network
    if level == "library":
        library = get_object_or_404(Library.objects.select_related("country"), pk=key)
        return f"library:{library.pk}", library.name, library
    raise Http404


def _parts(stats, level, obj):
    """The units one level below the page's (countries of the region, networks and libraries of a country,
    libraries of a network), as (level, key, name, Figures) rows with figures."""
    rows = []
    if level is None:
        for code, country in stats.countries.items():
            rows.append(("country", code, country.name, stats.of(code)))
    if level == "country":
        networks = Network.objects.filter(pk__in={int(k.split(":")[1]) for k in stats.units if
                                                  k.startswith("network:")}, country=obj)
        rows += [("network", str(n.pk), n.name, stats.of(f"network:{n.pk}")) for n in networks]
    if level in ("country", "network"):
        for library_id, library in stats.libraries.items():
            inside = (library.country.code == obj.code if level == "country"
                      else obj.pk in stats.networks.get(library_id, set()))
            if inside:
                rows.append(("library", str(library_id), library.name, stats.of(f"library:{library_id}")))
    return sorted(rows, key=lambda row: (LEVELS.index(row[0]), row[2]))


def _reason_label(code):
    labels = {**REASON_UNFILLED_LABELS, **dict(RotaOutcome.choices)}
    return labels.get(code, code)


def _number(value, digits=1):
    return "" if value is None else f"{value:.{digits}f}".rstrip("0").rstrip(".")


def _unit_csv_row(year, key, name, figures):
    return [year, key, name, figures.made, figures.made_loans, figures.made_copies, figures.filled,
            _number(figures.fill_rate, 4), figures.unfilled, figures.received, figures.lent, figures.lent_loans,
            figures.lent_copies, _number(figures.median_to_shipment, 2), _number(figures.median_to_receipt, 2),
            "yes" if figures.is_sample else "no"]


def _flow_chart(stats):
    """A stacked bar chart of the matrix: one bar per lending country, one segment per borrowing country."""
    countries = stats.countries_in_flows()
    lenders = [c for c in countries if any(a == c.code for a, _b in stats.flows)]
    return {"type": "bar", "stacked": True, "labels": [c.name for c in lenders],
            "series": [{"label": borrower.name,
                        "values": [stats.flows.get((lender.code, borrower.code)) or None for lender in lenders]}
                       for borrower in countries if any(b == borrower.code for _a, b in stats.flows)]}


def statistics_page(request, level=None, key=None):
    """/loans/statistics/ (the region) and /loans/statistics/<level>/<key>/ (a country, network or library)."""
    if level is not None and level not in LEVELS:
        raise Http404
    unit_key, name, obj = _unit(level, key) if level else (statistics.REGION, None, None)
    years = statistics.years()
    year = _year(request, years)
    stats = statistics.compute(year) if year else None
    figures = stats.of(unit_key) if stats else statistics.Figures()
    parts = _parts(stats, level, obj) if stats else []
    if request.GET.get("format") == "csv" and stats:
        slug = unit_key.replace(":", "-").lower()
        if request.GET.get("table") == "flows":
            return csv_response(f"sirbi-ill-flows-{year}", FLOW_COLUMNS, (
                [year, a, b, n, "yes" if stats.flow_samples.get((a, b)) else "no"]
                for (a, b), n in sorted(stats.flows.items())))
        rows = [_unit_csv_row(year, unit_key, name or _("Region"), figures)]
        rows += [_unit_csv_row(year, f"{lv}:{k}" if lv != "country" else k, n, f) for lv, k, n, f in parts]
        return csv_response(f"sirbi-ill-{slug}-{year}", UNIT_COLUMNS, rows)
    reasons = sorted(((_reason_label(code), n) for code, n in figures.unfilled_reasons.items()),
                     key=lambda pair: -pair[1])
    return render(request, "loans/statistics.html", {
        "level": level, "key": key, "name": name, "unit": obj, "years": years, "year": year, "stats": stats,
        "figures": figures, "parts": parts, "reasons": reasons,
        "flow_rows": stats.flow_rows() if stats else [], "flow_columns": stats.flow_columns() if stats else [],
        "flow_total": sum(stats.flows.values()) if stats else 0,
        "charts": {"flows": _flow_chart(stats)} if stats and stats.flows else {},
    })
