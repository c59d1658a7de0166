"""Records that are not MARC — Dublin Core XML, and the catalog's CSV column set for libraries without a
library system (docs/catalog-csv.md) — turned into MARC 21 records (pymarc), so that they are normalised,
clustered, indexed and downloaded as any other record. The source's original bytes are kept as they came.
Of Django only the translation of messages (worker processes, which read ISO 2709 only, never call them).

Dublin Core follows the Library of Congress's Dublin Core to MARC crosswalk where it can (title 245, creator
100/700, subject 650, description 520, publisher and date 260, language 041 and 008, identifier 020/022/024
or 856, rights 540, type the leader)."""

import csv
import io
import re
from dataclasses import dataclass, field
from xml.etree import ElementTree as xml_writer  # writing only; parsing goes through defusedxml

import pycountry
import pymarc
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from stdnum import isbn as stdisbn
from stdnum import issn as stdissn
from stdnum.exceptions import ValidationError as NumberInvalid

from sirbi.core.text import fold_words

DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
DC_NAMESPACES = (DC, DCTERMS)  # simple Dublin Core, and the same elements as DCMI terms
OAI_DC = "{http://www.openarchives.org/OAI/2.0/oai_dc/}"

# Leader 06 and 07 for the material types of normalise.MATERIAL and the CSV's `material` column.
LEADER_TYPE = {"book": "am", "serial": "as", "music": "cm", "map": "em", "video": "gm", "sound": "im",
               "image": "km", "electronic": "mm", "kit": "om", "mixed": "pm", "object": "rm"}
# DCMI Type vocabulary (and common free words) → material type.
DC_TYPES = {"text": "book", "book": "book", "libro": "book", "livro": "book", "image": "image", "stillimage": "image",
            "movingimage": "video", "sound": "sound", "physicalobject": "object", "software": "electronic",
            "dataset": "electronic", "interactiveresource": "electronic", "collection": "mixed",
            "map": "map", "cartographic": "map", "serial": "serial", "periodical": "serial"}
YEAR = re.compile(r"\b(1[4-9]\d\d|20\d\d)\b")
# A record taken out of a file is written with the usual prefixes (not ns0:, ns1:).
for _prefix, _uri in (("oai_dc", OAI_DC), ("dc", DC), ("marc", "{http://www.loc.gov/MARC21/slim}")):
    xml_writer.register_namespace(_prefix, _uri.strip("{}"))


class FileError(Exception):
    """The file as a whole cannot be read (not MARC, malformed or dangerous XML, a CSV without its columns)."""


@dataclass
class Converted:
    record: pymarc.Record
    holdings: list = field(default_factory=list)  # dicts: library_code, call_number, barcode, status


def _leader(material):
    kind = LEADER_TYPE.get(material, "am")
    return pymarc.Leader(f"00000n{kind} a2200000 u 4500")


def _fixed(year, language):
    """A minimal 008: date type and first date, language; the rest 'no attempt to code' (|)."""
    data = list("      " + ("s" if year else "n") + (year or "uuuu") + "    " + "xx " + "|" * 17 + (language or "und")
                + " d")
    return "".join(data[:40]).ljust(40)


def language_code(value):
    """ISO 639-2 (bibliographic) code of a language given as a 2- or 3-letter code; None when unknown."""
    text = (value or "").strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}", text):
        return None
    found = (pycountry.languages.get(alpha_2=text) if len(text) == 2 else
             pycountry.languages.get(alpha_3=text) or pycountry.languages.get(bibliographic=text))
    if found is None:
        return None
    return getattr(found, "bibliographic", None) or found.alpha_3


def _record(*, title, subtitle="", authors=(), isbns=(), issns=(), other_ids=(), urls=(), edition="",
            publisher="", place="", year="", date_text="", language="", series="", subjects=(), notes=(),
            rights="", material="book", local_id=""):
    record = pymarc.Record(force_utf8=True, leader=_leader(material))
    if local_id:
        record.add_field(pymarc.Field(tag="001", data=local_id))
    record.add_field(pymarc.Field(tag="008", data=_fixed(year, language)))
    for number in isbns:
        record.add_field(_data("020", [("a", number)]))
    for number in issns:
        record.add_field(_data("022", [("a", number)]))
    for other in other_ids:
        record.add_field(_data("024", [("a", other)], ind1="8"))
    if language:
        record.add_field(_data("041", [("a", language)]))
    if authors:
        record.add_field(_data("100", [("a", authors[0])], ind1="1"))
    title_subfields = [("a", title + (" :" if subtitle else ""))] + ([("b", subtitle)] if subtitle else [])
    record.add_field(_data("245", title_subfields, ind1="1" if authors else "0", ind2="0"))
    if edition:
        record.add_field(_data("250", [("a", edition)]))
    imprint = [(code, value) for code, value in (("a", place), ("b", publisher), ("c", date_text or year)) if value]
    if imprint:
        record.add_field(_data("260", imprint))
    if series:
        record.add_field(_data("490", [("a", series)], ind1="0"))
    for note in notes:
        record.add_field(_data("520" if len(note) > 120 else "500", [("a", note)]))
    if rights:
        record.add_field(_data("540", [("a", rights)]))
    for subject in subjects:
        record.add_field(_data("650", [("a", subject)], ind2="4"))
    for author in authors[1:]:
        record.add_field(_data("700", [("a", author)], ind1="1"))
    for url in urls:
        record.add_field(_data("856", [("u", url)], ind1="4", ind2="0"))
    return record


