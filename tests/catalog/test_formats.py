"""The inputs beside MARC — Dublin Core XML (files and oai_dc harvests), the catalog's CSV for libraries without
a library system — and the holdings mapping (852, Koha's 952, a local 949) to libraries by ISIL or local code."""

from datetime import UTC, datetime, timedelta

import pymarc
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from sirbi.catalog import crosswalk, marc
from sirbi.catalog.harvest import harvest
from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Holding, Record, Rejected, Source
from sirbi.catalog.search import backend

from .conftest import DATA
from .oai_server import Item, TestOAIServer


@pytest.fixture(autouse=True)
def in_english():
    """The messages these stories read are the English ones (the site's default language is Spanish)."""
    with translation.override("en"):
        yield


def real_records():
    return list(pymarc.MARCReader((DATA / "pymarc-marc.dat").open("rb")))


def dublin_core(record):
    """Simple Dublin Core of a real MARC record (LC's MARC to Dublin Core crosswalk, its main elements)."""
    def values(tag, code):
        return [v.strip(" /:;,.") for f in record.get_fields(tag) for v in f.get_subfields(code)]
    return {"title": values("245", "a"), "creator": values("100", "a") + values("700", "a"),
            "subject": values("650", "a"), "publisher": values("260", "b"), "date": values("260", "c"),
            "identifier": [v.split()[0] for v in values("020", "a")] + [f"https://lccn.loc.gov/{record['001'].data}"],
            "language": ["en"], "type": ["Text"]}


def dc_file(records):
    ns = 'xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    body = "".join("<oai_dc:dc>" + "".join(f"<dc:{name}>{value}</dc:{name}>" for name, items in dublin_core(r).items()
                                           for value in items) + "</oai_dc:dc>" for r in records)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<records {ns}>{body}</records>'.encode()


@pytest.fixture
def source(lima_library):
    return Source.objects.create(code="lima", name="Biblioteca de Lima", library=lima_library)


@pytest.fixture
def cusco_library(cusco_library, pe_public):
    """Cusco's library, in the same national network as Lima's: a Lima source may list its copies."""
    cusco_library.networks.add(pe_public)
    return cusco_library


# --- Dublin Core ---------------------------------------------------------------------------------------------

def test_dublin_core_file_is_read_through_the_crosswalk(source):
    records = real_records()[:5]
    data = dc_file(records)
    assert marc.detect(data) == "dc"
    report = import_file(source, data, "records.xml")
    assert report.added == 5 and not report.rejected
    stored = Record.objects.get(local_id=dublin_core(records[0])["identifier"][-1])  # the address, not the ISBN
    assert stored.raw_format == "dc" and stored.title == "The pragmatic programmer"
    assert stored.authors == ["Hunt, Andrew", "Thomas, David"]
    assert stored.isbns == ["9780201616224"] and stored.language == "eng" and stored.year == 2000
    assert stored.material == "book" and "Computer programming" in stored.subjects
    assert bytes(stored.raw).startswith(b'<oai_dc:dc xmlns:')  # the record's element as the file has it
    # The same edition from a MARC source joins the DC record's cluster (same ISBN).
    other = Source.objects.create(code="other", name="Other", library=source.library)
    import_file(other, pymarc.Record.as_marc(records[0]), "one.mrc")
    assert Record.objects.get(source=other).cluster_id == stored.cluster_id
    # Downloads of a DC record are MARC made by the crosswalk.
    xml = source_client_download(stored)
    assert b'ind2="0" tag="245"><subfield code="a">The pragmatic programmer' in xml


def source_client_download(record):
    from django.test import Client
    with translation.override("en"):
        return Client().get(reverse("catalog:record-download", args=[record.pk, "xml"])).content


def test_dublin_core_without_title_is_quarantined_and_entities_are_refused(source):
    data = (b'<records xmlns:dc="http://purl.org/dc/elements/1.1/"><record><dc:title>Uno</dc:title></record>'
            b"<record><dc:creator>Nadie</dc:creator></record></records>")
    report = import_file(source, data, "dc.xml")
    assert report.added == 1 and report.rejected == [(2, "missing title (dc:title)")]
    bomb = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<r xmlns:dc="http://purl.org/dc/elements/1.1/"><record><dc:title>&b;</dc:title></record></r>')
    with pytest.raises(marc.FileError, match="entities or a DTD"):
        import_file(source, bomb, "bomb.xml")


def test_oai_dc_harvest_from_a_real_provider(lima_library):
    server = TestOAIServer(batch=3)
    try:
        start = datetime(2026, 1, 1, tzinfo=UTC)
        server.provider.items = [Item(f"oai:test:{n}", b"", start + timedelta(minutes=n), dc=dublin_core(r))
                                 for n, r in enumerate(real_records()[:7])]
        source = Source.objects.create(code="dc", name="DC", kind="oai", library=lima_library, base_url=server.url,
                                       metadata_prefix="oai_dc")
        source.full_clean()
        report = harvest(source)
        assert (report.added, report.pages, report.rejected) == (7, 3, [])
        assert server.requests[0]["metadataPrefix"] == "oai_dc"
        record = Record.objects.get(local_id="oai:test:0")
        assert record.raw_format == "dc" and record.title == "The pragmatic programmer"
        assert bytes(record.raw).startswith(b"<oai_dc:dc")
        assert backend().search("pragmatic").count == 1
    finally:
        server.stop()


