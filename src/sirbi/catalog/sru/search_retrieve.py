"""searchRetrieve: a CQL query over the public catalog's search index, the clusters found as MARCXML (every
holding in 852 with its library's ISIL, `catalog.records`) or Dublin Core, a page at a time."""

from django.db.models import Q
from stdnum import issn as stdissn

from sirbi.registry.models import Library

from ..models import Record
from ..records import SRW_DC_NS, cluster_marc, dublin_core, load, marcxml
from . import cql
from .diagnostics import Diagnostic
from .protocol import V12, add_diagnostics, add_record, element, response

DEFAULT_RECORDS = 10
MAX_RECORDS = 100  # stated in explain; a larger maximumRecords gets this many
MARCXML = "info:srw/schema/1/marcxml-v1.1"
DC = "info:srw/schema/1/dc-v1.1"
DIAGNOSTIC_RECORD = "info:srw/schema/1/diagnostics-v1.1"
# Each schema by its identifier and the short names clients use.
SCHEMAS = {MARCXML: MARCXML, "marcxml": MARCXML, "marc21": MARCXML, DC: DC, "dc": DC}
MAX_ISSN_CLUSTERS = 1000


class CatalogLookups:
    """What a CQL query needs from the database: libraries by ISIL, clusters by ISSN (the search index holds
    neither: its library facet is the library's number, and ISSNs are not indexed)."""

    def library_ids(self, isils):
        match = Q()
        for isil in isils:
            match |= Q(isil__iexact=isil)  # ISO 15511: an ISIL's letters are not case-sensitive
        return list(Library.objects.filter(match).values_list("pk", flat=True))

    def issn_clusters(self, issns):
        match = Q()
        for issn in issns:
            number = stdissn.format(issn) if stdissn.is_valid(issn) else issn
            match |= Q(issns__icontains=f'"{number}"')  # the record's list of ISSNs, as stored
        return list(Record.objects.filter(match, deleted=False, cluster__isnull=False)
                    .values_list("cluster_id", flat=True).distinct()[:MAX_ISSN_CLUSTERS])


def record_schema(request):
    asked = request.get("recordSchema") or "marcxml"
    if asked not in SCHEMAS and asked.lower() not in SCHEMAS:
        raise Diagnostic(66, asked)
    return SCHEMAS.get(asked) or SCHEMAS[asked.lower()]


def search_retrieve(request, engine, lookups=None):
    """The searchRetrieveResponse element for a request."""
    version, namespace = request.version, request.version.response
    root = response(version, namespace, "searchRetrieveResponse")
    diagnostics = list(request.warnings)
    try:
        start = request.number("startRecord", 1, low=1)
        maximum = min(request.number("maximumRecords", DEFAULT_RECORDS), MAX_RECORDS)
        schema = record_schema(request)
        escaping = request.escaping()
        if request.get("resultSetTTL"):
            diagnostics.append(Diagnostic(50, "resultSetTTL"))  # answered without keeping a result set
        query = cql.parse(request.get("query"), lookups or CatalogLookups())
        result = engine.find(query.tree, query.sort, offset=start - 1, limit=maximum)
        if maximum and start > 1 and start > result.count:
            raise Diagnostic(61, start)
    except Diagnostic as diagnostic:
        element(namespace, "numberOfRecords", root, 0)
        add_diagnostics(root, namespace, version, [*diagnostics, diagnostic])
        return root
    element(namespace, "numberOfRecords", root, result.count)
    if result.keys:
        holder = element(namespace, "records", root)
        items = load(result.keys)
        for position, key in enumerate(result.keys, start):
            item = items.get(key)
            if item is None:  # gone from the database since the index last heard of it
                gone = Diagnostic(64, key)
                add_record(holder, version, DIAGNOSTIC_RECORD, _diagnostic_record(gone), escaping, position)
            elif schema == MARCXML:
                add_record(holder, version, schema, marcxml(cluster_marc(item)), escaping, position)
            else:
                add_record(holder, version, schema, dublin_core(item, wrapper=SRW_DC_NS), escaping, position)
        following = start + len(result.keys)
        if following <= result.count:
            element(namespace, "nextRecordPosition", root, following)
    add_diagnostics(root, namespace, version, diagnostics)
    return root


def _diagnostic_record(diagnostic):
    """A surrogate diagnostic standing in for a record, in the diagnostic schema of SRU 1.2."""
    namespace = V12.diagnostic
    root = element(namespace, "diagnostic")
    element(namespace, "uri", root, diagnostic.uri)
    element(namespace, "details", root, diagnostic.details)
    element(namespace, "message", root, diagnostic.message)
    return root
