"""Downloads of any filtered list of libraries or networks: CSV, XLSX, JSON and GeoJSON.

The library columns are the import columns (plus a few read-only ones), so an export can be edited
and imported back.
"""

import json

from django.http import StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from sirbi.core.downloads import CsvDictWriter, Echo, xlsx_response, xlsx_row

from .choices import SERVICES

LIST_SEPARATOR = "|"
# The columns of the import format, in order (see docs/import-format.md).
LIBRARY_COLUMNS = ["isil", "name", "country", "subdivision", "networks", "type", "status", "locality", "address",
                   "postal_code", "latitude", "longitude", "website", "email", "phone", "services", "description"]
# Columns an export adds; the importer accepts and ignores them.
LIBRARY_EXTRA_COLUMNS = ["id", "sample", "updated"]
NETWORK_COLUMNS = ["code", "country", "name", "acronym", "type", "status", "governing_entity", "legal_framework",
                   "legal_framework_url", "website", "libraries_declared", "libraries_declared_is_minimum",
                   "libraries_declared_year", "libraries_declared_source", "source_url", "confidence", "updated"]
NETWORK_CONTACT_COLUMNS = ["contact_name", "contact_role", "contact_email", "contact_phone"]


def library_rows(queryset):
    """Yield one dict per library, in export column order; networks and services joined by |."""
    queryset = queryset.select_related("country", "subdivision").prefetch_related("networks")
    for library in queryset.iterator(chunk_size=2000):
        yield {
            "isil": library.isil or "",
            "name": library.name,
            "country": library.country.code,
            "subdivision": library.subdivision.code if library.subdivision_id else "",
            "networks": LIST_SEPARATOR.join(sorted(n.code for n in library.networks.all())),
            "type": library.type,
            "status": library.status,
            "locality": library.locality,
            "address": library.address,
            "postal_code": library.postal_code,
            "latitude": library.latitude,
            "longitude": library.longitude,
            "website": library.website,
            "email": library.email,
            "phone": library.phone,
            "services": LIST_SEPARATOR.join(code for code in SERVICES if getattr(library, f"service_{code}")),
            "description": library.description,
            "id": library.pk,
            "sample": library.is_sample,
            "updated": library.updated.isoformat(),
        }


def network_rows(queryset, with_contacts=False):
    columns = NETWORK_COLUMNS + (NETWORK_CONTACT_COLUMNS if with_contacts else [])
    for network in queryset.select_related("country").iterator(chunk_size=500):
        row = {column: getattr(network, column) for column in columns}
        row["country"] = network.country.code
        row["updated"] = network.updated.isoformat()
        yield row


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