def test_a_metadata_prefix_the_catalog_cannot_read_is_refused(lima_library):
    source = Source(code="x", name="X", kind="oai", library=lima_library, base_url="https://example.org/oai",
                    metadata_prefix="mods")
    with pytest.raises(ValidationError, match="marc21, marcxml, oai_dc"):
        source.full_clean()


# --- CSV -----------------------------------------------------------------------------------------------------

CSV_ES = (
    "identificador;título;autores;isbn;año;idioma;materias;tipo;biblioteca;signatura;código de barras;estado\n"
    "B-1;Cien años de soledad;García Márquez, Gabriel;978-84-376-0494-7;2007;spa;Novela colombiana|Realismo mágico;"
    "libro;;863 G216c;000123;disponible\n"
    "B-1;Cien años de soledad;García Márquez, Gabriel;978-84-376-0494-7;2007;spa;;libro;PE-CUS01;863 G216c;000124;"
    "prestado\n"
    "B-2;Sin año claro;;;dos mil;spa;;libro;;;;\n"
    "B-3;Isbn roto;;978-84-376-0494-8;2001;spa;;libro;;;;\n"
    "B-4;\"Poemas; antología\";Vallejo, César;;1988;es;Poesía peruana;;;861 V19;000200;disponible\n"
)


def test_csv_rows_become_records_with_their_copies(source, cusco_library):
    data = CSV_ES.encode()
    assert marc.detect(data) == "csv"
    report = import_file(source, data, "biblioteca.csv")
    assert report.added == 2
    assert report.rejected == [(4, "line 4, column year: “dos mil” is not a year of four digits"),
                               (5, "line 5, column isbn: “978-84-376-0494-8” is not a valid ISBN "
                                   "(wrong length or check digit)")]
    novel = Record.objects.get(local_id="B-1")
    assert novel.raw_format == "csv" and novel.title == "Cien años de soledad"
    assert novel.isbns == ["9788437604947"] and novel.year == 2007 and novel.language == "spa"
    assert novel.subjects == ["Novela colombiana", "Realismo mágico"]
    # Two rows of one id: one record, two copies; an empty library column is the source's own library.
    copies = {(h.library_id, h.barcode, h.status) for h in Holding.objects.filter(record=novel)}
    assert copies == {(source.library_id, "000123", "disponible"), (cusco_library.pk, "000124", "prestado")}
    # The original lines are kept with the header, and read back the same.
    assert bytes(novel.raw).decode().count("\n") == 3
    poems = Record.objects.get(local_id="B-4")
    assert poems.title == "Poemas; antología" and poems.language == "spa"  # a quoted ";" stays in the title
    assert Rejected.objects.filter(source=source).count() == 2
    # Importing it again changes nothing.
    again = import_file(source, data, "biblioteca.csv")
    assert again.unchanged == 2 and again.added == again.updated == 0


