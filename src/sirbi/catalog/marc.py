"""Reading MARC records from files, without Django: ISO 2709 (UTF-8 or MARC-8) through pymarc, MARCXML
through defusedxml (no entities, no network). Every record comes out as a Parsed: the pymarc Record and its
bytes, or the reason it could not be read and its raw bytes, so the caller can keep it in quarantine while
the rest of the file goes in."""

from dataclasses import dataclass
from io import BytesIO

import pymarc
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

MARC_NS = "{http://www.loc.gov/MARC21/slim}"


@dataclass
class Parsed:
    position: int  # 1-based position of the record in the file
    record: pymarc.Record | None
    raw: bytes
    error: str = ""


class FileError(Exception):
    """The file as a whole cannot be read (not MARC, malformed or dangerous XML)."""


def detect(data):
    """'marcxml' or 'iso2709', from the content."""
    head = data.lstrip()[:200]
    if head.startswith(b"<") or head.startswith(b"\xef\xbb\xbf<"):
        return "marcxml"
    return "iso2709"


def read(data):
    """Parsed records of a MARC file (bytes), format detected from the content."""
    if detect(data) == "marcxml":
        yield from read_marcxml(data)
    else:
        yield from read_iso2709(data)


def read_iso2709(data):
    # permissive: a broken record is returned as None (with the reason) and reading goes on with the next one.
    reader = pymarc.MARCReader(BytesIO(data), to_unicode=True, force_utf8=False, permissive=True,
                               utf8_handling="strict")
    position = 0
    for record in reader:
        position += 1
        chunk = bytes(reader.current_chunk or b"")
        if record is None:
            exception = reader.current_exception
            yield Parsed(position, None, chunk, f"{type(exception).__name__}: {exception}" if exception
                         else "unreadable record")
            continue
        yield Parsed(position, record, chunk)


def _text(element):
    return element.text or ""


def read_marcxml(data):
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FileError(f"the XML declares entities or a DTD, which are refused ({type(exc).__name__})") from exc
    except ElementTree.ParseError as exc:
        raise FileError(f"the XML is malformed: {exc}") from exc
    records = [root] if root.tag in (f"{MARC_NS}record", "record") else \
        list(root.iter(f"{MARC_NS}record")) or list(root.iter("record"))
    if not records:
        raise FileError("no MARCXML <record> in the file")
    for position, element in enumerate(records, 1):
        raw = ElementTree.tostring(element, encoding="utf-8") if hasattr(ElementTree, "tostring") else b""
        try:
            yield Parsed(position, _record_from_xml(element), raw)
        except (ValueError, KeyError) as exc:
            yield Parsed(position, None, raw, f"{type(exc).__name__}: {exc}")


def _children(element, name):
    return element.findall(f"{MARC_NS}{name}") or element.findall(name)


def _record_from_xml(element):
    record = pymarc.Record(force_utf8=True)
    leaders = _children(element, "leader")
    if leaders:
        leader = _text(leaders[0])
        if len(leader) != 24:
            raise ValueError(f"leader of {len(leader)} characters, not 24")
        record.leader = pymarc.Leader(leader)
    for control in _children(element, "controlfield"):
        record.add_field(pymarc.Field(tag=control.get("tag", ""), data=_text(control)))
    for datafield in _children(element, "datafield"):
        subfields = [pymarc.Subfield(code=sub.get("code", ""), value=_text(sub))
                     for sub in _children(datafield, "subfield")]
        record.add_field(pymarc.Field(tag=datafield.get("tag", ""),
                                      indicators=pymarc.Indicators(datafield.get("ind1", " ") or " ",
                                                                   datafield.get("ind2", " ") or " "),
                                      subfields=subfields))
    return record
