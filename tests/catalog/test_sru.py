"""The SRU server at /sru: a library system (a Koha, a VuFind, an ILL broker) searches the union catalog in CQL
and gets MARCXML with every holding, in SRU 2.0 or 1.2; every answer validates against the SRU 2.0 schemas, and
every mistake is answered by a standard diagnostic, never by an error page."""

import io
from xml.etree.ElementTree import tostring  # writing back what defusedxml parsed, never parsing

import pymarc
import pytest
from defusedxml import ElementTree

from sirbi.catalog.models import Cluster, Record
from sirbi.catalog.search import TantivyBackend
from tests.standards import assert_valid

SRU = "http://docs.oasis-open.org/ns/search-ws/sruResponse"
SRW = "http://www.loc.gov/zing/srw/"
SCAN = "http://docs.oasis-open.org/ns/search-ws/scan"
DIAG = "http://docs.oasis-open.org/ns/search-ws/diagnostic"
MARC = "http://www.loc.gov/MARC21/slim"
ZEEREX = "http://explain.z3950.org/dtd/2.0/"


def sru(client, method="get", **params):
    """The answer to an SRU request, checked: HTTP 200, XML, and (SRU 2.0) valid against the OASIS schemas."""
    response = getattr(client, method)("/sru", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    if params.get("version", "2.0") == "2.0":
        assert_valid("scan.xsd" if root.tag == f"{{{SCAN}}}scanResponse" else "sruResponse.xsd", response.content)
    return root


def count(root, namespace=SRU):
    return int(root.findtext(f"{{{namespace}}}numberOfRecords"))


def diagnostics(root, namespace=DIAG):
    return [(d.findtext(f"{{{namespace}}}uri").rsplit("/", 1)[1], d.findtext(f"{{{namespace}}}details"))
            for d in root.iter(f"{{{namespace}}}diagnostic")]


def marc_records(root):
    """The MARCXML records of an answer, read by pymarc."""
    return [pymarc.parse_xml_to_array(io.BytesIO(tostring(r)))[0] for r in root.iter(f"{{{MARC}}}record")]


def cluster_of(title):
    return Record.objects.filter(title__startswith=title).first().cluster_id


def found(client, query, **params):
    """The cluster numbers a CQL query finds (001 of each MARCXML record), in order."""
    root = sru(client, query=query, **{"maximumRecords": 100, **params})
    return [int(r["001"].data) for r in marc_records(root)]


def test_explain_tells_a_client_the_indexes_schemas_and_limits(client, db):
    root = sru(client)  # no parameters: SRU 2.0's explain
    assert root.tag == f"{{{SRU}}}explainResponse"
    zeerex = root.find(f".//{{{ZEEREX}}}explain")
    names = {(n.get("set"), n.text) for n in zeerex.iter(f"{{{ZEEREX}}}name")}
    assert {("dc", "title"), ("dc", "creator"), ("bath", "isbn"), ("rec", "id"), ("sirbi", "library")} <= names
    schemas = {s.get("identifier") for s in zeerex.iter(f"{{{ZEEREX}}}schema")}
    assert schemas == {"info:srw/schema/1/marcxml-v1.1", "info:srw/schema/1/dc-v1.1"}
    limits = {s.get("type"): s.text for s in zeerex.iter(f"{{{ZEEREX}}}setting")}
    assert limits["maximumRecords"] == "100"
    assert zeerex.find(f"{{{ZEEREX}}}serverInfo").get("version") == "2.0"
    old = sru(client, version="1.2", operation="explain")
    assert old.tag == f"{{{SRW}}}explainResponse" and old.findtext(f"{{{SRW}}}version") == "1.2"


def test_a_broker_finds_a_book_and_every_library_that_holds_it(client, catalog, lima_library, buenos_aires_library):
    root = sru(client, query='"pragmatic programmer"', recordSchema="info:srw/schema/1/marcxml-v1.1")
    assert count(root) == 1
    record = root.find(f".//{{{SRU}}}record")
    assert record.findtext(f"{{{SRU}}}recordSchema") == "info:srw/schema/1/marcxml-v1.1"
    assert record.findtext(f"{{{SRU}}}recordPosition") == "1"
    marc = record.find(f".//{{{MARC}}}record")
    assert_valid("MARC21slim.xsd", tostring(marc))
    (parsed,) = marc_records(root)
    assert parsed["001"].data == str(cluster_of("The pragmatic programmer"))
    assert {f["a"] for f in parsed.get_fields("852")} == {lima_library.isil, buenos_aires_library.isil}


def test_sru_12_answers_in_its_own_namespace_with_operation_and_version(client, catalog):
    root = sru(client, version="1.2", operation="searchRetrieve", query="dc.title = python", maximumRecords=2)
    assert root.tag == f"{{{SRW}}}searchRetrieveResponse"
    assert root.findtext(f"{{{SRW}}}version") == "1.2"
    assert count(root, SRW) >= 10
    records = root.findall(f"{{{SRW}}}records/{{{SRW}}}record")
    assert len(records) == 2 and records[0].findtext(f"{{{SRW}}}recordPacking") == "xml"
    assert root.findtext(f"{{{SRW}}}nextRecordPosition") == "3"


@pytest.mark.parametrize(("query", "title"), [
    ("dc.title = pragmatic", "The pragmatic programmer"),
    ('dc.title adj "programming on win32"', "Python programming on Win32"),
    ("dc.creator = lutz and dc.title = learning", "Learning Python"),
    ("dc.author = lutz and dc.title = learning", "Learning Python"),
    ('dc.subject = "object-oriented"', "Design patterns"),
    ("bath.isbn = 0-201-61622-X", "The pragmatic programmer"),  # ISBN-10, hyphens and all: found as ISBN-13
    ("bath.isbn == 9780201616224", "The pragmatic programmer"),
    ("Amateur", "Amateur media"),  # cql.serverChoice
    ("amateur and dc.date within \"2010 2014\"", "Amateur media"),
    ("lisp and dc.language = eng", "ANSI Common Lisp"),
])
def test_fielded_searches_find_the_book(client, catalog, query, title):
    assert cluster_of(title) in found(client, query)


def test_relations_booleans_and_proximity(client, catalog):
    python = set(found(client, "dc.title = python"))
    assert set(found(client, 'dc.title all "python cookbook"')) == {cluster_of("Python cookbook")}
    assert set(found(client, 'dc.title any "cookbook lisp"')) == {cluster_of("Python cookbook"),
                                                                    cluster_of("ANSI Common Lisp")}
    assert set(found(client, 'dc.title = "python cookbook"')) == {cluster_of("Python cookbook")}  # = is adj
    assert not found(client, 'dc.title adj "cookbook python"')
    assert set(found(client, "dc.title = python not dc.title = programming")) < python
    assert set(found(client, "dc.title = python or dc.title = lisp")) == python | {cluster_of("ANSI Common Lisp")}
    assert set(found(client, "dc.title = pyth*")) == python  # masking
    # "Python programming on Win32": the two words three apart, either order unless asked.
    assert set(found(client, "dc.title = win32 prox/unit=word/distance<=3 dc.title = python")) == {
        cluster_of("Python programming on Win32")}
    assert not found(client, "dc.title = python prox/unit=word/distance<=2 dc.title = win32")
    assert not found(client, "dc.title = win32 prox/unit=word/distance<=3/ordered dc.title = python")
    assert found(client, "cql.allRecords = 1") and len(found(client, "cql.allRecords = 1")) == 23


def test_years_ids_and_where_a_book_is_held(client, catalog, lima_library, buenos_aires_library, pe_public):
    amateur = cluster_of("Amateur media")
    assert amateur in found(client, "dc.date > 2011") and amateur not in found(client, "dc.date < 2012")
    assert amateur in found(client, "dc.date >= 2012") and amateur in found(client, "dc.date = 2012")
    assert found(client, f"rec.id = {amateur}") == [amateur]
    held_in_lima = set(found(client, "sirbi.library = pe-lim01"))  # an ISIL's letters in any case
    assert len(held_in_lima) == 20 and amateur not in held_in_lima
    assert set(found(client, "sirbi.country = PE")) == held_in_lima
    assert set(found(client, f"sirbi.network = {pe_public.code}")) == held_in_lima
    assert amateur in found(client, f"sirbi.library = {buenos_aires_library.isil}")
    assert not found(client, "sirbi.library = XX-NONE")


def test_an_issn_finds_the_serial(client, catalog):
    serial = Record.objects.get(title__startswith="Amateur media")
    Record.objects.filter(pk=serial.pk).update(issns=["0317-8471"])
    assert found(client, "bath.issn = 03178471") == [serial.cluster_id]
    assert not found(client, "bath.issn = 1050-124X")


def test_sorting_and_paging(client, catalog):
    by_title = [Cluster.objects.get(pk=k).representative.sort_title
                for k in found(client, "dc.title = python sortBy dc.title")]
    assert by_title == sorted(by_title)
    years = [Cluster.objects.get(pk=k).representative.year
             for k in found(client, "dc.title = python sortBy dc.date/sort.descending")]
    assert years == sorted(years, reverse=True)
    everything = found(client, "dc.title = python sortBy dc.title")
    page = sru(client, query="dc.title = python sortBy dc.title", startRecord=3, maximumRecords=4)
    assert [int(r["001"].data) for r in marc_records(page)] == everything[2:6]
    assert [p.text for p in page.iter(f"{{{SRU}}}recordPosition")] == ["3", "4", "5", "6"]
    assert page.findtext(f"{{{SRU}}}nextRecordPosition") == "7"
    last = sru(client, query="dc.title = python", startRecord=len(everything), maximumRecords=5)
    assert last.find(f"{{{SRU}}}nextRecordPosition") is None
    counted = sru(client, query="dc.title = python", maximumRecords=0)
    assert count(counted) == len(everything) and counted.find(f"{{{SRU}}}records") is None
    assert len(found(client, "cql.allRecords = 1", maximumRecords=1000)) == 23  # capped at 100, all fit


def test_dublin_core_and_records_as_strings(client, catalog):
    root = sru(client, query="dc.creator = lutz", recordSchema="dc")
    dc = root.find(".//{info:srw/schema/1/dc-schema}dc")
    assert {e.text for e in dc.iter("{http://purl.org/dc/elements/1.1/}creator")} == {"Lutz, Mark"}
    escaped = sru(client, query="dc.creator = lutz", recordXMLEscaping="string", maximumRecords=1)
    data = escaped.find(f".//{{{SRU}}}recordData")
    assert len(data) == 0 and data.text.startswith("<record")
    assert ElementTree.fromstring(data.text).find(f"{{{MARC}}}controlfield").get("tag") == "001"
    old = sru(client, version="1.2", operation="searchRetrieve", query="dc.creator = lutz", recordPacking="string")
    assert old.findtext(f".//{{{SRW}}}recordPacking") == "string"


@pytest.mark.parametrize(("params", "number", "details"), [
    ({"query": "dc.title = (python"}, "10", None),
    ({"query": "dc.title ="}, "10", None),
    ({"query": "dc.format = book"}, "16", "dc.format"),
    ({"query": "dc.title < python"}, "19", "<"),
    ({"query": "dc.title =/stem python"}, "20", "stem"),
    ({"query": "marc.245 = python"}, "15", "marc"),
    ({"query": "dc.date = soon"}, "36", None),
    ({"query": "rec.id = twelve"}, "36", None),
    ({"query": "bath.isbn = 978*"}, "28", None),
    ({"query": 'dc.title = ""'}, "27", None),
    ({"query": "python", "recordSchema": "mods"}, "66", "mods"),
    ({"query": "python", "startRecord": "500"}, "61", "500"),
    ({"query": "python", "startRecord": "zero"}, "6", "startRecord"),
    ({"query": "python", "recordXMLEscaping": "base64"}, "71", "base64"),
    ({"query": "python sortBy dc.publisher"}, "16", "dc.publisher"),
    ({"query": "python", "version": "3.0"}, "5", "2.0"),
    ({"operation": "update", "version": "1.2"}, "4", "update"),
    ({"operation": "searchRetrieve", "version": "1.2"}, "7", "query"),
    ({"operation": "scan"}, "7", "scanClause"),
    ({"scanClause": "dc.date = 2000"}, "16", None),
    ({"scanClause": "dc.title = python", "responsePosition": "30"}, "120", "30"),
])
def test_every_mistake_is_a_standard_diagnostic(client, catalog, params, number, details):
    version = params.get("version")
    root = sru(client, **params)
    namespace = "http://www.loc.gov/zing/srw/diagnostic/" if version == "1.2" else DIAG
    ((got, got_details),) = diagnostics(root, namespace)
    assert got == number
    if details is not None:
        assert got_details == details


def test_a_result_set_ttl_is_ignored_with_the_standard_diagnostic(client, catalog):
    root = sru(client, query="python", resultSetTTL="300", maximumRecords=1)
    assert count(root) >= 10 and len(marc_records(root)) == 1
    assert diagnostics(root) == [("50", "resultSetTTL")]


def test_a_failure_inside_is_diagnostic_1_not_an_error_page(client, catalog, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("the index is unreadable")

    monkeypatch.setattr(TantivyBackend, "find", broken)
    root = sru(client, query="python")
    assert diagnostics(root)[0][0] == "1" and "unreadable" not in diagnostics(root)[0][1]


def test_scan_browses_title_words_with_their_counts(client, catalog):
    root = sru(client, operation="scan", scanClause="dc.title = pyth", maximumTerms=3)
    terms = [(t.findtext(f"{{{SCAN}}}value"), int(t.findtext(f"{{{SCAN}}}numberOfRecords")))
             for t in root.iter(f"{{{SCAN}}}term")]
    values = [value for value, _n in terms]
    assert values[0] == "python" and values == sorted(values) and len(values) == 3
    assert dict(terms)["python"] == len(found(client, "dc.title = python"))
    around = sru(client, scanClause="dc.title = python", responsePosition=2, maximumTerms=3)
    assert [t.findtext(f"{{{SCAN}}}value") for t in around.iter(f"{{{SCAN}}}term")][1] == "python"
    old = sru(client, version="1.2", operation="scan", scanClause="dc.creator = lutz", maximumTerms=1)
    assert old.findtext(f"{{{SRW}}}terms/{{{SRW}}}term/{{{SRW}}}value") == "lutz"


def test_a_post_is_answered_like_a_get(client, catalog):
    root = sru(client, method="post", version="2.0", operation="searchRetrieve", query="lisp")
    assert found(client, "lisp") == [int(r["001"].data) for r in marc_records(root)]


def test_prefix_assignments_name_the_context_sets(client, catalog):
    python = set(found(client, "dc.title = python"))
    assert set(found(client, '> d = "info:srw/cql-context-set/1/dc-v1.1" d.title = python')) == python
    assert set(found(client, "title = python")) == python  # an index without its set: the first set that has it
    root = sru(client, query='> d = "http://example.org/other-set" d.title = python')
    assert diagnostics(root) == [("15", "http://example.org/other-set")]