@pytest.mark.parametrize("data, message", [
    (b"titulo,autor\n\xff\xfe,x\n", "line 2 is not UTF-8"),
    (b"title,writer\nA,B\n", "unknown column(s) “writer”; the columns are: id, title, subtitle"),
    (b"author,isbn\nA,9788437604947\n", "there is no title column"),
    (b'id,title\n1,"Libro\n2,Otro\n', "line 2 cannot be read as CSV (unexpected end of data)"),
    ("title\nUno\n".encode("utf-16"), "the file is in UTF-16"),
    (b"title,titulo\nA,B\n", "column(s) title given twice"),
])
def test_csv_that_cannot_be_read_is_refused_whole(source, data, message):
    with pytest.raises(marc.FileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_file(source, data, "bad.csv")
    assert not Record.objects.exists()


def test_csv_template_in_each_language_reads_back(source, client):
    for language in ("es", "pt", "en"):
        with translation.override(language):
            body = client.get(reverse("catalog:csv-template")).content
        assert body.startswith(b"\xef\xbb\xbf")
        assert [h.lower() for h in body.decode("utf-8-sig").splitlines()[0].split(",")][:2] == \
            [h.lower() for h in crosswalk.TEMPLATE_HEADERS[language][:2]]
        parsed = list(marc.read(body))
        assert len(parsed) == 1 and not parsed[0].error, parsed[0].error
    report = import_file(source, body, "template.csv")
    assert report.added == 1 and Record.objects.get().isbns == ["9788437604947"]


# --- holdings mapping ----------------------------------------------------------------------------------------

def with_holdings(tag, rows):
    """A real LC record with holdings fields `tag` carrying `rows` ([(code, value)...] each)."""
    record = real_records()[0]
    for subfields in rows:
        record.add_field(pymarc.Field(tag=tag, indicators=pymarc.Indicators(" ", " "),
                                      subfields=[pymarc.Subfield(c, v) for c, v in subfields]))
    return record.as_marc()


def holdings():
    return sorted((h.library.isil if h.library else "", h.library_code, h.call_number, h.barcode, h.status)
                  for h in Holding.objects.all())


def test_852_holdings_by_isil(source, cusco_library, buenos_aires_library):
    source.holdings_tag, source.holdings_library, source.holdings_call_number = "852", "a", "h"
    source.holdings_barcode, source.holdings_status = "p", "z"
    source.save()
    import_file(source, with_holdings("852", [[("a", "PE-CUS01"), ("h", "QA76.6 .H857"), ("p", "39001"),
                                               ("z", "available")],
                                              [("a", "pe-lim01"), ("h", "QA76.6 .H857 c.2"), ("p", "39002")],
                                              [("a", "AR-BAP01"), ("p", "39003")]]),
                "852.mrc")
    # A library outside the source's library and network is not given the copy: the code stays as written.
    assert holdings() == [("", "AR-BAP01", "", "39003", ""),
                          ("PE-CUS01", "PE-CUS01", "QA76.6 .H857", "39001", "available"),
                          ("PE-LIM01", "pe-lim01", "QA76.6 .H857 c.2", "39002", "")]


def test_koha_952_holdings_by_branch_code(source, cusco_library):
    # Koha: 952 $a home branch (a code), $o call number, $p barcode, $7 not-for-loan status.
    source.holdings_tag, source.holdings_library, source.holdings_call_number = "952", "a", "o"
    source.holdings_barcode, source.holdings_status = "p", "7"
    source.holdings_codes = "CEN = PE-LIM01\ncus = PE-CUS01\n"
    source.full_clean()
    source.save()
    import_file(source, with_holdings("952", [[("a", "CEN"), ("o", "005.1 HUN"), ("p", "C-1"), ("7", "0")],
                                              [("a", "CUS"), ("o", "005.1 HUN"), ("p", "C-2"), ("7", "1")],
                                              [("a", "NORTE"), ("p", "C-3")]]), "koha.mrc")
    # An unknown branch keeps its code (shown as written) and is not hidden.
    assert holdings() == [("", "NORTE", "", "C-3", ""), ("PE-CUS01", "CUS", "005.1 HUN", "C-2", "1"),
                          ("PE-LIM01", "CEN", "005.1 HUN", "C-1", "0")]


def test_local_949_without_library_subfield_holds_at_the_source_library(source):
    source.holdings_tag, source.holdings_call_number, source.holdings_barcode = "949", "a", "i"
    source.save()
    import_file(source, with_holdings("949", [[("a", "005.1 H91"), ("i", "000777")]]), "949.mrc")
    assert holdings() == [("PE-LIM01", "", "005.1 H91", "000777", "")]


def test_record_without_the_holdings_field_is_one_holding_of_the_source_library(source):
    source.holdings_tag, source.holdings_library = "852", "a"
    source.save()
    import_file(source, real_records()[1].as_marc(), "plain.mrc")
    assert holdings() == [("PE-LIM01", "", "", "", "")]


def test_library_codes_are_checked(source, buenos_aires_library):
    source.holdings_codes = "CEN = PE-NOPE\nsin signo\nBA = AR-BAP01\n"
    with pytest.raises(ValidationError) as raised:
        source.full_clean()
    assert raised.value.message_dict["holdings_codes"] == [
        "line 2: write CODE = ISIL", "line 1: no library has the ISIL PE-NOPE",
        "line 3: AR-BAP01 is neither the source's library nor a library of its network"]


def test_review_cases_of_csv_and_dublin_core(source):
    # A file with the title column only, and a tab-separated one, are the catalog's CSV.
    assert marc.detect("título\nCien años de soledad\n".encode()) == "csv"
    assert import_file(source, b"id\ttitle\tyear\nT-1\tRayuela\t1963\n", "tabs.tsv").added == 1
    # Fixing a file and importing it again clears its earlier rejections.
    import_file(source, b"id,title,year\nA-1,Uno,dos mil\n", "lista.csv")
    assert Rejected.objects.filter(filename="lista.csv").count() == 1
    import_file(source, b"id,title,year\nA-1,Uno,2000\n", "lista.csv")
    assert not Rejected.objects.filter(filename="lista.csv").exists()
    # Two Dublin Core records sharing an ISBN (two volumes) are two records; the file re-indented adds nothing.
    ns = 'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    volumes = ('<r {ns}><record><dc:title>Obras, tomo 1</dc:title><dc:identifier>9788437604947</dc:identifier>'
               '</record>{gap}<record><dc:title>Obras, tomo 2</dc:title><dc:identifier>9788437604947</dc:identifier>'
               '</record>{gap}<record><dcterms:title>Término</dcterms:title></record></r>')
    first = import_file(source, volumes.format(ns=ns, gap="").encode(), "dc.xml")
    again = import_file(source, volumes.format(ns=ns, gap="\n    ").encode(), "dc.xml")
    assert (first.added, again.added, again.unchanged) == (3, 0, 3)
    assert set(Record.objects.filter(raw_format="dc").values_list("title", flat=True)) == {
        "Obras, tomo 1", "Obras, tomo 2", "Término"}
