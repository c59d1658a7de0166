"""A cluster as other systems read it: one MARC record with every copy in 852 ($a the library's ISIL), and Dublin
Core; valid MARCXML and oai_dc."""

import pymarc
from defusedxml import ElementTree
from lxml import etree  # canonical forms of what we wrote, parsed without entities

from sirbi.catalog.models import Cluster, Holding
from sirbi.catalog.records import cluster_marc, dublin_core, load, marcxml
from tests.standards import assert_valid


def shared_cluster():
    """A cluster both test libraries hold (the 20 records of marc.dat are in Lima's and Palermo's files)."""
    return next(c for c in Cluster.objects.all() if Holding.objects.filter(record__cluster=c).count() >= 2)


def test_a_cluster_record_carries_every_holding_with_its_isil(catalog, lima_library, buenos_aires_library):
    cluster = shared_cluster()
    Holding.objects.filter(record__cluster=cluster, library=lima_library).update(call_number="863 G216c",
                                                                                  status="available")
    record = cluster_marc(load([cluster.pk])[cluster.pk])
    assert record["001"].data == str(cluster.pk)
    places = {(f.get("a"), f.get("h"), f.get("z")) for f in record.get_fields("852")}
    assert (lima_library.isil, "863 G216c", "available") in places
    assert buenos_aires_library.isil in {a for a, _, _ in places}
    assert {f["a"] for f in record.get_fields("035")} >= {f"(lima){r.local_id}" for r in cluster.records.all()
                                                           if r.source.code == "lima"}
    assert_valid("MARC21slim.xsd", marcxml(record))


def test_a_record_deleted_at_its_source_leaves_with_its_copies(catalog, lima_library):
    cluster = shared_cluster()
    cluster.records.filter(source__code="lima").update(deleted=True)
    item = load([cluster.pk])[cluster.pk]
    assert lima_library.isil not in {copy.isil for copy in item.copies}
    assert all(source != "lima" for source, _ in item.identifiers)


def test_dublin_core_of_a_cluster_is_valid_oai_dc(catalog):
    cluster = shared_cluster()
    item = load([cluster.pk])[cluster.pk]
    xml = dublin_core(item)
    assert_valid("oai_dc.xsd", xml)
    titles = [e.text for e in ElementTree.fromstring(xml) if e.tag.endswith("}title")]
    assert titles == [item.fields["title"]]


def test_loading_many_clusters_costs_three_queries(catalog, django_assert_num_queries):
    ids = list(Cluster.objects.values_list("pk", flat=True))
    with django_assert_num_queries(3):
        items = load(ids)
    assert len(items) == len(ids)
    assert all(isinstance(cluster_marc(item), pymarc.Record) for item in items.values())


def test_marcxml_leaves_out_characters_xml_cannot_hold():
    """A record may carry control characters (a stray escape from a MARC-8 conversion, a form feed): the MARCXML
    every door serves stays well-formed and valid, the rest of the text kept."""
    record = pymarc.Record(leader="00000nam a2200000 a 4500")
    record.add_field(pymarc.Field(tag="001", data="id\x1b1"))
    record.add_field(pymarc.Field(tag="245", indicators=["1", "0"],
                                  subfields=[pymarc.Subfield("a", "Cien a\x0cños & <otros> \"cuentos\"")]))
    xml = marcxml(record)
    assert_valid("MARC21slim.xsd", xml)
    parsed = etree.fromstring(xml, etree.XMLParser(resolve_entities=False))
    namespace = {"m": "http://www.loc.gov/MARC21/slim"}
    assert parsed.findtext("m:controlfield", namespaces=namespace) == "id1"
    assert parsed.findtext("m:datafield/m:subfield", namespaces=namespace) == 'Cien años & <otros> "cuentos"'


def test_marcxml_writes_the_same_elements_as_pymarc():
    """records.marcxml writes MARCXML as text (for speed); a parser reads from it what pymarc's writer gives."""
    from pathlib import Path
    from xml.etree import ElementTree as StdTree

    import pymarc

    data = Path(__file__).resolve().parents[1] / "data" / "marc"
    records = [r for name in ("pymarc-marc.dat", "pymarc-diacritic.dat")
               for r in pymarc.MARCReader((data / name).read_bytes())]
    for record in records:
        ours, theirs = marcxml(record), pymarc.record_to_xml(record, namespace=True)
        ElementTree.fromstring(ours)  # well-formed, read safely
        assert StdTree.canonicalize(ours.decode()) == StdTree.canonicalize(theirs.decode())  # C14N: attribute order
    assert len(records) > 20
