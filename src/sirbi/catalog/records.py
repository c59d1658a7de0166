"""A cluster as other library systems read it: the representative record's MARC with every holding of the cluster
in an 852 field, and simple Dublin Core. The SRU and OAI-PMH providers and the downloads all serve these, so a
record reads the same whichever door a system comes through.

The 852 carries the holding library's ISIL in $a (so that an interlibrary-loan broker finds the lenders), the
library's name in $b, the call number in $h, the barcode in $p and the status as a public note in $z. The record's
001 becomes the cluster's number (the identity other systems keep), and each member record's own control number is
kept in an 035 as "(source code)identifier".
"""

import functools
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring  # building only, never parsing
from xml.sax.saxutils import escape

import pymarc
from django.db.models import F

from .marc import read
from .models import Holding, Record

MARC_XML_NS = "http://www.loc.gov/MARC21/slim"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
SRW_DC_NS = "info:srw/schema/1/dc-schema"  # SRU's Dublin Core record (info:srw/schema/1/dc-v1.1)


@dataclass
class Copy:
    """One holding as it is written out: the library by ISIL (or the source's own code when it has none)."""

    isil: str
    library: str = ""
    call_number: str = ""
    barcode: str = ""
    status: str = ""
    sample: bool = False  # at a sample library (invented for the demonstration): said in $x


@dataclass
class ClusterRecord:
    """What a cluster's record is made of: its number, the representative's stored bytes and format, the
    representative's normalised fields, the member records' identifiers and the copies."""

    cluster: int
    raw: bytes
    raw_format: str
    fields: dict
    identifiers: list = field(default_factory=list)  # (source code, local id) of each member record
    copies: list = field(default_factory=list)


def stored_marc(raw, raw_format):
    """The pymarc Record of a stored record (Dublin Core and CSV come through their crosswalk), or None."""
    for parsed in read(bytes(raw), raw_format):
        return parsed.record
    return None


def cluster_marc(item):
    """The MARC record of a cluster (a ClusterRecord), ready for MARCXML or ISO 2709."""
    record = stored_marc(item.raw, item.raw_format) or pymarc.Record()
    record.remove_fields("001", "003", "852")  # the source's own control number and locations
    record.add_ordered_field(pymarc.Field(tag="001", data=str(item.cluster)))
    seen = {f.format_field() for f in record.get_fields("035")}
    for source, local_id in item.identifiers:
        text = f"({source}){local_id}"
        if local_id and text not in seen:
            seen.add(text)
            record.add_ordered_field(pymarc.Field(tag="035", indicators=[" ", " "],
                                                  subfields=[pymarc.Subfield("a", text)]))
    for copy in item.copies:
        subfields = [pymarc.Subfield("a", copy.isil)]
        for code, value in (("b", copy.library), ("h", copy.call_number), ("p", copy.barcode), ("z", copy.status),
                            ("x", SAMPLE_NOTE if copy.sample else "")):
            if value:
                subfields.append(pymarc.Subfield(code, value))
        record.add_ordered_field(pymarc.Field(tag="852", indicators=[" ", " "], subfields=subfields))
    return record


_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot hold
_RECORD_START = (f'<record xmlns="{MARC_XML_NS}" xmlns:xsi="{_XSI}" '
                 f'xsi:schemaLocation="{MARC_XML_NS} http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd">')


@functools.lru_cache(maxsize=4096)
def _attribute(value):
    """A tag, an indicator or a subfield code, escaped (a few hundred values in all: each escaped once)."""
    return escape(value, {'"': "&quot;"})


def _text(value):
    # Most values hold none of the three characters: looking is cheaper than escaping.
    return escape(value) if ("&" in value or "<" in value or ">" in value) else value


