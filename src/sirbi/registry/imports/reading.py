"""Reading a spreadsheet into rows: CSV (UTF-8 with or without BOM, or Latin-1; comma, semicolon or tab)
and XLSX. Anything that cannot be read with certainty is refused with the file and line named.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

import python_calamine
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

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


def read_table(data, filename, typed=False):
    """Read `data` (bytes) as an XLSX workbook or a CSV file, chosen by content, not by name.

    With `typed`, numeric XLSX cells stay numbers (int or float) instead of text, so that a reader of
    figures respects the spreadsheet's cell types; CSV cells are always text."""
    if data[:4] == XLSX_MAGIC:
        return read_xlsx(data, filename, typed=typed)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileProblem(filename, _("the file is named .xlsx but is not an Excel workbook."))
    return read_csv(data, filename)


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
    start = 1  # the line where the record being read begins (a quoted cell may span lines)
    try:
        for cells in reader:
            if "".join(cells).strip():  # blank lines are not rows (nor the header)
                if table.header:
                    rows.append((start, cells))
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


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(data, filename, typed=False):
    if typed:
        return _read_xlsx_typed(data, filename)
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False, read_only=False)
    except Exception as error:  # a damaged archive, or a damaged part inside it (XML errors, missing parts...)
        reason = str(error) if isinstance(error, (zipfile.BadZipFile, InvalidFileException)) \
            else f"{type(error).__name__}: {error}"
        raise FileProblem(filename, _("the workbook is damaged or incomplete (%(reason)s).") % {"reason": reason}) \
            from error
    if not workbook.worksheets:
        raise FileProblem(filename, _("the workbook has no sheet with cells."))
    sheet = workbook.worksheets[0]
    if sheet.merged_cells.ranges:
        merged = ", ".join(str(r) for r in list(sheet.merged_cells.ranges)[:5])
        raise FileProblem(filename, _("sheet “%(sheet)s” has merged cells (%(cells)s); unmerge them so that "
                                      "every value sits in its own cell.") % {"sheet": sheet.title, "cells": merged})
    table = Table(filename=filename, header=[], kind="xlsx")
    for row in sheet.iter_rows():
        cells = []
        for cell in row:
            if cell.data_type == "f":
                raise FileProblem(filename, _("cell %(cell)s of sheet “%(sheet)s” holds a formula; replace "
                                              "formulas by their values (copy, paste values).")
                                  % {"cell": cell.coordinate, "sheet": sheet.title}, cell.row)
            numeric = typed and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)
            cells.append(cell.value if numeric else _cell_text(cell.value))
        while cells and cells[-1] == "":
            cells.pop()
        filled = any(str(c).strip() for c in cells)
        if not table.header:
            if filled:
                table.header, table.header_line = [str(c) for c in cells], row[0].row
            continue
        if filled:
            table.rows.append((row[0].row, cells))
    if not table.header:
        raise FileProblem(filename, _("the workbook's first sheet is empty."))
    return table


FORMULA = re.compile(rb"<(?:[A-Za-z]\w*:)?f[\s>/]")  # a <f> element: a cell's formula, in a sheet's XML


XLSX_MAX_UNPACKED = 400 * 1024 * 1024  # a workbook of figures unpacks to far less; more is a zip bomb


def _has_formulas(data, filename):
    """Whether any sheet of the workbook holds a formula (a scan of the sheets' XML, no parsing). Refuses a
    workbook that would unpack to more than XLSX_MAX_UNPACKED before anything is unpacked."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > XLSX_MAX_UNPACKED:
            raise FileProblem(filename, _("the workbook unpacks to more than %(size)d MB; split it.")
                              % {"size": XLSX_MAX_UNPACKED // (1024 * 1024)})
        return any(FORMULA.search(archive.read(name)) for name in archive.namelist()
                   if name.startswith("xl/worksheets/") and name.endswith(".xml"))


def _number_or_text(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)  # XLSX stores every number as a float; a whole one is read as a whole number
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if type(value) is date:  # openpyxl reads a date cell as a datetime at midnight: the same text either way
        value = datetime.combine(value, time())
    return _cell_text(None if value == "" else value)


def _read_xlsx_typed(data, filename):
    """The first sheet's cells with numbers kept as numbers, read by calamine (a compiled reader, about
    twenty times faster than openpyxl on large files). A workbook with formulas goes through openpyxl's
    streaming reader, which names the cell that holds one."""
    try:
        if _has_formulas(data, filename):
            return _read_xlsx_openpyxl(data, filename)
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
            cells = [""] * (end_column + 1 - len(row)) + [_number_or_text(value) for value in row]
            while cells and cells[-1] == "":
                cells.pop()
            if not cells or not any(str(c).strip() for c in cells):
                continue
            if not table.header:
                table.header, table.header_line = [str(c) for c in cells], first_row + offset + 1
            else:
                table.rows.append((first_row + offset + 1, cells))
    except FileProblem:
        raise
    except Exception as error:  # a damaged archive or part (calamine's and zipfile's errors)
        raise FileProblem(filename, _("the workbook is damaged or incomplete (%(reason)s).")
                          % {"reason": f"{type(error).__name__}: {error}"}) from error
    if not table.header:
        raise FileProblem(filename, _("the workbook's first sheet is empty."))
    return table


def _read_xlsx_openpyxl(data, filename):
    """As `_read_xlsx_typed`, in openpyxl's streaming mode, which sees formulas: the first one in the first
    sheet is refused with its cell named."""
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False, read_only=True)
        if not workbook.worksheets:
            raise FileProblem(filename, _("the workbook has no sheet with cells."))
        sheet = workbook.worksheets[0]
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
                numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
                cells.append(value if numeric else _cell_text(value))
            while cells and cells[-1] == "":
                cells.pop()
            if not cells or not any(str(c).strip() for c in cells):
                continue
            if not table.header:
                table.header, table.header_line = [str(c) for c in cells], line
            else:
                table.rows.append((line, cells))
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