def _data(tag, subfields, ind1=" ", ind2=" "):
    return pymarc.Field(tag=tag, indicators=pymarc.Indicators(ind1, ind2),
                        subfields=[pymarc.Subfield(code=code, value=value) for code, value in subfields])


# --- Dublin Core ---------------------------------------------------------------------------------------------

def dc_elements(root):
    """The Dublin Core records in a document: <oai_dc:dc> elements, or else every element whose children are
    dc: elements (a plain <record> or <metadata> wrapper)."""
    if root.tag == f"{OAI_DC}dc":
        return [root]
    found = list(root.iter(f"{OAI_DC}dc"))
    if found:
        return found
    return [element for element in root.iter() if any(_dc_name(child) for child in element)]


def _dc_name(element):
    """'title' for a dc:title or dcterms:title element, else ''."""
    tag = element.tag if isinstance(element.tag, str) else ""
    for namespace in DC_NAMESPACES:
        if tag.startswith(namespace):
            return tag[len(namespace):]
    return ""


def parse_xml(data):
    """defusedxml root of an XML document: no DTD, no entities, no network."""
    try:
        return ElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FileError(_("the XML declares entities or a DTD, which are refused (%(kind)s).")
                        % {"kind": type(exc).__name__}) from exc
    except ElementTree.ParseError as exc:
        raise FileError(_("the XML is malformed: %(reason)s") % {"reason": exc}) from exc


def from_dc(element):
    """A MARC record from one Dublin Core record (an XML element); ValueError when it has no title."""
    values = {}
    for child in element:
        name = _dc_name(child)
        if name:
            text = " ".join((child.text or "").split())
            if text:
                values.setdefault(name, []).append(text)

    def many(name):
        return values.get(name, [])

    titles = many("title")
    if not titles:
        raise ValueError(_("missing title (dc:title)"))
    isbns, issns, others, urls = [], [], [], []
    for identifier in many("identifier"):
        bare = re.sub(r"^(urn:)?(isbn|issn)[: ]*", "", identifier, flags=re.IGNORECASE)
        if stdisbn.is_valid(bare):
            isbns.append(stdisbn.compact(bare))
        elif stdissn.is_valid(bare):
            issns.append(stdissn.format(bare))
        elif re.match(r"https?://", identifier):
            urls.append(identifier)
        else:
            others.append(identifier)
    dates = many("date")
    year_match = next((m for m in (YEAR.search(d) for d in dates) if m), None)
    languages = [code for code in (language_code(v) for v in many("language")) if code]
    kinds = [DC_TYPES.get(fold_words(v).replace(" ", "")) for v in many("type")]
    record = _record(title=titles[0], authors=many("creator") + many("contributor"), isbns=isbns, issns=issns,
                     other_ids=others, urls=urls, publisher=(many("publisher") or [""])[0],
                     year=year_match.group(1) if year_match else "", date_text=(dates or [""])[0],
                     language=(languages or [""])[0], subjects=many("subject"), notes=many("description"),
                     rights=(many("rights") or [""])[0], material=next((k for k in kinds if k), "book"))
    for title in titles[1:]:
        record.add_field(_data("246", [("a", title)], ind1="3", ind2=" "))
    return record


def dc_identifier(element):
    """The identifier a Dublin Core record names itself by, or '': an address or URI (https:, urn:, hdl:,
    oai:...) first, then any other identifier that is not an ISBN or ISSN (which volumes and editions share)."""
    found = [" ".join((child.text or "").split()) for child in element if _dc_name(child) == "identifier"]
    found = [value for value in found if value]
    uris = [v for v in found if re.match(r"(https?://|urn:(?!isbn|issn)|hdl:|oai:|info:|doi:)", v, re.IGNORECASE)]
    others = [v for v in found if not re.match(r"(urn:)?(isbn|issn)\b", v, re.IGNORECASE)
              and not stdisbn.is_valid(v) and not stdissn.is_valid(v)]
    return (uris or others or [""])[0][:200]


