"""Open data download files of the statistics: published values, the country tables with the region's figure
(`services.aggregate_rows`), and the indicator definitions, as CSV, XLSX or JSON.

Every file carries its licence and attribution: per row (the licence, the source and, for Library Map
of the World figures, IFLA's attribution) and, where the format has room for it, in an "about" block and
a sheet or list of the indicator definitions. Missing figures stay empty (null), never zero.
"""

import json

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from sirbi.core.downloads import LIST_SEPARATOR, CsvDictWriter, Echo, xlsx_cell, xlsx_response, xlsx_row

from .services import LICENCE, LICENCE_URL, LMW_URL, attribution, formula, levels

FORMATS = ("csv", "xlsx", "json")
VALUE_COLUMNS = ["id", "indicator", "typology", "country", "network", "library", "library_isil", "level", "year",
                 "value", "unit", "source", "source_name", "source_url", "method", "note", "is_sample", "updated",
                 "attribution", "licence"]
AGGREGATE_COLUMNS = ["indicator", "typology", "scope", "country", "country_name", "value", "unit", "year", "years",
                     "basis", "reported", "expected", "coverage", "population_year", "source", "source_name",
                     "source_url", "is_estimate", "attribution", "licence"]
INDICATOR_COLUMNS = ["code", "name_es", "name_pt", "name_en", "definition_es", "definition_pt", "definition_en",
                     "unit", "levels", "aggregation", "direction", "standard", "numerator", "denominator",
                     "multiplier"]


def indicator_rows(indicators):
    for indicator in indicators:
        derived = formula(indicator) or {}
        yield {
            **{column: getattr(indicator, column) for column in INDICATOR_COLUMNS[:8]},
            "levels": levels(indicator),
            "aggregation": indicator.aggregation,
            "direction": indicator.direction,
            "standard": indicator.standard,
            "numerator": derived.get("numerator"),
            "denominator": derived.get("denominator"),
            "multiplier": derived.get("multiplier"),
        }


def value_rows(queryset):
    """One dict per value, in VALUE_COLUMNS order."""
    queryset = queryset.select_related("indicator", "country", "network", "library")
    for value in queryset.iterator(chunk_size=2000):
        yield {
            "id": value.pk,
            "indicator": value.indicator.code,
            "typology": value.typology,
            "country": value.country.code,
            "network": value.network.code if value.network_id else None,
            "library": value.library_id,
            "library_isil": value.library.isil if value.library_id else None,
            "level": value.level,
            "year": value.year,
            "value": value.value,
            "unit": value.indicator.unit,
            "source": value.source,
            "source_name": value.source_name,
            "source_url": value.source_url,
            "method": value.method,
            "note": value.note,
            "is_sample": value.is_sample,
            "updated": value.updated.isoformat(),
            "attribution": attribution(value.source, value.source_name),
            "licence": LICENCE,
        }


def about(title, source_url=""):
    """The file's "about" block: what it is, its licence and whom to credit."""
    return {
        "title": title,
        "publisher": "SIRBI — CERLALC",
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "attribution": [
            _("SIRBI statistics of the Ibero-American library networks (CERLALC), CC BY 4.0. Please cite it "
              "with the date of the data."),
            _("Figures whose source is “lmw”: IFLA Library Map of the World (%(url)s), CC BY 4.0.")
            % {"url": LMW_URL},
            _("Other figures: the national source named in each row (source_name, source_url)."),
        ],
        "notes": _("Missing figures are empty (null), never zero. Each figure keeps its own year and source; "
                   "figures of different library types are never added together."),
        "generated": timezone.now().isoformat(timespec="seconds"),
        "source": source_url,
    }


def _flat(value):
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return "" if value is None else value


def download(rows, columns, fmt, stem, *, about_block, indicators=None):
    """An HTTP response with `rows` in `fmt`, with the about block and the definitions of `indicators`
    beside them (CSV carries its licence and attribution in columns; the definitions have their own CSV)."""
    sheets = [(stem[:31], columns, rows)]
    if indicators is not None:
        sheets.append(("indicators", INDICATOR_COLUMNS, indicator_rows(indicators)))
    if fmt == "csv":
        writer = CsvDictWriter(Echo(), fieldnames=columns, extrasaction="ignore")

        def lines():
            # A byte-order mark, so that spreadsheet programs read the file as UTF-8.
            yield "\ufeff" + writer.writerow(dict(zip(columns, columns, strict=True)))
            for row in rows:
                yield writer.writerow({k: _flat(v) for k, v in row.items()})

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        workbook = Workbook(write_only=True)
        for name, sheet_columns, sheet_rows in sheets:
            sheet = workbook.create_sheet(name)
            sheet.append(sheet_columns)
            for row in sheet_rows:
                sheet.append(xlsx_row(sheet, [_flat(row.get(column)) for column in sheet_columns]))
        sheet = workbook.create_sheet("about")
        for key, value in about_block.items():
            for line in value if isinstance(value, list) else [value]:
                sheet.append([key, xlsx_cell(sheet, line)])
        response = xlsx_response(workbook)
    elif fmt == "json":
        def chunks():
            yield '{"about": ' + json.dumps(about_block, ensure_ascii=False)
            if indicators is not None:
                yield ',\n"indicators": ' + json.dumps(list(indicator_rows(indicators)), ensure_ascii=False)
            yield ',\n"data": ['
            for index, row in enumerate(rows):
                yield ("," if index else "") + "\n" + json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False)
            yield "\n]}\n"

        response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{timezone.now():%Y%m%d}.{fmt}"'
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    return response