def marcxml(record):
    """One record as a MARCXML <record> element (bytes, with the MARC 21 slim namespace, no XML declaration): the
    one MARCXML writer of the catalog (OAI-PMH, SRU, downloads). Characters XML 1.0 cannot hold are left out.

    Written as text rather than through pymarc.record_to_xml, which builds an ElementTree and serialises it: that
    was two thirds of an OAI-PMH harvest's time (benchmarks/oai_harvest.py); text is also three times faster than
    building the same elements with lxml."""
    parts = [_RECORD_START, f"<leader>{_text(str(record.leader))}</leader>"]
    for field_ in record.fields:
        tag = _attribute(field_.tag)
        if field_.is_control_field():
            parts.append(f'<controlfield tag="{tag}">{_text(field_.data or "")}</controlfield>')
            continue
        parts.append(f'<datafield tag="{tag}" ind1="{_attribute(field_.indicator1 or " ")}" '
                     f'ind2="{_attribute(field_.indicator2 or " ")}">')
        parts += [f'<subfield code="{_attribute(code)}">{_text(value or "")}</subfield>'
                  for code, value in field_.subfields]
        parts.append("</datafield>")
    parts.append("</record>")
    # One pass over the whole text: the markup itself holds none of these characters.
    return _NOT_XML.sub("", "".join(parts)).encode()


def dublin_core(item, wrapper=OAI_DC_NS):
    """Simple Dublin Core of a cluster (an oai_dc:dc element, bytes; SRU's srw_dc:dc with `wrapper=SRW_DC_NS`), from
    the representative's normalised fields: DC readers get the clean values the search shows, not the raw MARC
    punctuation."""
    register_namespace("oai_dc", OAI_DC_NS)
    register_namespace("srw_dc", SRW_DC_NS)
    register_namespace("dc", DC_NS)
    root = Element(f"{{{wrapper}}}dc")
    values = item.fields

    def add(name, value):
        if value:
            SubElement(root, f"{{{DC_NS}}}{name}").text = str(value)

    add("title", values.get("title"))
    for author in values.get("authors") or []:
        add("creator", author)
    for subject in values.get("subjects") or []:
        add("subject", subject)
    add("publisher", values.get("publisher"))
    add("date", values.get("year"))
    add("type", values.get("material"))
    for isbn in values.get("isbns") or []:
        add("identifier", f"urn:isbn:{isbn}")
    for issn in values.get("issns") or []:
        add("identifier", f"urn:issn:{issn}")
    add("language", values.get("language"))
    return tostring(root, encoding="unicode").encode()


SAMPLE_NOTE = "sample data: holding invented for the demonstration"
FIELDS = ["title", "authors", "isbns", "issns", "year", "language", "material", "edition", "publisher", "place",
          "series", "subjects"]


def load(cluster_ids):
    """{cluster id: ClusterRecord} for the clusters that have a record, in three queries whatever their number
    (records, identifiers, holdings; a fourth when a representative was deleted at its source and another member
    stands in for it); records deleted at their source and their copies are left out."""
    cluster_ids = list(cluster_ids)
    items = {}
    columns = ("cluster_id", "raw", "raw_format", *FIELDS)
    rows = list(Record.objects.filter(cluster_id__in=cluster_ids, deleted=False, pk=F("cluster__representative_id"))
                .values(*columns))
    missing = set(cluster_ids) - {row["cluster_id"] for row in rows}
    if missing:
        for row in Record.objects.filter(cluster_id__in=missing, deleted=False).order_by("cluster_id", "pk") \
                .values(*columns):
            if row["cluster_id"] in missing:
                missing.discard(row["cluster_id"])
                rows.append(row)
    for row in rows:
        cluster = row.pop("cluster_id")
        items[cluster] = ClusterRecord(cluster, row.pop("raw"), row.pop("raw_format"), row)
    members = (Record.objects.filter(cluster_id__in=items, deleted=False)
               .order_by("cluster_id", "pk").values_list("cluster_id", "source__code", "local_id"))
    for cluster, source, local_id in members:
        items[cluster].identifiers.append((source, local_id))
    copies = (Holding.objects.filter(record__cluster_id__in=items, record__deleted=False)
              .order_by("record__cluster_id", "library__isil", "library_code", "pk")
              .values_list("record__cluster_id", "library__isil", "library__name", "library_code", "call_number",
                           "barcode", "status", "library__is_sample"))
    for cluster, isil, name, code, call_number, barcode, status, sample in copies:
        items[cluster].copies.append(Copy(isil or code, name or "", call_number, barcode, status, bool(sample)))
    return items