# --- CSV -----------------------------------------------------------------------------------------------------

# The documented columns (docs/catalog-csv.md), with the Spanish and Portuguese names also accepted (folded:
# lower case, no accents, spaces as underscores).
COLUMNS = {
    "id": ["identificador", "codigo", "numero_de_registro"],
    "title": ["titulo"],
    "subtitle": ["subtitulo"],
    "authors": ["author", "autor", "autores", "autoria"],
    "isbn": [],
    "issn": [],
    "edition": ["edicion", "edicao"],
    "publisher": ["editorial", "editora"],
    "place": ["lugar", "lugar_de_publicacion", "local", "local_de_publicacao"],
    "year": ["ano", "ano_de_publicacion", "ano_de_publicacao"],
    "language": ["idioma", "lengua", "lingua"],
    "series": ["serie", "coleccion", "colecao"],
    "subjects": ["subject", "materias", "temas", "assuntos"],
    "material": ["tipo", "tipo_de_material"],
    "notes": ["notas", "nota"],
    "library": ["isil", "biblioteca"],
    "call_number": ["signatura", "signatura_topografica", "cota", "numero_de_chamada"],
    "barcode": ["codigo_de_barras", "inventario", "numero_de_inventario"],
    "status": ["estado", "situacion", "situacao", "disponibilidad", "disponibilidade"],
}
# The column names a template carries in each language (each is one of the names above once folded).
TEMPLATE_HEADERS = {
    "en": list(COLUMNS),
    "es": ["identificador", "título", "subtítulo", "autores", "isbn", "issn", "edición", "editorial", "lugar", "año",
           "idioma", "serie", "materias", "tipo", "notas", "biblioteca", "signatura", "código de barras", "estado"],
    "pt": ["identificador", "título", "subtítulo", "autoria", "isbn", "issn", "edição", "editora", "local", "ano",
           "idioma", "coleção", "assuntos", "tipo", "notas", "biblioteca", "número de chamada", "código de barras",
           "situação"],
}
TEMPLATE_EXAMPLE = ["CAT-0001", "Cien años de soledad", "", "García Márquez, Gabriel", "9788437604947", "", "",
                    "Cátedra", "Madrid", "2007", "spa", "Letras hispánicas", "Novela colombiana", "libro", "",
                    "", "863 G216c", "000123", "disponible"]
ALIASES = {alias: name for name, aliases in COLUMNS.items() for alias in [name, *aliases]}
HOLDING_COLUMNS = ("library", "call_number", "barcode", "status")
MATERIAL_WORDS = {"book": "book", "libro": "book", "livro": "book", "serial": "serial", "revista": "serial",
                  "publicacion_periodica": "serial", "periodico": "serial", "map": "map", "mapa": "map",
                  "music": "music", "musica": "music", "partitura": "music", "video": "video", "dvd": "video",
                  "sound": "sound", "audio": "sound", "grabacion_sonora": "sound", "image": "image", "imagen": "image",
                  "imagem": "image", "electronic": "electronic", "recurso_electronico": "electronic",
                  "recurso_eletronico": "electronic", "kit": "kit", "object": "object", "objeto": "object",
                  "juego": "object", "jogo": "object"}


def split_values(text):
    """Repeated values in one cell, separated by '|' or ';'."""
    return [part.strip() for part in re.split(r"[|;]", text or "") if part.strip()]


@dataclass
class CsvRecord:
    line: int  # first line of the record in the file
    raw: bytes  # the header line and the record's lines, as in the file
    local_id: str
    converted: Converted | None
    error: str = ""


