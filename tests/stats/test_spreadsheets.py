"""Campaign templates filled offline: generated per campaign, unit and language; read back all or nothing,
with every problem named by sheet, row and column."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from sirbi.stats.campaigns.services import Unit
from sirbi.stats.campaigns.spreadsheets import SheetErrors, read_upload, template_csv, template_xlsx
from sirbi.stats.models import Value
from tests.stats.test_campaigns import campaign  # noqa: F401  (fixture)


def fill_xlsx(content, values, **cells):
    """The template with `values` ({indicator code: cell value}) written in its value column."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["figures"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        code = row[header.index("indicator")].value
        if code in values:
            row[header.index("value")].value = values[code]
        for (row_code, column), value in cells.items():
            if row_code == code:
                row[header.index(column)].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_rows(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def write_csv(rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_the_template_lists_the_campaigns_figures_in_the_users_language(campaign, peru):  # noqa: F811
    workbook = load_workbook(io.BytesIO(template_xlsx(campaign, [Unit(peru)], "pt")))
    sheet = workbook["figures"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(values_only=False)]
    assert rows[0][:6] == ["template_version", "campaign", "unit", "language", "indicator", "typology"]
    names = {row[4]: row[6] for row in rows[1:]}
    assert names == {"libraries": "Bibliotecas e pontos de serviço", "libraries_internet":
                     "Bibliotecas com acesso à internet", "visits": "Visitas presenciais"}
    assert "about" in workbook.sheetnames


def test_numeric_cells_are_taken_as_numbers_whatever_the_language(campaign, peru):  # noqa: F811
    content = fill_xlsx(template_xlsx(campaign, [Unit(peru)], "es"), {"libraries": 1234, "visits": 2500.0})
    entries = {e.indicator.code: e.value for e in read_upload(content, "t.xlsx", campaign, Unit(peru))}
    assert entries["libraries"] == 1234 and entries["visits"] == 2500 and entries["libraries_internet"] is None


def test_text_cells_are_read_in_the_templates_language(campaign, peru):  # noqa: F811
    content = fill_xlsx(template_xlsx(campaign, [Unit(peru)], "es"), {"libraries": "1.234", "visits": "2.500.000"})
    entries = {e.indicator.code: e.value for e in read_upload(content, "t.xlsx", campaign, Unit(peru))}
    assert entries["libraries"] == 1234 and entries["visits"] == 2_500_000


def test_every_problem_is_named_and_nothing_is_saved(as_user, coordinator_pe, campaign, peru):  # noqa: F811
    content = fill_xlsx(template_xlsx(campaign, [Unit(peru)], "en"),
                        {"libraries": "12.5", "libraries_internet": -3, "visits": "lots"})
    with pytest.raises(SheetErrors) as error, translation.override("en"):
        read_upload(content, "t.xlsx", campaign, Unit(peru))
    problems = error.value.problems
    assert "figures, row 2, column value: 12.5 is not a whole number, and libraries is a count." in problems
    assert "figures, row 3, column value: a count cannot be negative." in problems
    assert "figures, row 4, column value: “lots” is not a number." in problems
    response = as_user(coordinator_pe).post(f"/en/stats/campaigns/{campaign.pk}/report/PE/upload/",
                                            {"file": SimpleUploadedFile("t.xlsx", content)}, follow=True)
    assert "Nothing was saved" in response.content.decode()
    assert not Value.objects.filter(campaign=campaign).exists()


def test_a_template_of_another_campaign_or_unit_is_refused(campaign, peru, chile):  # noqa: F811
    rows = csv_rows(template_csv(campaign, [Unit(chile)], "es"))
    rows[0]["value"] = "10"
    with pytest.raises(SheetErrors, match="row 2, column unit"), translation.override("en"):
        read_upload(write_csv(rows), "chile.csv", campaign, Unit(peru))
    rows = csv_rows(template_csv(campaign, [Unit(peru)], "es"))
    rows[0]["campaign"] = "999"
    rows[1]["template_version"] = "0"
    rows.append(dict(rows[2]))
    with pytest.raises(SheetErrors) as error, translation.override("en"):
        read_upload(write_csv(rows), "pe.csv", campaign, Unit(peru))
    text = " | ".join(error.value.problems)
    assert "pe.csv, row 2, column campaign" in text and "pe.csv, row 3, column template_version" in text
    assert "pe.csv, row 5, column indicator: visits (public) is already on row 4." in text


def test_a_file_cut_off_or_foreign_is_refused(campaign, peru):  # noqa: F811
    content = template_xlsx(campaign, [Unit(peru)], "es")
    with pytest.raises(SheetErrors, match="damaged or incomplete"), translation.override("en"):
        read_upload(content[: len(content) // 2], "t.xlsx", campaign, Unit(peru))
    with pytest.raises(SheetErrors, match="not a template"), translation.override("en"):
        read_upload(b"isil,name\nPE-1,Biblioteca\n", "libraries.csv", campaign, Unit(peru))


def test_the_coordinator_downloads_fills_and_sends_the_csv(as_user, coordinator_pe, campaign):  # noqa: F811
    client = as_user(coordinator_pe)
    response = client.get(f"/es/stats/campaigns/{campaign.pk}/report/PE/template.csv", {"language": "es"})
    assert response["Content-Disposition"].endswith('-PE-es.csv"')
    rows = csv_rows(response.content)
    for row in rows:
        row["value"] = {"libraries": "1.500", "libraries_internet": "1.200", "visits": "3.000.000"}[row["indicator"]]
    response = client.post(f"/es/stats/campaigns/{campaign.pk}/report/PE/upload/",
                           {"file": SimpleUploadedFile("filled.csv", write_csv(rows))})
    assert response.status_code == 302
    stored = {v.indicator.code: (v.value, v.status) for v in Value.objects.filter(campaign=campaign)}
    assert stored == {"libraries": (1500, "draft"), "libraries_internet": (1200, "draft"),
                      "visits": (3_000_000, "draft")}
    # The file is one import batch, kept; each figure's entry points at it and at its row.
    from sirbi.core.models import ChangeLog, ImportBatch

    batch = ImportBatch.objects.get(kind="figures")
    assert batch.filename == "filled.csv" and batch.country == "PE" and batch.counts == {"create": 3}
    assert batch.file.read() == write_csv(rows)
    assert sorted(ChangeLog.objects.filter(batch=batch).values_list("row", flat=True)) == [2, 3, 4]
    assert not ChangeLog.objects.filter(batch=batch).exclude(after=None).exists()
    assert client.get(f"/es/stats/campaigns/{campaign.pk}/report/CL/template.csv").status_code == 403


def test_a_draft_emptied_by_a_spreadsheet_is_logged_and_its_undo_brings_it_back(as_user, coordinator_pe, campaign):  # noqa: F811
    from sirbi.core.batches import undo_batch
    from sirbi.core.models import ChangeLog, ImportBatch

    client = as_user(coordinator_pe)
    rows = csv_rows(client.get(f"/en/stats/campaigns/{campaign.pk}/report/PE/template.csv").content)
    for row in rows:
        row["value"] = "7"
    upload = f"/en/stats/campaigns/{campaign.pk}/report/PE/upload/"
    client.post(upload, {"file": SimpleUploadedFile("first.csv", write_csv(rows))})
    rows[0]["value"] = ""
    client.post(upload, {"file": SimpleUploadedFile("second.csv", write_csv(rows))})
    second = ImportBatch.objects.get(filename="second.csv")
    assert second.counts == {"delete": 1, "unchanged": 2}
    deletion = ChangeLog.objects.get(batch=second, action="delete")
    assert deletion.row == 2 and deletion.before["value"] == 7.0
    undo_batch(second, user=coordinator_pe)
    assert Value.objects.filter(campaign=campaign).count() == 3
