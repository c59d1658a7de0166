"""Reading records from files, without Django: ISO 2709 (UTF-8 or MARC-8) through pymarc, MARCXML through
defusedxml (no entities, no network), and Dublin Core XML and the catalog's CSV through crosswalk.py. Every
record comes out as a Parsed: the pymarc Record and its bytes, or the reason it could not be read and its raw
bytes, so the caller can keep it in quarantine while the rest of the file goes in."""

from dataclasses import dataclass
from io import BytesIO

import pymarc
from defusedxml import ElementTree

from . import crosswalk
from .crosswalk import FileError

MARC_NS = "{http://www.loc.gov/MARC21/slim}"
__all__ = ["FileError", "Parsed", "detect", "read"]


@dataclass
class Parsed:
    position: int  # 1-based position of the record in the file
    record: pymarc.Record | None
    raw: bytes
    error: str = ""
    local_id: str = ""  # the source's identifier when the format carries it outside 001 (DC, CSV)
    holdings: list | None = None  # copies given beside the record (CSV), instead of the holdings field


def detect(data):
    """'iso2709', 'marcxml', 'dc' (Dublin Core XML) or 'csv', from the content."""
    head = data.lstrip()[:4000]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith(b"<"):
        if b"MARC21/slim" not in head and b"purl.org/dc/elements/1.1" in head:
            return "dc"
        return "marcxml"
    first_line = head.split(b"\n", 1)[0]
    if not head[:5].isdigit() and (b"," in first_line or b";" in first_line):
        return "csv"
    return "iso2709"


def read(data, fmt=None):
    """Parsed records of a file (bytes) in `fmt`, or the format detected from the content."""
    fmt = fmt or detect(data)
    if fmt == "marcxml":
        yield from read_marcxml(data)
    elif fmt == "dc":
        yield from read_dc(data)
    elif fmt == "csv":
        for item in crosswalk.read_csv(data):
            yield Parsed(item.line, item.converted.record if item.converted else None, item.raw, item.error,
                         item.local_id, item.converted.holdings if item.converted else None)
    else:
        yield from read_iso2709(data)


def read_dc(data):
    root = crosswalk.parse_xml(data)
    elements = crosswalk.dc_elements(root)
    if not elements:
        raise FileError("no Dublin Core record (dc: elements) in the file")
    for position, element in enumerate(elements, 1):
        raw = ElementTree.tostring(element, encoding="utf-8")
        try:
            yield Parsed(position, crosswalk.from_dc(element), raw, local_id=crosswalk.dc_identifier(element))
        except ValueError as exc:
            yield Parsed(position, None, raw, str(exc))


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
    root = crosswalk.parse_xml(data)
    records = [root] if root.tag in (f"{MARC_NS}record", "record") else \
        list(root.iter(f"{MARC_NS}record")) or list(root.iter("record"))
    if not records:
        raise FileError("no MARCXML <record> in the file")
    for position, element in enumerate(records, 1):
        raw = ElementTree.tostring(element, encoding="utf-8")
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