def looks_like_csv(head):
    """Whether the start of a file is the catalog's CSV: a first line naming at least one of its columns (or a
    UTF-16 text, which read_csv refuses with the way out)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
    return any(ALIASES.get(fold_words(cell).replace(" ", "_")) for cell in re.split(r"[,;\t]", first))


def _columns_named():
    """The column names as the page's language writes them (the template's)."""
    return ", ".join(TEMPLATE_HEADERS.get((get_language() or "en")[:2], TEMPLATE_HEADERS["en"]))


def read_csv(data):
    """CsvRecords of a catalog CSV file; rows with the same `id` are one record with several copies.
    FileError when the file as a whole cannot be read."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileError(_("the file is in UTF-16: save it as “CSV UTF-8”."))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise FileError(_("line %(line)d is not UTF-8: save the file as “CSV UTF-8”.") % {"line": line}) from exc
    lines = io.StringIO(text).readlines()  # as the csv reader counts them
    if not lines or not lines[0].strip():
        raise FileError(_("the file is empty: its first line must name the columns."))
    from sirbi.core.tables import sniff_delimiter  # here: worker processes, which read ISO 2709, never load it

    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(lines[0]), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FileError(_("line 1 cannot be read as CSV (%(reason)s).") % {"reason": exc}) from exc
    names = [ALIASES.get(fold_words(cell).replace(" ", "_")) for cell in header]
    unknown = [cell for cell, name in zip(header, names, strict=True) if name is None and cell.strip()]
    if unknown:
        raise FileError(_("line 1: unknown column(s) %(unknown)s; the columns are: %(columns)s (the CSV template "
                          "on the source's page has them all).")
                        % {"unknown": ", ".join(f"“{c}”" for c in unknown), "columns": _columns_named()})
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise FileError(_("line 1: column(s) %(columns)s given twice.") % {"columns": ", ".join(repeated)})
    if "title" not in names:
        raise FileError(_("line 1: there is no title column; the columns are: %(columns)s.")
                        % {"columns": _columns_named()})
    header_raw = "".join(lines[:reader.line_num]).encode("utf-8")
    groups = {}  # local id → [(line, row, raw lines)]
    order = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise FileError(_("line %(line)d cannot be read as CSV (%(reason)s): look for a quotation mark that is "
                              "not closed, or a file that was cut off.") % {"line": start, "reason": exc}) from exc
        raw = "".join(lines[start - 1:reader.line_num]).encode("utf-8")
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(names):
            order.append(CsvRecord(start, header_raw + raw, "", None,
                                   _("line %(line)d: %(cells)d cells but %(columns)d columns")
                                   % {"line": start, "cells": len(cells), "columns": len(names)}))
            continue
        row = {name: " ".join(cell.split()) for name, cell in zip(names, cells, strict=False) if name}
        local_id = row.get("id", "")[:200] or "row:" + fold_words(" ".join(
            row.get(k, "") for k in ("title", "subtitle", "authors", "isbn", "year", "edition")))[:190]
        if local_id not in groups:
            groups[local_id] = []
            order.append(local_id)
        groups[local_id].append((start, row, raw))
    for item in order:
        if isinstance(item, CsvRecord):
            yield item
            continue
        rows = groups[item]
        raw = header_raw + b"".join(r[2] for r in rows)
        try:
            converted = _from_row(rows[0][1], item)
            converted.holdings = [_holding(row) for _line, row, _raw in rows]
            yield CsvRecord(rows[0][0], raw, item, converted)
        except ValueError as exc:
            yield CsvRecord(rows[0][0], raw, item, None, _("line %(line)d, %(problem)s")
                            % {"line": rows[0][0], "problem": exc})


def _holding(row):
    return {"library_code": row.get("library", "")[:60], "call_number": row.get("call_number", "")[:200],
            "barcode": row.get("barcode", "")[:100], "status": row.get("status", "")[:100]}


def _checked_numbers(row, column, module, form, name):
    numbers = []
    for value in split_values(row.get(column)):
        try:
            numbers.append(form(module.validate(value)))
        except NumberInvalid as exc:
            raise ValueError(_("column %(column)s: “%(value)s” is not a valid %(kind)s (wrong length or check "
                               "digit)") % {"column": column, "value": value, "kind": name}) from exc
    return numbers


def _from_row(row, local_id):
    """A MARC record from one CSV row (the record's first line); ValueError naming the column at fault."""
    title = row.get("title", "")
    if not title:
        raise ValueError(_("column title: the title is empty"))
    isbns = _checked_numbers(row, "isbn", stdisbn, stdisbn.compact, "ISBN")
    issns = _checked_numbers(row, "issn", stdissn, stdissn.format, "ISSN")
    year = row.get("year", "")
    if year and not re.fullmatch(r"1[4-9]\d\d|20\d\d", year):
        raise ValueError(_("column year: “%(value)s” is not a year of four digits") % {"value": year})
    language = ""
    if row.get("language"):
        language = language_code(row["language"])
        if language is None:
            raise ValueError(_("column language: “%(value)s” is not an ISO 639 code (spa, por, en…)")
                             % {"value": row["language"]})
    material = "book"
    if row.get("material"):
        material = MATERIAL_WORDS.get(fold_words(row["material"]).replace(" ", "_"))
        if material is None:
            raise ValueError(_("column material: “%(value)s” is not one of %(kinds)s")
                             % {"value": row["material"], "kinds": ", ".join(sorted(set(MATERIAL_WORDS.values())))})
    return Converted(_record(
        title=title, subtitle=row.get("subtitle", ""), authors=split_values(row.get("authors")), isbns=isbns,
        issns=issns, edition=row.get("edition", ""), publisher=row.get("publisher", ""), place=row.get("place", ""),
        year=year, language=language, series=row.get("series", ""), subjects=split_values(row.get("subjects")),
        notes=[row["notes"]] if row.get("notes") else [], material=material, local_id=local_id))
