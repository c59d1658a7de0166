import csv
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from sirbi.cooperation.models import Action
from sirbi.cooperation.roadmap.spreadsheets import COLUMNS, import_actions
from sirbi.core.models import ChangeLog
from sirbi.core.tables import FileProblem


def csv_bytes(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


ROW = ["nueva", "Nueva acción", "reading-plans", "PE", "CL|CO", "pe-public", "", "2026-01-01", "2027-06-30",
       "planned", "2", "Texto"]


def test_import_creates_and_updates_with_change_log(action_pe, coordinator_pe):
    data = csv_bytes([COLUMNS, ROW, ["pe-plan", "Plan renombrado"] + [""] * 10])
    report = import_actions(data, "acciones.csv", user=coordinator_pe)
    assert report.ok, report.messages()
    assert report.created == ["nueva"] and report.updated == ["pe-plan"]
    new = Action.objects.get(code="nueva")
    assert sorted(new.countries.values_list("code", flat=True)) == ["CL", "CO"] and new.weight == 2
    action_pe.refresh_from_db()
    # Empty cells of an existing action keep what is stored (here: its participants and dates).
    assert action_pe.title == "Plan renombrado" and action_pe.end == date(2030, 12, 31)
    assert list(action_pe.countries.values_list("code", flat=True)) == ["CL"]
    # One import batch keeps the file; each action's entry points at it and at its line, compactly.
    batch = report.batch
    assert batch.kind == "roadmap-actions" and batch.file.read() == data and batch.user == coordinator_pe
    assert batch.counts == {"create": 1, "update": 1}
    created = ChangeLog.objects.get(batch=batch, object_id=new.pk)
    assert (created.action, created.row, created.before, created.after) == ("create", 2, None, None)
    updated = ChangeLog.objects.get(batch=batch, object_id=action_pe.pk)
    assert updated.row == 3 and updated.after == {"title": "Plan renombrado"}
    assert ChangeLog.objects.filter(source="import").count() == 2


def test_a_roadmap_import_can_be_undone(action_pe, coordinator_pe):
    from sirbi.core.batches import undo_batch

    report = import_actions(csv_bytes([COLUMNS, ROW, ["pe-plan", "Plan renombrado"] + [""] * 10]),
                            "acciones.csv", user=coordinator_pe)
    undo_batch(report.batch, user=coordinator_pe)
    assert not Action.objects.filter(code="nueva").exists()
    action_pe.refresh_from_db()
    assert action_pe.title != "Plan renombrado"


def test_one_bad_row_imports_nothing_and_every_problem_is_named(action_ar, coordinator_pe):
    rows = [COLUMNS, ROW,
            ["mala", "Mala", "no-such-objective", "PE", "", "", "", "2026-01-01", "2025-01-01", "planned", "1", ""],
            ["ar-plan", "De Argentina", "reading-plans", "AR", "", "", "", "2026-01-01", "2027-01-01", "planned",
             "1", ""],
            ROW]
    with translation.override("en"):
        report = import_actions(csv_bytes(rows), "acciones.csv", user=coordinator_pe)
    assert not report.ok and not Action.objects.filter(code__in=["nueva", "mala"]).exists()
    text = "\n".join(report.messages())
    assert "acciones.csv, line 3, column objective" in text
    assert "line 4, column lead_country: you may not import actions led by Argentina" in text
    assert "line 5, column code: the code nueva is also on line 2" in text
    action_ar.refresh_from_db()
    assert action_ar.title == "Plan de lectura de Argentina"


def test_missing_columns_and_dry_run(objective, coordinator_pe):
    with pytest.raises(FileProblem, match="columns missing: end, lead_country"):
        import_actions(csv_bytes([["code", "title", "objective", "start"], ["a", "b", "c", "d"]]), "x.csv",
                       user=coordinator_pe)
    report = import_actions(csv_bytes([COLUMNS, ROW]), "x.csv", user=coordinator_pe, dry_run=True)
    assert report.ok and report.created == ["nueva"] and not Action.objects.filter(code="nueva").exists()


def test_xlsx_round_trip_through_export(action_pe, action_ar, secretary, as_user):
    with translation.override("en"):
        export_url = reverse("cooperation:actions-export", args=["xlsx"])
    response = as_user(None).get(export_url + "?country=CL")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:len(COLUMNS)] == COLUMNS and [r[0] for r in rows[1:]] == ["pe-plan"]
    rows[1][1] = "Título nuevo"
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_actions(buffer.getvalue(), "export.xlsx", user=secretary)
    assert report.ok and report.updated == ["pe-plan"] and report.ignored == ["line", "progress", "overdue"]
    action_pe.refresh_from_db()
    assert action_pe.title == "Título nuevo"


def test_import_page_and_command(objective, coordinator_pe, reader, as_user, tmp_path):
    with translation.override("en"):
        page_url = reverse("cooperation:import-actions")
    refused = as_user(reader).get(page_url)
    assert refused.status_code == 403 and "no role that may add" in refused.content.decode()  # it says why
    from django.core.files.uploadedfile import SimpleUploadedFile
    body = as_user(coordinator_pe).post(page_url, {"file": SimpleUploadedFile("a.csv", csv_bytes([COLUMNS, ROW]))},
                                        ).content.decode()
    assert "Imported" in body and Action.objects.filter(code="nueva").exists()
    path = tmp_path / "more.csv"
    path.write_bytes(csv_bytes([COLUMNS, ["otra"] + ROW[1:]]))
    call_command("import_actions", str(path), "--user", coordinator_pe.username, verbosity=0)
    assert Action.objects.filter(code="otra").exists()
    path.write_bytes(csv_bytes([COLUMNS, ["x"] + ROW[1:3] + ["AR"] + ROW[4:]]))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_actions", str(path), "--user", coordinator_pe.username, verbosity=0)


def test_csv_export_reads_back_unchanged(action_pe, secretary, as_user):
    with translation.override("en"):
        export_url = reverse("cooperation:actions-export", args=["csv"])
    data = b"".join(as_user(None).get(export_url).streaming_content)
    assert data.startswith("\ufeff".encode())  # so that spreadsheet programs read UTF-8
    report = import_actions(data, "export.csv", user=secretary)
    assert report.ok and report.unchanged == ["pe-plan"] and report.ignored == ["line", "progress", "overdue"]
