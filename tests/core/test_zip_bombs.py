"""A small XLSX that unpacks to hundreds of megabytes (a zip bomb) is refused by every upload, from the archive's
central directory, before anything is unpacked; nothing is written (issue 12, item 8)."""

import io
import re
import struct
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from sirbi.catalog.models import Record, Source
from sirbi.cooperation.models import Action
from sirbi.core import tables
from sirbi.core.models import ChangeLog
from sirbi.core.tables import FileProblem, read_table
from sirbi.registry.models import Library
from sirbi.stats.models import Value
from tests.stats.test_campaigns import campaign  # noqa: F401  (fixture)

SHEET = "xl/worksheets/sheet1.xml"
OPEN = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>isil</t></is></c></row>')
CLOSE = b"</sheetData></worksheet>"


def workbook(sheet_bytes, level=1):
    """A workbook (openpyxl's empty one) whose first sheet is `sheet_bytes` (an iterable of byte strings)."""
    empty = io.BytesIO()
    Workbook().save(empty)
    buffer = io.BytesIO()
    with zipfile.ZipFile(empty) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED,
                                                          compresslevel=level) as archive:
        for name in source.namelist():
            if name != SHEET:
                archive.writestr(name, source.read(name))
        with archive.open(SHEET, "w") as sheet:
            for piece in sheet_bytes:
                sheet.write(piece)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb():
    """300 MB of one repeated byte in a sheet, about 1.3 MB packed."""
    blank = b" " * (1024 * 1024)
    return workbook([OPEN, *([blank] * 300), CLOSE])


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def eager_jobs(settings, tmp_path):
    settings.JOBS_EAGER = True
    settings.UPLOAD_DIR = tmp_path
    return tmp_path


def test_the_reader_refuses_it_from_the_directory_without_unpacking(bomb, monkeypatch):
    monkeypatch.setattr(tables, "_inflate_within", lambda *a: pytest.fail("unpacked"))
    started = time.monotonic()
    with pytest.raises(FileProblem, match="bomb.xlsx: the part xl/worksheets/sheet1.xml of the workbook unpacks to "
                                          "300.0.MB from 1.3.MB"):
        read_table(bomb, "bomb.xlsx")
    assert time.monotonic() - started < 0.5


def test_a_directory_that_lies_about_sizes_is_caught_while_unpacking():
    data = bytearray(workbook([OPEN + b"<row/>" * 400_000 + CLOSE]))
    real = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET)
    # Say 2,000 bytes where there are 2.4 MB, in the central directory and in the part's own header.
    central = data.rindex(b"PK\x01\x02", 0, data.rindex(SHEET.encode()))
    struct.pack_into("<L", data, central + 24, 2000)
    struct.pack_into("<L", data, real.header_offset + 22, 2000)
    with pytest.raises(FileProblem, match="more than its declared size"):
        read_table(bytes(data), "lies.xlsx")


def test_the_total_unpacked_size_and_the_sheet_extent_are_limited(monkeypatch):
    data = workbook([OPEN + b"<row/>" * 100_000 + CLOSE], level=9)
    monkeypatch.setattr(tables, "MAX_UNPACKED", 100_000)
    with pytest.raises(FileProblem, match=r"unpacks to 601.8.KB, more than the limit of 97.7.KB"):
        read_table(data, "big.xlsx")
    monkeypatch.undo()
    for cell, message in (('<c r="XFD1"/>', "reaches column XFD"), ('<c r="A1048576"/>', "reaches row 1048576")):
        far = workbook([OPEN + f"<row>{cell}</row>".encode() + CLOSE])
        with pytest.raises(FileProblem, match=message):
            read_table(far, "far.xlsx")


def test_the_registry_import_page_refuses_it(bomb, as_user, coordinator_pe, eager_jobs):
    response = as_user(coordinator_pe).post("/en/registry/import/", {"file": SimpleUploadedFile("bomb.xlsx", bomb)},
                                            follow=True)
    assert "bomb.xlsx: the part xl/worksheets/sheet1.xml of the workbook unpacks to 300.0 MB" in text(response)
    assert "Nothing was imported" in text(response) and not Library.objects.exists()
    assert not ChangeLog.objects.exists()


def test_the_campaign_uploads_refuse_it(bomb, as_user, coordinator_pe, campaign, eager_jobs):  # noqa: F811
    client = as_user(coordinator_pe)
    response = client.post(f"/en/stats/campaigns/{campaign.pk}/report/PE/upload/",
                           {"file": SimpleUploadedFile("bomb.xlsx", bomb)}, follow=True)
    assert "Nothing was saved" in text(response) and "refused as a zip bomb" in text(response)
    response = client.post(f"/en/stats/campaigns/{campaign.pk}/upload/",
                           {"file": SimpleUploadedFile("bomb.xlsx", bomb)}, follow=True)
    assert "refused as a zip bomb" in text(response)
    assert not Value.objects.filter(campaign=campaign).exists() and not ChangeLog.objects.exists()


