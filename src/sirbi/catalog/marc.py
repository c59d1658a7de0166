"""Reading records from files, without Django: ISO 2709 (UTF-8 or MARC-8) through pymarc, MARCXML through
defusedxml (no entities, no network), and Dublin Core XML and the catalog's CSV through crosswalk.py. Every
record comes out as a Parsed: the pymarc Record and its bytes, or the reason it could not be read and its raw
bytes, so the caller can keep it in quarantine while the rest of the file goes in.

Imports read ISO 2709 with `fast=True`: rmarc, a reimplementation of pymarc 5.4 in Rust with the same API,
decodes about twice as fast. pymarc stays the reference: a record rmarc refuses is read again by pymarc, and
only pymarc's refusal sends it to quarantine (with pymarc's reason); tests/catalog/test_readers.py and
benchmarks/catalog_ingest.py check that both give the same normalised fields. Pages, downloads and the providers
read stored records with pymarc."""

import re
from dataclasses import dataclass

import pymarc
import rmarc
from defusedxml import ElementTree
from django.utils.translation import gettext as _

from . import crosswalk
from .crosswalk import FileError

MARC_NS = "{http://www.loc.gov/MARC21/slim}"
__all__ = ["FileError", "Parsed", "detect", "read"]


@dataclass
class Parsed:
    position: int  # 1-based position of the record in the file
    record: pymarc.Record | rmarc.Record | None
    raw: bytes
    error: str = ""
    local_id: str = ""  # the source's identifier when the format carries it outside 001 (DC, CSV)
    holdings: list | None = None  # copies given beside the record (CSV), instead of the holdings field


def detect(data):
    """'iso2709', 'marcxml', 'dc' (Dublin Core XML) or 'csv', from the content."""
    if data[:4] == b"PK\x03\x04":  # never unpacked here (a workbook can be a zip bomb): named, and refused
        raise FileError(_("the file is a spreadsheet workbook (or another zip archive), not MARC, Dublin Core or CSV: "
                          "save its sheet as “CSV UTF-8” with the columns of the catalog's CSV template."))
    head = data.lstrip()[:4000]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith(b"<"):
        marc_namespace = re.search(rb'xmlns(:\w+)?\s*=\s*["\']http://www\.loc\.gov/MARC21/slim', head)
        if not marc_namespace and re.search(rb"purl\.org/dc/(elements/1\.1|terms)", head):
            return "dc"
        return "marcxml"
    if crosswalk.looks_like_csv(head):
        return "csv"
    return "iso2709"


def read(data, fmt=None, fast=False):
    """Parsed records of a file (bytes) in `fmt`, or the format detected from the content; `fast`: ISO 2709
    through rmarc (its records have pymarc's API), pymarc for what rmarc refuses."""
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
        yield from read_iso2709(data, fast)


def read_dc(data):
    root = crosswalk.parse_xml(data)
    elements = crosswalk.dc_elements(root)
    if not elements:
        raise FileError(_("there is no Dublin Core record (dc: elements) in the file."))
    seen = set()
    for position, element in enumerate(elements, 1):
        element.tail = None  # the record's own bytes, not the spaces after it
        raw = ElementTree.tostring(element, encoding="utf-8")
        identifier = crosswalk.dc_identifier(element)
        if identifier in seen:
            identifier = ""  # two records naming themselves alike (two volumes, one ISBN): known by their content
        seen.add(identifier)
        yield dc_parsed(element, raw, position, identifier)


def dc_parsed(element, raw, position=1, local_id=""):
    """A Parsed of one Dublin Core record (its MARC made by the crosswalk), or its reason."""
    try:
        return Parsed(position, crosswalk.from_dc(element), raw, local_id=local_id)
    except ValueError as exc:
        return Parsed(position, None, raw, str(exc))


END_OF_RECORD = 0x1D


def iso2709_records(data):
    """(start, end, problem) of each record of an ISO 2709 file. A record is cut by the length its leader
    gives when that length ends on the record terminator; otherwise (a length that is not a number, a
    record cut short, a missing terminator) the broken record runs to the next terminator and reading goes
    on after it, so one broken record never hides the rest of the file."""
    position, size = 0, len(data)
    while position < size:
        while position < size and data[position] in b"\r\n \x00":  # line ends some programs add
            position += 1
        if position >= size:
            return
        head = data[position:position + 5]
        length = int(head) if head.isdigit() else 0
        end = position + length
        if length >= 24 and end <= size and data[end - 1] == END_OF_RECORD:
            yield position, end, ""
            position = end
            continue
        terminator = data.find(b"\x1d", position)
        stop = size if terminator == -1 else terminator + 1
        if not head.isdigit():
            problem = f"RecordLengthInvalid: the record length “{head.decode('latin-1')}” is not a number"
        elif end > size:
            problem = f"TruncatedRecord: the leader says {length} bytes, the file has {size - position} left"
        else:
            problem = f"EndOfRecordNotFound: no record terminator at byte {length} of the record"
        yield position, stop, problem
        position = stop


def read_iso2709(data, fast=False):
    position = 0
    for start, end, problem in iso2709_records(data):
        position += 1
        chunk = data[start:end]
        if problem:
            yield Parsed(position, None, chunk, problem)
            continue
        if fast:
            try:
                yield Parsed(position, rmarc.Record(chunk, to_unicode=True, force_utf8=False,
                                                    utf8_handling="strict"), chunk)
                continue
            except Exception:  # noqa: BLE001 — pymarc, the reference, decides (and gives its reason)
                pass
        try:
            record = pymarc.Record(chunk, to_unicode=True, force_utf8=False, utf8_handling="strict")
        except Exception as exc:  # pymarc's reasons: base address, directory, encoding, no fields...
            yield Parsed(position, None, chunk, f"{type(exc).__name__}: {exc}")
            continue
        yield Parsed(position, record, chunk)


def _text(element):
    return element.text or ""


def read_marcxml(data):
    root = crosswalk.parse_xml(data)
    records = [root] if root.tag in (f"{MARC_NS}record", "record") else \
        list(root.iter(f"{MARC_NS}record")) or list(root.iter("record"))
    if not records:
        raise FileError(_("there is no MARCXML <record> in the file."))
    for position, element in enumerate(records, 1):
        element.tail = None
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


def reader_differences(data, normalise):
    """[(position, what differs)] between pymarc and the fast reader on an ISO 2709 file: whether each record is
    read, and `normalise(record)` of both (the fields the catalog keeps). Empty when they agree."""
    differences = []
    for slow, fast in zip(read_iso2709(data), read_iso2709(data, fast=True), strict=True):
        if (slow.record is None) != (fast.record is None) or slow.error != fast.error:
            differences.append((slow.position, f"pymarc: {slow.error or 'read'}; fast: {fast.error or 'read'}"))
        elif slow.record is not None and (theirs := normalise(fast.record)) != (ours := normalise(slow.record)):
            changed = sorted(name for name in ours if ours[name] != theirs.get(name))
            differences.append((slow.position, "normalised fields differ: " + ", ".join(changed)))
    return differences
