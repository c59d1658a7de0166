"""The rows and columns of any filtered list of libraries or networks, for `core.downloads.export` (CSV, XLSX, JSON
and GeoJSON).

The library columns are the import columns (plus a few read-only ones), so an export can be edited
and imported back.
"""

from sirbi.core.downloads import LIST_SEPARATOR

from .choices import SERVICES

# The columns of the import format, in order (see docs/import-format.md).
LIBRARY_COLUMNS = ["isil", "name", "country", "subdivision", "networks", "type", "status", "iso_type", "iso_subtype",
                   "statutory", "locality", "address", "postal_code", "latitude", "longitude", "website", "email",
                   "phone", "services", "description"]
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
            "iso_type": library.iso_type,
            "iso_subtype": library.iso_subtype,
            "statutory": {True: "yes", False: "no"}.get(library.statutory, ""),
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