def test_the_roadmap_import_page_refuses_it(bomb, as_user, coordinator_pe):
    response = as_user(coordinator_pe).post("/en/cooperation/roadmap/import/",
                                            {"file": SimpleUploadedFile("bomb.xlsx", bomb)})
    assert "bomb.xlsx: the part xl/worksheets/sheet1.xml of the workbook unpacks to 300.0 MB" in text(response)
    assert not Action.objects.exists() and not ChangeLog.objects.exists()


def test_the_catalog_upload_refuses_a_workbook(bomb, as_user, librarian_lima, lima_library, eager_jobs):
    Source.objects.create(code="lima", name="Lima", library=lima_library)
    response = as_user(librarian_lima).post("/en/catalog/sources/lima/upload/",
                                            {"file": SimpleUploadedFile("bomb.xlsx", bomb)}, follow=True)
    assert "is a spreadsheet workbook" in text(response)
    assert not Record.objects.exists()


def test_a_file_over_the_upload_limit_and_too_many_rows_are_refused(monkeypatch):
    with pytest.raises(FileProblem, match=r"a.csv: the file is 2.0.KB; the limit is 1.0.KB"):
        read_table(b"isil\n" + b"x" * 2043 + b"\n", "a.csv", max_bytes=1024)
    monkeypatch.setattr(tables, "MAX_ROWS", 3)
    with pytest.raises(FileProblem, match="a.csv, line 5: the file has more than 3 rows"):
        read_table(b"isil\n1\n2\n3\n4\n5\n", "a.csv")


def test_sparse_sheets_are_not_laid_out_whole(monkeypatch):
    """Two cells far apart (A1 and CV240000: 24 million cells between them), or cells without their position:
    the figures' fast reader (which lays a sheet out whole) is not used; the streaming one reads them."""
    real = tables._read_xlsx_calamine
    monkeypatch.setattr(tables, "_read_xlsx_calamine", lambda *a: pytest.fail("laid out whole"))
    far = workbook([OPEN + b'<row r="240000"><c r="CV240000"><v>7</v></c></row>' + CLOSE])
    table = read_table(far, "far.xlsx", typed=True)
    assert table.rows == [(240000, [""] * 99 + [7])]
    unplaced = workbook([OPEN + b'<row r="2"><c><v>5</v></c></row>' + CLOSE])
    assert read_table(unplaced, "unplaced.xlsx", typed=True).rows == [(2, [5])]
    monkeypatch.setattr(tables, "_read_xlsx_calamine", real)
    near = workbook([OPEN + b'<row r="2"><c r="A2"><v>5</v></c></row>' + CLOSE])
    assert read_table(near, "near.xlsx", typed=True).rows == [(2, [5])]


def moved(data, target="data/s1.xml"):
    """The workbook with its sheet stored at xl/`target`, where the workbook's relationships point (spreadsheet
    readers find sheets there, not by their folder)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            part = source.read(name).replace(b"worksheets/sheet1.xml", target.encode())
            archive.writestr("xl/" + target if name == SHEET else name, part)
    return buffer.getvalue()


FAR = workbook([OPEN + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' + CLOSE])


@pytest.mark.parametrize("target", ["data/s1.xml", "data/S1.XML", "/xl/data/s1.xml"])
def test_a_sheet_stored_elsewhere_is_checked_as_well(target, monkeypatch):
    monkeypatch.setattr(tables, "_read_xlsx_calamine", lambda *a: pytest.fail("laid out whole"))
    for typed in (False, True):
        with pytest.raises(FileProblem, match="reaches row 1048576"):
            read_table(moved(FAR, target), "far.xlsx", typed=typed)
    monkeypatch.undo()
    near = moved(workbook([OPEN + b'<row r="2"><c r="A2"><v>5</v></c></row>' + CLOSE]), target)
    assert read_table(near, "near.xlsx", typed=True).rows == [(2, [5])]


def test_a_sheet_whose_dimension_reaches_far_is_not_laid_out_whole(monkeypatch):
    monkeypatch.setattr(tables, "_read_xlsx_calamine", lambda *a: pytest.fail("laid out whole"))
    wide = OPEN.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>')
    data = workbook([wide + b'<row r="2"><c r="A2"><v>5</v></c></row>' + CLOSE])
    assert read_table(data, "dimension.xlsx", typed=True).rows == [(2, [5])]


def test_the_campaign_upload_refuses_a_sheet_stored_elsewhere(as_user, coordinator_pe, campaign,  # noqa: F811
                                                                eager_jobs):
    started = time.monotonic()
    response = as_user(coordinator_pe).post(f"/en/stats/campaigns/{campaign.pk}/report/PE/upload/",
                                            {"file": SimpleUploadedFile("far.xlsx", moved(FAR))}, follow=True)
    assert "far.xlsx: the sheet reaches row 1048576; the limit is" in text(response)
    assert "Nothing was saved" in text(response) and time.monotonic() - started < 10
    assert not Value.objects.filter(campaign=campaign).exists()
