"""Reading an uploaded table into rows — the one reader of every spreadsheet upload (registry import, campaign
templates, roadmap actions): CSV (UTF-8 with or without BOM, or Latin-1; comma, semicolon or tab) and XLSX.
Anything that cannot be read with certainty is refused with the file and line named.

An XLSX file is a zip archive, and a small one can unpack to gigabytes (a "zip bomb" ties a worker for minutes
and takes gigabytes of memory). Before anything is unpacked, its central directory is checked: how many parts,
how large unpacked, how much each is compressed; then every part is inflated once, in small pieces, to make sure
it is no larger than the directory says (a directory can lie). Only then does a spreadsheet library open it.
Rows and columns are limited too.
"""

import csv
import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time

import python_calamine
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .downloads import FORMULA_START

XLSX_MAGIC = b"PK\x03\x04"


class FileProblem(Exception):
    """The file as a whole cannot be read; nothing was imported."""

    def __init__(self, filename, message, line=None):
        self.filename, self.message, self.line = filename, message, line
        where = f"{filename}, " + (_("line %(line)s") % {"line": line} + ": " if line else "")
        super().__init__(where + message if line else f"{filename}: {message}")


@dataclass
class Table:
    """The cells of a file: a header and numbered rows (numbers as the user sees them in the file)."""

    filename: str
    header: list
    rows: list = field(default_factory=list)  # [(line number, [cell, ...]), ...]
    encoding: str = ""
    delimiter: str = ""
    kind: str = "csv"
    header_line: int = 1

    def add(self, line, cells):
        """Add a row, refusing the file as soon as it passes MAX_ROWS rows or MAX_COLUMNS columns (before
        the rest is read)."""
        if len(self.rows) >= MAX_ROWS:
            raise FileProblem(self.filename, _("the file has more than %(limit)s rows: split it.")
                              % {"limit": MAX_ROWS}, line)
        if len(cells) > MAX_COLUMNS or len(self.header) > MAX_COLUMNS:
            raise FileProblem(self.filename, _("the file has more than %(limit)s columns.")
                              % {"limit": MAX_COLUMNS}, line)
        self.rows.append((line, cells))


# Limits of what an upload may hold. A workbook of 100,000 libraries or figures unpacks to about 100 MB and its
# parts compress 5 to 30 times; a zip bomb's parts compress about 1,000 times.
MAX_UNPACKED = 400 * 1024 * 1024  # all parts of a workbook together, unpacked
MAX_RATIO = 200  # unpacked size / packed size of one part (parts under RATIO_FLOOR are not judged)
RATIO_FLOOR = 1024 * 1024
MAX_PARTS = 1000  # a workbook has a dozen parts, one more per sheet
# Rows and columns of a table. A sheet's extent counts too: the readers lay a sheet out from A1 to its furthest
# cell, so one cell at XFD1048576 would make seventeen billion empty ones.
MAX_ROWS = 250_000
MAX_COLUMNS = 100
# A cell or row reference past row 99,999 or column Z (the few a real sheet has are then checked one by one). It
# begins with the literal "r", then looks back for the word boundary before it, so that the regex engine jumps from
# one "r" to the next instead of trying every byte of a sheet (what "\br" first would make it do).
FAR_CELL = re.compile(rb'r(?<=\br)\s*=\s*["\'](?:([A-Za-z]{0,3})(\d{6,})|([A-Za-z]{2,3})\d+)["\']')
INFLATE_CHUNK = 1024 * 1024


def read_table(data, filename, typed=False, max_bytes=None):
    """Read `data` (bytes) as an XLSX workbook or a CSV file, chosen by content, not by name; at most
    `max_bytes` long when given (uploads), at most MAX_ROWS rows of MAX_COLUMNS columns.

    With `typed`, numeric XLSX cells stay numbers (int or float) instead of text, so that a reader of
    figures respects the spreadsheet's cell types; CSV cells are always text."""
    if max_bytes is not None and len(data) > max_bytes:
        raise FileProblem(filename, _("the file is %(size)s; the limit is %(limit)s.")
                          % {"size": filesizeformat(len(data)), "limit": filesizeformat(max_bytes)})
    if data[:4] == XLSX_MAGIC:
        sheets = check_archive(data, filename)
        return read_xlsx(data, filename, typed=typed, sheets=sheets)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileProblem(filename, _("the file is named .xlsx but is not an Excel workbook."))
    return read_csv(data, filename)


