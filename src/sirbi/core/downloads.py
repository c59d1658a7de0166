"""Building blocks of file downloads (exports and open data): streamed CSV, XLSX cells and responses."""

import io

from django.http import HttpResponse
from openpyxl.cell import WriteOnlyCell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Echo:
    """A file-like object whose write returns what it was given: csv.writer lines for a streaming response."""

    def write(self, value):
        return value


def xlsx_cell(sheet, value):
    """A cell for `value`; text that starts like a formula stays text, so it is never evaluated."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def xlsx_response(workbook):
    """An HTTP response holding the saved workbook."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
