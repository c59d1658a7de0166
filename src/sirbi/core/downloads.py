"""Building blocks of file downloads (exports, open data, templates): CSV writers, XLSX cells and responses.

Every CSV and XLSX the platform writes goes through here, so that text people typed (a library's name, an
action's title, a change-log message) never becomes a formula when the file is opened in a spreadsheet program
("CSV injection"): in CSV, text that begins with =, +, -, @, a tab or a carriage return gets a leading single
quote (OWASP's advice), and the CSV reader of uploads (core.tables) takes that quote off again, so an export
can be imported back unchanged; in XLSX such text is written as a text cell. Numbers written as numbers (int,
float, Decimal: a negative figure, a latitude) are left as they are: a number is not a formula.
"""

import csv
import io
import json

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Between the items of a list in one cell (a library's networks, a figure's sources); the importers split on it.
LIST_SEPARATOR = "|"


class Echo:
    """A file-like object whose write returns what it was given: csv.writer lines for a streaming response."""

    def write(self, value):
        return value


def csv_cell(value):
    """A value for a CSV cell: text that a spreadsheet program would read as a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class CsvWriter:
    """csv.writer whose rows are written with csv_cell."""

    def __init__(self, out, **kwargs):
        self.writer = csv.writer(out, **kwargs)

    def writerow(self, row):
        return self.writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class CsvDictWriter(csv.DictWriter):
    """csv.DictWriter whose cells are written with csv_cell."""

    def writerow(self, rowdict):
        return super().writerow({key: csv_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts):
        for rowdict in rowdicts:
            self.writerow(rowdict)


def xlsx_cell(sheet, value):
    """A cell for `value`; text that starts like a formula stays text, so it is never evaluated (openpyxl
    would store a text beginning with = as a formula; text beginning with +, - or @ stays text anyway)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def xlsx_row(sheet, values):
    """A row for sheet.append, every value through xlsx_cell."""
    return [xlsx_cell(sheet, value) for value in values]


def xlsx_response(workbook):
    """An HTTP response holding the saved workbook."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)


def _filename(stem, extension):
    return f"{stem}-{timezone.now():%Y%m%d}.{extension}"


def export(rows, columns, fmt, stem):
    """An HTTP response with `rows` in `fmt` (csv, xlsx, json or geojson)."""
    if fmt == "csv":
        writer = CsvDictWriter(Echo(), fieldnames=columns, extrasaction="ignore")

        def lines():
            # A byte-order mark, so that spreadsheet programs read the file as UTF-8.
            yield "\ufeff" + writer.writerow(dict(zip(columns, columns, strict=True)))
            for row in rows:
                yield writer.writerow({k: ("" if v is None else v) for k, v in row.items()})

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(stem)
        sheet.append(columns)
        for row in rows:
            sheet.append(xlsx_row(sheet, [row.get(column) for column in columns]))
        response = xlsx_response(workbook)
    elif fmt == "json":
        def chunks():
            yield "["
            for index, row in enumerate(rows):
                yield ("," if index else "") + "\n" + json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False)
            yield "\n]\n"

        response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    elif fmt == "geojson":
        def features():
            yield '{"type": "FeatureCollection", "features": ['
            first = True
            for row in rows:
                geometry = None
                if row.get("latitude") is not None and row.get("longitude") is not None:
                    geometry = {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]}
                feature = {"type": "Feature", "id": row.get("id"), "geometry": geometry,
                           "properties": {c: row.get(c) for c in columns if c not in ("latitude", "longitude")}}
                yield ("" if first else ",") + "\n" + json.dumps(feature, ensure_ascii=False)
                first = False
            yield "\n]}\n"

        response = StreamingHttpResponse(features(), content_type="application/geo+json; charset=utf-8")
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, fmt)}"'
    return response


EXPORT_FORMATS = ("csv", "xlsx", "json", "geojson")