def check_archive(data, filename):
    """Refuse a zip archive (an XLSX workbook) that would unpack to too much, before a spreadsheet library opens
    it: first from its central directory (number of parts, their unpacked sizes, how much each is compressed),
    then by inflating each part in small pieces and stopping as soon as it yields more than the directory says.
    Returns the parts that may be sheets, as `_sheets` reads them (so that the reader does not unpack them again)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise FileProblem(filename, _("the workbook is damaged or incomplete (%(reason)s).") % {"reason": error}) \
            from error
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise FileProblem(filename, _("the workbook holds %(parts)s parts; a spreadsheet has far fewer (at most "
                                      "%(limit)s are read).") % {"parts": len(parts), "limit": MAX_PARTS})
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED:
        raise FileProblem(filename, _("the workbook unpacks to %(size)s, more than the limit of %(limit)s; split "
                                      "it.") % {"size": filesizeformat(unpacked),
                                                "limit": filesizeformat(MAX_UNPACKED)})
    for part in parts:
        if part.file_size > RATIO_FLOOR and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise FileProblem(filename, _("the part %(part)s of the workbook unpacks to %(size)s from %(packed)s: "
                                          "no spreadsheet is compressed that much; the file is refused as a zip "
                                          "bomb.") % {"part": part.filename[:100],
                                                      "size": filesizeformat(part.file_size),
                                                      "packed": filesizeformat(part.compress_size)})
    for part in parts:
        _inflate_within(data, part, filename)
    sheets = _sheets(data)
    for _name, xml, _sheet in sheets[0]:
        _check_extent(xml, filename)
    return sheets


def _column_number(letters):
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _check_extent(sheet_xml, filename):
    """Refuse a sheet with a cell (or row) past MAX_ROWS or MAX_COLUMNS, from the references in its XML."""
    for match in FAR_CELL.finditer(sheet_xml):
        row, letters = match.group(2), match.group(3) or match.group(1)
        if row and int(row) > MAX_ROWS:
            raise FileProblem(filename, _("the sheet reaches row %(row)s; the limit is %(limit)s rows: split it.")
                              % {"row": int(row), "limit": MAX_ROWS})
        if letters and _column_number(letters.decode().upper()) > MAX_COLUMNS:
            raise FileProblem(filename, _("the sheet reaches column %(column)s; the limit is %(limit)s columns.")
                              % {"column": letters.decode(), "limit": MAX_COLUMNS})


def _inflate_within(data, part, filename):
    """Inflate one part in pieces, refusing it as soon as it yields more than its declared size."""
    header = data[part.header_offset:part.header_offset + zipfile.sizeFileHeader]
    if len(header) < zipfile.sizeFileHeader:
        raise FileProblem(filename, _("the workbook is damaged or incomplete (%(reason)s).")
                          % {"reason": _("a part lies past the end of the file")})
    fields = struct.unpack(zipfile.structFileHeader, header)
    start = (part.header_offset + zipfile.sizeFileHeader + fields[zipfile._FH_FILENAME_LENGTH]
             + fields[zipfile._FH_EXTRA_FIELD_LENGTH])
    packed = data[start:start + part.compress_size]
    if part.compress_type == zipfile.ZIP_STORED:
        produced = len(packed)
    elif part.compress_type == zipfile.ZIP_DEFLATED:
        inflater, produced, pending = zlib.decompressobj(-zlib.MAX_WBITS), 0, packed
        try:
            while True:
                piece = inflater.decompress(pending, INFLATE_CHUNK)
                produced += len(piece)
                pending = inflater.unconsumed_tail
                if produced > part.file_size or inflater.eof or not (piece or pending):
                    break
        except zlib.error as error:
            raise FileProblem(filename, _("the workbook is damaged or incomplete (%(reason)s).")
                              % {"reason": error}) from error
    else:
        raise FileProblem(filename, _("the workbook's part %(part)s is compressed in a way spreadsheet programs do "
                                      "not use.") % {"part": part.filename[:100]})
    if produced > part.file_size:
        raise FileProblem(filename, _("the part %(part)s of the workbook unpacks to more than its declared size: "
                                      "the file is refused as a zip bomb.") % {"part": part.filename[:100]})


def decode(data, filename):
    """UTF-8 (BOM or not); otherwise Latin-1 (or its Windows-1252 variant), never a guess between others."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4096]:
        raise FileProblem(filename, _("the file is in UTF-16 or is not text; save it as CSV UTF-8."))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        if (error.reason == "unexpected end of data" and error.end == len(data)
                and not data[:error.start].isascii()):
            raise FileProblem(filename, _("the file ends in the middle of a character: it seems cut off."),
                              data.count(b"\n", 0, error.start) + 1) from error
    utf8_line, other_line = _mixed_lines(data)
    if utf8_line and other_line:
        # Some lines are UTF-8 with accents, others are not UTF-8: no single choice reads them all right.
        raise FileProblem(filename, _("the file mixes UTF-8 (line %(utf8)s) and another encoding (line %(other)s); "
                                      "save it again as CSV UTF-8.") % {"utf8": utf8_line, "other": other_line},
                          max(utf8_line, other_line))
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _mixed_lines(data):
    """(first line that is UTF-8 with non-ASCII characters, first line that is not UTF-8), each or None."""
    utf8_line = other_line = None
    for number, line in enumerate(data.split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other_line = other_line or number
        else:
            utf8_line = utf8_line or number
        if utf8_line and other_line:
            break
    return utf8_line, other_line


def sniff_delimiter(first_line):
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(data, filename):
    text, encoding = decode(data, filename)
    if not text.strip():
        raise FileProblem(filename, _("the file is empty."))
    header = re.search(r"^.*\w.*$", text, re.MULTILINE)  # the first line with words: the header
    delimiter = sniff_delimiter(header.group() if header else text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    table = Table(filename=filename, header=[], encoding=encoding, delimiter=delimiter, kind="csv")
    rows = table.rows
    # A cell to unquote begins with a quote and a formula's first character, which the text then holds side by side:
    # most files have none, and their cells are kept as the reader gives them (no call per cell).
    unquote = any("'" + first in text for first in FORMULA_START)
    start = 1  # the line where the record being read begins (a quoted cell may span lines)
    try:
        for cells in reader:
            if "".join(cells).strip():  # blank lines are not rows (nor the header)
                if table.header:
                    table.add(start, [_unquoted(cell) for cell in cells] if unquote else cells)
                else:
                    table.header, table.header_line = cells, start
            start = reader.line_num + 1
    except csv.Error as error:
        raise FileProblem(
            filename,
            _("the file cannot be read as CSV (%(reason)s): look for a quotation mark that is not closed, "
              "or a file that was cut off.") % {"reason": error},
            start,
        ) from error
    if not text.endswith(("\n", "\r")) and rows and len(rows[-1][1]) < len(table.header):
        raise FileProblem(filename, _("the last line is incomplete: the file seems cut off."), rows[-1][0])
    return table


def _unquoted(cell):
    """A cell without the quote our CSV exports put before text that begins like a formula (core.downloads),
    so that an export imports back as it was."""
    if cell[:1] == "'" and cell[1:].startswith(FORMULA_START):
        return cell[1:]
    return cell


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(data, filename, typed=False, sheets=None):
    """The first sheet of a workbook (its archive checked by check_archive). Typed (figures): by calamine when
    the sheets are laid out as spreadsheet programs write them; otherwise, and for text (imports), by openpyxl's
    streaming reader, which never lays out more than the rows there are. `sheets`: what check_archive returned."""
    if typed and _calamine_safe(data, sheets):
        return _read_xlsx_calamine(data, filename)
    return _read_xlsx_openpyxl(data, filename, typed=typed)


MERGED = re.compile(rb"<(?:[A-Za-z]\w*:)?mergeCell\s[^>]*?ref\s*=\s*[\"']([^\"']*)")
# A formula, or a cell or row written with a namespace prefix: calamine is not given such a sheet.
NOT_FOR_CALAMINE = re.compile(rb"<(?:[A-Za-z]\w*:)?f[\s>/]|<[A-Za-z]\w*:(?:c|row)[\s>/]")
# What any match of NOT_FOR_CALAMINE contains: each begins with a literal, which the regex engine finds quickly,
# while NOT_FOR_CALAMINE itself is tried at every "<" of a sheet (millions): it runs only when one of them is there.
NOT_FOR_CALAMINE_HINTS = (re.compile(rb"<f[\s>/]"), re.compile(rb":(?:f|c|row)[\s>/]"))


SHEET_RELATION = re.compile(rb"<(?:[A-Za-z]\w*:)?Relationship\s[^>]*>")
TARGET = re.compile(rb"Target\s*=\s*[\"']([^\"']*)")


UNUSUAL_ELEMENTS = [(tag, re.compile(re.escape(tag) + rb"(?:[\t\n\r>]|/>)")) for tag in (b"<c", b"<row")]


def _may_hold(xml, hints):
    return any(hint.search(xml) for hint in hints)


def _sheet_targets(archive):
    """The parts the workbook's relationships name as its sheets (where calamine and openpyxl look for them,
    whatever their folder or name), resolved against xl/ as the relationships' own folder."""
    try:
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return set()
    targets = set()
    for relation in SHEET_RELATION.findall(rels):
        target = TARGET.search(relation)
        if target and b"worksheet" in relation.lower():
            path = target.group(1).decode("utf-8", "replace")
            targets.add(path.lstrip("/") if path.startswith("/") else posixpath.normpath("xl/" + path))
    return targets


def _sheets(data):
    """The XML of every part that may be a sheet: the sheets the relationships name, and every other XML part
    whatever its case (checked as well, so that no sheet escapes by its name). Returns the named sheets
    that are not in the archive too (a reader might resolve them otherwise: not for calamine)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        targets = _sheet_targets(archive)
        parts = [name for name in names if name in targets or name.lower().endswith((".xml", ".rels"))]
        return [(name, archive.read(name), name in targets) for name in parts], targets - set(names)


def _calamine_safe(data, sheets=None):
    """Whether calamine may read the workbook: no formula (openpyxl names the cell that holds one), and every
    cell and row carries its position as its first attribute, as spreadsheet programs write them, so that
    check_archive saw how far the sheet reaches (calamine lays a sheet out whole, from A1 to its furthest
    cell; a cell without a position is placed after the one before it, where no reference shows it). Not when
    no sheet was found where the relationships point, or a sheet they name is missing."""
    parts, missing = sheets or _sheets(data)
    if missing or not any(sheet for _name, _xml, sheet in parts):
        return False
    for _name, xml, sheet in parts:
        if not _small_extent(xml):
            return False
        if not sheet:
            continue
        if _may_hold(xml, NOT_FOR_CALAMINE_HINTS) and NOT_FOR_CALAMINE.search(xml):
            return False
        for tag, unusual in UNUSUAL_ELEMENTS:
            # A cell or row element written other than `<c r="...`: followed by a tab, a line break, ">" or "/>"
            # (one search, which the regex engine starts from the tag's literal), or by a space but no position.
            if unusual.search(xml) or xml.count(tag + b" ") != xml.count(tag + b' r="'):
                return False
    return True


# calamine lays a sheet out whole: a sheet whose references reach further than this many cells (rows times
# columns) is read by the streaming reader instead (a sheet of 100,000 figures has 1.3 million).
CALAMINE_MAX_CELLS = 5_000_000
WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})\d')
# The size a sheet declares (calamine may reserve room from it): its last cell counts as a reference too.
DIMENSION = re.compile(rb"<(?:[A-Za-z]\w*:)?dimension\s[^>]*?ref\s*=\s*[\"'][^\"']*?([A-Za-z]{1,3})(\d+)[\"']")


def _small_extent(xml):
    """Whether the furthest row times the furthest column a sheet's references reach stays within
    CALAMINE_MAX_CELLS (check_archive already refused rows and columns past MAX_ROWS and MAX_COLUMNS)."""
    for letters, row in DIMENSION.findall(xml) if b"dimension" in xml else ():
        if _column_number(letters.decode().upper()) * int(row) > CALAMINE_MAX_CELLS:
            return False
    columns = max([26] + [_column_number(letters.decode()) for letters in WIDE_CELL.findall(xml)])
    rows = CALAMINE_MAX_CELLS // columns
    digits = len(str(rows))
    far = re.compile(rb' r="[A-Z]{0,3}(\d{%d,})"' % digits)
    return all(int(number) <= rows for number in far.findall(xml))


def _read_xlsx_openpyxl(data, filename, typed=False):
    """The first sheet's cells in openpyxl's streaming mode: numbers kept as numbers when `typed`, text
    otherwise; a formula or merged cells are refused with the cell named."""
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False, read_only=True)
        if not workbook.worksheets:
            raise FileProblem(filename, _("the workbook has no sheet with cells."))
        sheet = workbook.worksheets[0]
        _refuse_merged(data, sheet, filename)
        sheet.reset_dimensions()  # some programs write a wrong size; read every row there is
        table = Table(filename=filename, header=[], kind="xlsx")
        for line, row in enumerate(sheet.iter_rows(), start=1):
            cells = []
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    raise FileProblem(filename, _("cell %(cell)s of sheet “%(sheet)s” holds a formula; replace "
                                                  "formulas by their values (copy, paste values).")
                                      % {"cell": cell.coordinate, "sheet": sheet.title}, line)
                value = cell.value
                numeric = typed and isinstance(value, (int, float)) and not isinstance(value, bool)
                cells.append(value if numeric else _cell_text(value))
            while cells and cells[-1] == "":
                cells.pop()
            if not cells or not any(str(c).strip() for c in cells):
                continue
            if not table.header:
                table.header, table.header_line = [str(c) for c in cells], line
            else:
                table.add(line, cells)
        workbook.close()
    except FileProblem:
        raise
    except Exception as error:  # a damaged archive or part (XML errors, missing parts...)
        reason = str(error) if isinstance(error, (zipfile.BadZipFile, InvalidFileException)) \
            else f"{type(error).__name__}: {error}"
        raise FileProblem(filename, _("the workbook is damaged or incomplete (%(reason)s).") % {"reason": reason}) \
            from error
    if not table.header:
        raise FileProblem(filename, _("the workbook's first sheet is empty."))
    return table


def _refuse_merged(data, sheet, filename):
    """Merged cells put one value over several cells: refused (the streaming reader does not see them, the
    sheet's XML does)."""
    path = getattr(sheet, "_worksheet_path", "").lstrip("/")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(path) if path in archive.namelist() else b""
    merged = [ref.decode("ascii", "replace") for ref in MERGED.findall(xml)[:5]]
    if merged:
        raise FileProblem(filename, _("sheet “%(sheet)s” has merged cells (%(cells)s); unmerge them so that "
                                      "every value sits in its own cell.")
                          % {"sheet": sheet.title, "cells": ", ".join(merged)})


def _number_or_text(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)  # XLSX stores every number as a float; a whole one is read as a whole number
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if type(value) is date:  # openpyxl reads a date cell as a datetime at midnight: the same text either way
        value = datetime.combine(value, time())
    return _cell_text(None if value == "" else value)


def _read_xlsx_calamine(data, filename):
    """The first sheet's cells with numbers kept as numbers, read by calamine (a compiled reader, about
    twenty times faster than openpyxl on large files)."""
    try:
        workbook = python_calamine.load_workbook(io.BytesIO(data))
        if not workbook.sheet_names:
            raise FileProblem(filename, _("the workbook has no sheet with cells."))
        sheet = workbook.get_sheet_by_index(0)
        rows = list(sheet.iter_rows())
        # Where the rows and columns calamine gives begin, from where the used range ends (line numbers as
        # the user sees them in the sheet).
        end_row, end_column = sheet.end or (len(rows) - 1, 0)
        first_row = end_row + 1 - len(rows)
        table = Table(filename=filename, header=[], kind="xlsx")
        for offset, row in enumerate(rows):
            # Most cells are text, kept as they are (what _number_or_text gives a text) without a call each.
            cells = [""] * (end_column + 1 - len(row)) + [value if value.__class__ is str else _number_or_text(value)
                                                          for value in row]
            while cells and cells[-1] == "":
                cells.pop()
            if not cells or not any(str(c).strip() for c in cells):
                continue
            if not table.header:
                table.header, table.header_line = [str(c) for c in cells], first_row + offset + 1
            else:
                table.add(first_row + offset + 1, cells)
    except FileProblem:
        raise
    except Exception as error:  # a damaged archive or part (calamine's and zipfile's errors)
        raise FileProblem(filename, _("the workbook is damaged or incomplete (%(reason)s).")
                          % {"reason": f"{type(error).__name__}: {error}"}) from error
    if not table.header:
        raise FileProblem(filename, _("the workbook's first sheet is empty."))
    return table
