"""Bulk import of libraries, as the national coordinators use it: `sirbi import-libraries FILE` and the
importer behind it. One bad row changes nothing (unless the rows with errors are skipped), every error
names the file, the row and the column, and each change leaves its trace in the change log.

The helpers at the top (csv_bytes, xlsx_bytes, snapshot counts) are shared with test_import_web.py and
test_exports.py.
"""

import csv
import io
import zipfile
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.core.validators import EmailValidator, URLValidator
from django.utils import translation
from openpyxl import Workbook

from sirbi.core import jobs, pagecache
from sirbi.core.changelog import history
from sirbi.core.models import ChangeLog, ImportBatch, Job, KeptFile, User
from sirbi.core.text import fold
from sirbi.registry.imports import import_libraries
from sirbi.registry.imports import jobs as import_jobs
from sirbi.registry.imports import libraries as importer
from sirbi.registry.imports.libraries import COLUMN_LABELS, column_aliases
from sirbi.registry.models import Library
from sirbi.registry.rules import valid_email, valid_url
from tests.core.test_pagecache import page_cache  # noqa: F401  (fixture)

HEADER = ["isil", "name", "country", "subdivision", "networks", "type", "status", "locality", "latitude",
          "longitude", "services"]
MIRAFLORES = ["PE-MIR01", "Biblioteca Municipal de Miraflores", "PE", "PE-LIM", "pe-public", "public", "open",
              "Miraflores", "-12.1211", "-77.0297", "wifi|children"]
HUANUCO = ["", "Biblioteca Pública de Huánuco", "PE", "Huánuco", "", "school", "", "Huánuco", "", "", ""]


def csv_bytes(rows, header=HEADER, delimiter=",", encoding="utf-8", bom=False, newline="\r\n"):
    """A CSV file as a spreadsheet program saves it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER, build=None):
    """An Excel workbook whose first sheet holds the header and rows; `build(sheet)` may change it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "bibliotecas"
    if header:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    if build:
        build(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def stored_state():
    """What an import could change: libraries (with their versions), network memberships, change log, batches
    and the files they keep."""
    return (
        sorted(Library.objects.values_list("pk", "name", "isil", "version", "latitude", "updated")),
        sorted(Library.networks.through.objects.values_list("library_id", "network_id")),
        ChangeLog.objects.count(),
        ImportBatch.objects.count(),
        KeptFile.objects.count(),
    )


def run(data, user, filename="bibliotecas.csv", **options):
    return import_libraries(data, filename, user=user, **options)


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


# --- The happy path -------------------------------------------------------------------------------------


def test_peru_coordinator_imports_new_libraries_with_their_change_log(coordinator_pe, pe_public):
    report = run(csv_bytes([MIRAFLORES, HUANUCO]), coordinator_pe, message="Censo 2024")

    assert report.ok and report.applied and report.problem == ""
    assert report.summary() == {"create": 2, "update": 0, "unchanged": 0, "error": 0, "skipped": 0}
    miraflores = Library.objects.get(isil="PE-MIR01")
    assert miraflores.name == "Biblioteca Municipal de Miraflores" and miraflores.country.code == "PE"
    assert miraflores.subdivision.code == "PE-LIM" and miraflores.locality == "Miraflores"
    assert (miraflores.latitude, miraflores.longitude) == (-12.1211, -77.0297)
    assert list(miraflores.networks.all()) == [pe_public]
    assert miraflores.services == ["wifi", "children"] and miraflores.status == "open"
    assert miraflores.version == 1 and miraflores.search_text == miraflores.build_search_text()
    # The subdivision may be given by its name, accents and all; an empty status means open.
    huanuco = Library.objects.get(name="Biblioteca Pública de Huánuco")
    assert huanuco.subdivision.code == "PE-HUC" and huanuco.isil is None and huanuco.type == "school"
    assert {row.library_id for row in report.rows} == {miraflores.pk, huanuco.pk}

    # The import is one batch that keeps the file; each library's entry points at it and at its row, and keeps
    # no values of its own (they are the row's).
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.kind == "libraries" and batch.filename == "bibliotecas.csv" and batch.country == "PE"
    assert batch.user == coordinator_pe and batch.message == "Censo 2024"
    assert batch.counts == {"create": 2} and batch.file.read() == csv_bytes([MIRAFLORES, HUANUCO])
    assert report.as_dict()["batch_url"] == f"/en/platform/changes/imports/{batch.pk}/"
    entry = history(miraflores).get()
    assert entry.action == "create" and entry.source == "import" and entry.message == "Censo 2024"
    assert entry.user == coordinator_pe and entry.user_name == "coord_pe" and entry.country == "PE"
    assert entry.object_repr == miraflores.name and entry.before is None and entry.after is None
    assert (entry.batch, entry.row) == (batch, 2)
    assert (history(huanuco).get().batch, history(huanuco).get().row) == (batch, 3)


def test_the_free_text_search_finds_imported_libraries(client, coordinator_pe):
    run(csv_bytes([HUANUCO]), coordinator_pe)
    page = client.get("/en/registry/libraries/", {"q": "huanuco publica"}).content.decode()
    assert "Biblioteca Pública de Huánuco" in page


@pytest.mark.parametrize("encoding, bom", [("utf-8", False), ("utf-8", True), ("latin-1", False),
                                           ("cp1252", False)])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_in_utf8_or_latin1_with_comma_semicolon_or_tab(coordinator_pe, encoding, bom, delimiter):
    row = list(HUANUCO)
    row[1] = "Biblioteca “Ñawpa” de Huánuco" if encoding == "cp1252" else "Biblioteca Ñawpa de Huánuco"
    row[8:10] = ["-9,93", "-76,24"] if delimiter != "," else ["-9.93", "-76.24"]  # a decimal comma too
    report = run(csv_bytes([row], delimiter=delimiter, encoding=encoding, bom=bom), coordinator_pe)

    assert report.ok and report.applied, report.messages()
    assert report.delimiter == delimiter
    assert report.encoding == ("utf-8" if encoding == "utf-8" else "windows-1252")
    library = Library.objects.get(locality="Huánuco")
    assert library.name == row[1] and (library.latitude, library.longitude) == (-9.93, -76.24)


def test_a_latin1_file_with_bytes_windows_1252_lacks_is_read_as_latin1(coordinator_pe):
    data = csv_bytes([HUANUCO], encoding="latin-1").replace("Pública".encode("latin-1"), b"P\x81blica")
    report = run(data, coordinator_pe)
    assert report.ok and report.encoding == "latin-1"


def test_an_xlsx_workbook_is_imported_with_numbers_as_numbers(coordinator_pe, pe_public):
    row = list(MIRAFLORES)
    row[8:10] = [-12.1211, -77.0297]  # real numbers in the cells
    report = run(xlsx_bytes([row, HUANUCO]), coordinator_pe, filename="bibliotecas.xlsx")

    assert report.ok and report.applied and report.summary()["create"] == 2, report.messages()
    miraflores = Library.objects.get(isil="PE-MIR01")
    assert (miraflores.latitude, miraflores.longitude) == (-12.1211, -77.0297)
    assert [r.line for r in report.rows] == [2, 3]  # rows are numbered as Excel shows them


def test_the_file_kind_is_read_from_its_content_not_its_name(coordinator_pe):
    assert run(xlsx_bytes([HUANUCO]), coordinator_pe, filename="bibliotecas.csv").ok
    report = run(csv_bytes([HUANUCO]), coordinator_pe, filename="bibliotecas.xlsx")
    assert "not an Excel workbook" in report.problem


@pytest.mark.parametrize("language, header", [
    ("es", ["nombre", "país", "tipo", "ISIL"]),
    ("pt", ["nome", "país", "tipo", "ISIL"]),
    ("en", ["Name", "Country", "Type", "isil"]),
])
def test_headers_may_be_the_labels_in_spanish_portuguese_or_english(coordinator_pe, language, header):
    report = run(csv_bytes([["Biblioteca de Tacna", "pe", "public", "PE-TAC01"]], header=header), coordinator_pe)
    assert report.ok and report.applied, report.problem
    library = Library.objects.get(name="Biblioteca de Tacna")
    assert library.type == "public" and library.country.code == "PE"


def test_no_label_means_two_columns_in_any_language():
    meanings = {}
    for code, label in COLUMN_LABELS.items():
        for language in ("es", "pt", "en"):
            with translation.override(language):
                meanings.setdefault(fold(str(label)), set()).add(code)
    assert {text: codes for text, codes in meanings.items() if len(codes) > 1} == {}
    aliases = column_aliases()
    assert all(aliases[fold(code)] == code for code in COLUMN_LABELS)


@pytest.mark.parametrize("value", ["https://www.biblioteca.gob.pe/", "http://bnp.gob.pe/sala?x=1#a",
                                   "https://a-b.c.example.org/x y", "https://-bad.org/", "https://bad-.org/",
                                   "https://localhost/", "https://1.2.3.4/", "ftp://x.org/", "www.x.org",
                                   "https://x.o", "https://exa_mple.org/"])
def test_the_quick_web_address_check_agrees_with_django(value):
    try:
        URLValidator()(value)
        expected = True
    except Exception:
        expected = False
    assert valid_url(value) == expected


@pytest.mark.parametrize("value", ["contacto@bnp.gob.pe", "a.b+c@x.org", "a..b@x.org", ".a@x.org",
                                   "a@localhost", "a@-x.org", "a@x", "a b@x.org", "josé@x.org", "a@x.o"])
def test_the_quick_email_check_agrees_with_django(value):
    try:
        EmailValidator()(value)
        expected = True
    except Exception:
        expected = False
    assert valid_email(value) == expected


# --- Rows that update ------------------------------------------------------------------------------------


def test_a_row_with_the_isil_of_a_library_updates_it_whatever_the_case(coordinator_pe, lima_library, pe_public):
    before_count, before_version = Library.objects.count(), lima_library.version
    row = ["pe-lim01", "Biblioteca Municipal de Lima", "PE", "", "pe-public", "public", "temporarily_closed",
           "Lima", "-12.05", "-77.04", "internet"]
    report = run(csv_bytes([row]), coordinator_pe, message="cierre temporal")

    assert report.summary()["update"] == 1 and report.rows[0].library_id == lima_library.pk
    assert Library.objects.count() == before_count  # updated, not duplicated
    lima_library.refresh_from_db()
    assert lima_library.status == "temporarily_closed" and lima_library.service_internet
    assert lima_library.isil == "PE-LIM01"  # the same ISIL without regard to case: kept as registered
    assert lima_library.version == before_version + 1
    entry = history(lima_library).get()
    assert entry.action == "update" and entry.source == "import" and entry.message == "cierre temporal"
    # Only the fields the row changed, before and after.
    assert entry.before == {"status": "open", "service_internet": False}
    assert entry.after == {"status": "temporarily_closed", "service_internet": True}
    assert entry.batch_id == report.batch_id and entry.row == 2
    assert {row["name"] for row in entry.changed_fields()} == {"status", "service_internet"}


def test_a_row_without_isil_updates_the_library_of_the_same_country_name_and_locality(coordinator_pe,
                                                                                      cusco_library):
    row = ["", "BIBLIOTECA DE CUSCO", "PE", "", "", "public", "", "cusco", "-13.53", "-71.97", ""]
    report = run(csv_bytes([row]), coordinator_pe)

    assert report.summary()["update"] == 1 and report.rows[0].library_id == cusco_library.pk
    cusco_library.refresh_from_db()
    assert (cusco_library.latitude, cusco_library.longitude) == (-13.53, -71.97)
    assert cusco_library.name == "BIBLIOTECA DE CUSCO"  # the file's spelling wins
    assert cusco_library.isil == "PE-CUS01"  # an empty ISIL cell does not take the ISIL away
    assert Library.objects.filter(country__code="PE").count() == 1


def test_an_identical_row_is_unchanged_and_leaves_no_trace(coordinator_pe, lima_library, pe_public):
    row = ["PE-LIM01", "Biblioteca Municipal de Lima", "PE", "", "pe-public", "Public", "open", "Lima",
           "-12,05", "-77.04", ""]
    state = stored_state()
    report = run(csv_bytes([row], delimiter=";"), coordinator_pe)

    assert report.ok and report.applied
    assert report.rows[0].action == "unchanged" and report.rows[0].library_id == lima_library.pk
    assert stored_state() == state  # same version, same updated time, no change-log entry


def test_columns_the_file_does_not_have_keep_their_values(coordinator_pe, lima_library, pe_public):
    report = run(csv_bytes([["PE-LIM01", "Biblioteca Metropolitana de Lima", "PE", "public"]],
                           header=["isil", "name", "country", "type"]), coordinator_pe)

    assert report.summary()["update"] == 1
    lima_library.refresh_from_db()
    assert lima_library.name == "Biblioteca Metropolitana de Lima"
    assert lima_library.locality == "Lima" and lima_library.latitude == -12.05
    assert list(lima_library.networks.all()) == [pe_public]
    assert {row["name"] for row in history(lima_library).get().changed_fields()} == {"name"}


def test_an_empty_cell_of_a_present_column_empties_the_field(coordinator_pe, lima_library):
    row = ["PE-LIM01", "Biblioteca Municipal de Lima", "PE", "", "", "public", "open", "Lima", "", "", ""]
    run(csv_bytes([row]), coordinator_pe)
    lima_library.refresh_from_db()
    assert lima_library.latitude is None and lima_library.longitude is None
    assert not lima_library.networks.exists()


def test_a_dry_run_reports_everything_and_changes_nothing(coordinator_pe, lima_library):
    row = ["PE-LIM01", "Biblioteca Municipal de Lima", "PE", "", "", "public", "closed", "Lima", "", "", ""]
    state = stored_state()
    report = run(csv_bytes([row, MIRAFLORES]), coordinator_pe, dry_run=True)

    assert report.ok and report.dry_run and not report.applied
    assert [r.action for r in report.rows] == ["update", "create"]
    assert stored_state() == state


def test_the_new_libraries_of_a_file_are_its_rows_even_with_the_same_name_and_locality(coordinator_pe):
    # Two towns of a country may share a name: without an ISIL to say otherwise, both rows are libraries.
    rows = [["", "Biblioteca Municipal", "PE", "", "", "public", "", "San Juan", "-12.1", "-77.0", ""],
            ["", "Biblioteca Municipal", "PE", "", "", "public", "", "San Juan", "-6.9", "-79.9", ""]]
    assert run(csv_bytes(rows), coordinator_pe).summary()["create"] == 2
    # A later import without ISILs cannot tell which is which, and says so.
    report = run(csv_bytes(rows[:1]), coordinator_pe)
    assert report.messages() == ["bibliotecas.csv, row 2, column name: 2 libraries of this country have this "
                                 "name and locality; give the ISIL to say which one."]


# --- All or nothing, and every error in place ----------------------------------------------------------------


def test_one_bad_row_changes_nothing_and_is_named_with_file_row_and_column(coordinator_pe, lima_library):
    good_update = ["PE-LIM01", "Biblioteca Municipal de Lima", "PE", "", "", "public", "closed", "Lima", "", "",
                   ""]
    bad = list(HUANUCO)
    bad[0] = "AR-HUA01"
    state = stored_state()
    report = run(csv_bytes([good_update, MIRAFLORES, bad]), coordinator_pe)

    assert not report.ok and not report.applied
    assert stored_state() == state
    # The preview says what the good rows would do; the file as a whole is not imported.
    assert [r.action for r in report.rows] == ["update", "create", "error"]
    assert report.messages() == [
        "bibliotecas.csv, row 4, column isil: The ISIL prefix AR is not the library's country (PE)."]


def test_the_valid_rows_are_imported_when_the_bad_ones_are_skipped(coordinator_pe):
    bad = list(HUANUCO)
    bad[8:10] = ["-95", "-76.2"]
    report = run(csv_bytes([MIRAFLORES, bad]), coordinator_pe, skip_invalid=True)

    assert report.applied and report.summary() == {"create": 1, "update": 0, "unchanged": 0, "error": 0,
                                                   "skipped": 1}
    assert Library.objects.filter(isil="PE-MIR01").exists()
    assert not Library.objects.filter(locality="Huánuco").exists()
    assert [(r.line, r.action) for r in report.error_rows] == [(3, "skipped")]
    assert report.messages() == ["bibliotecas.csv, row 3, column latitude: -95 is out of range (−90 to 90)."]
    assert ChangeLog.objects.filter(source="import").count() == 1


def with_cell(base, column, value):
    row = list(base)
    row[HEADER.index(column)] = value
    return row


BAD_ROWS = {
    "isil with a forbidden character": (with_cell(MIRAFLORES, "isil", "PE-MIR#1"), "isil",
                                        "An ISIL may contain only digits"),
    "isil too long": (with_cell(MIRAFLORES, "isil", "PE-12345678901234"), "isil", "at most 16 characters"),
    "isil without prefix": (with_cell(MIRAFLORES, "isil", "MIR01"), "isil", "starts with a prefix"),
    "isil of another country": (with_cell(MIRAFLORES, "isil", "CL-MIR01"), "isil", "is not the library's country"),
    "isil of an unregistered prefix": (with_cell(MIRAFLORES, "isil", "XYZ-1"), "isil", "registered non-country"),
    "latitude out of range": (with_cell(MIRAFLORES, "latitude", "91"), "latitude", "out of range (−90 to 90)"),
    "longitude out of range": (with_cell(MIRAFLORES, "longitude", "-180.5"), "longitude",
                               "out of range (−180 to 180)"),
    "latitude not a number": (with_cell(MIRAFLORES, "latitude", "12°S"), "latitude", "is not a number"),
    "latitude without longitude": (with_cell(MIRAFLORES, "longitude", ""), "latitude", "give both latitude"),
    "unknown country": (with_cell(MIRAFLORES, "country", "XX"), "country", "unknown country “XX”"),
    "country not a member": (with_cell(MIRAFLORES, "country", "US"), "country", "unknown country “US”"),
    "no country": (with_cell(MIRAFLORES, "country", ""), "country", "unknown country"),
    "unknown subdivision": (with_cell(MIRAFLORES, "subdivision", "PE-XYZ"), "subdivision",
                            "unknown subdivision “PE-XYZ” of PE"),
    "subdivision of another country": (with_cell(MIRAFLORES, "subdivision", "CL-RM"), "subdivision",
                                       "(CL-RM) is not a subdivision of Peru"),
    "network of another country": (with_cell(MIRAFLORES, "networks", "ar-popular"), "networks",
                                   "These networks belong to another country: ar-popular (AR)"),
    "unknown network": (with_cell(MIRAFLORES, "networks", "pe-nada"), "networks", "unknown network code"),
    "unknown type": (with_cell(MIRAFLORES, "type", "digital"), "type", "unknown type “digital”"),
    "unknown status": (with_cell(MIRAFLORES, "status", "abierta 24h"), "status", "unknown status"),
    "unknown service": (with_cell(MIRAFLORES, "services", "wifi|cafe"), "services", "unknown service “cafe”"),
    "no name": (with_cell(MIRAFLORES, "name", "  "), "name", "a library needs a name"),
    "name too long": (with_cell(MIRAFLORES, "name", "B" * 301), "name", "at most 300 characters"),
}


@pytest.mark.parametrize("row, column, reason", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_bad_value_is_refused_with_its_row_column_and_reason(coordinator_pe, lima_library, row, column,
                                                               reason):
    state = stored_state()
    report = run(csv_bytes([HUANUCO, row]), coordinator_pe)

    assert not report.applied and stored_state() == state
    assert [r.action for r in report.rows] == ["create", "error"]
    assert len(report.messages()) >= 1
    message = report.messages()[0]
    assert message.startswith(f"bibliotecas.csv, row 3, column {column}: ") and reason in message, message


def test_web_address_and_email_are_checked(coordinator_pe):
    row = ["Biblioteca de Ica", "PE", "public", "biblioteca.ica", "ica@"]
    report = run(csv_bytes([row], header=["name", "country", "type", "website", "email"]), coordinator_pe)
    assert [column for column, _m in report.rows[0].errors] == ["website", "email"]


def test_the_same_isil_twice_in_a_file_is_refused_without_regard_to_case(coordinator_pe):
    twin = with_cell(HUANUCO, "isil", "pe-mir01")
    state = stored_state()
    report = run(csv_bytes([MIRAFLORES, twin]), coordinator_pe)
    assert not report.applied and stored_state() == state
    assert report.messages() == ["bibliotecas.csv, row 3, column isil: the ISIL pe-mir01 is also on row 2."]


def test_an_isil_registered_for_another_library_is_refused(coordinator_pe, lima_library, cusco_library):
    # The row names Lima's library (country, name and locality) but carries Cusco's ISIL.
    row = ["pe-cus01", "Biblioteca Municipal de Lima", "PE", "", "", "public", "", "Lima", "", "", ""]
    state = stored_state()
    report = run(csv_bytes([row]), coordinator_pe)
    assert not report.applied and stored_state() == state
    assert report.messages() == [
        "bibliotecas.csv, row 2, column isil: another library already has the ISIL pe-cus01: “Biblioteca de "
        "Cusco”; this row's country, name and locality are those of “Biblioteca Municipal de Lima”."]


def test_two_rows_for_one_library_are_refused(coordinator_pe, lima_library):
    by_isil = ["PE-LIM01", "Biblioteca Municipal de Lima", "PE", "", "", "public", "", "Lima", "", "", ""]
    by_place = ["", "Biblioteca Municipal de Lima", "PE", "", "", "public", "closed", "Lima", "", "", ""]
    state = stored_state()
    report = run(csv_bytes([by_isil, by_place]), coordinator_pe)
    assert not report.applied and stored_state() == state
    assert report.messages() == ["bibliotecas.csv, row 3: row 2 already changes the library “Biblioteca "
                                 "Municipal de Lima”; a library may appear on one row only."]


# --- Files that cannot be read ------------------------------------------------------------------------------


def _good_csv():
    return csv_bytes([MIRAFLORES, HUANUCO])


def _merged(sheet):
    sheet.merge_cells("B2:C2")


def _formula(sheet):
    sheet["I3"] = "=-9.9+0"


def _corrupt_sheet_xml(data):
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            target.writestr(item, content)
    return buffer.getvalue()


BAD_FILES = {
    "utf-16 with byte-order mark": (lambda: _good_csv().decode().encode("utf-16"), "csv",
                                    "UTF-16 or is not text", None),
    "utf-16 without byte-order mark": (lambda: _good_csv().decode().encode("utf-16-le"), "csv",
                                       "UTF-16 or is not text", None),
    "utf-8 then latin-1": (lambda: csv_bytes([MIRAFLORES, HUANUCO]) + csv_bytes([with_cell(HUANUCO, "name", "Ñaña")],
                                                                               header=None, encoding="latin-1"),
                           "csv", "mixes UTF-8 (line 3) and another encoding (line 4)", 4),
    "latin-1 then utf-8": (lambda: csv_bytes([HUANUCO], encoding="latin-1")
                           + csv_bytes([with_cell(MIRAFLORES, "name", "Biblioteca Señorial")], header=None),
                           "csv", "mixes UTF-8 (line 3) and another encoding (line 2)", 3),
    "no header": (lambda: csv_bytes([MIRAFLORES, HUANUCO], header=None), "csv", "the first line is not a header",
                  1),
    "unknown extra columns": (lambda: csv_bytes([[*MIRAFLORES, "x", "y"]], header=[*HEADER, "horario", "aforo"]),
                              "csv", "unknown columns: horario, aforo", 1),
    "a column twice": (lambda: csv_bytes([[*MIRAFLORES, "x"]], header=[*HEADER, "nombre"]), "csv",
                       "the column name appears twice (columns 2 and 12)", 1),
    "a required column missing": (lambda: csv_bytes([MIRAFLORES[:5]], header=HEADER[:5]), "csv",
                                  "required columns are missing: type", 1),
    "a broken quotation mark": (lambda: _good_csv() + b'"PE-X1","Biblioteca "La" Rota",PE,,,public,,,,,\r\n',
                                "csv", "cannot be read as CSV", 4),
    "a quotation mark never closed": (lambda: _good_csv().replace(b"Biblioteca Municipal de Miraflores",
                                                                  b'"Biblioteca Municipal de Miraflores'),
                                      "csv", "a quotation mark that is not closed", 2),
    "cut off in the middle of a line": (lambda: _good_csv()[:-12], "csv", "the last line is incomplete", 3),
    "cut off in the middle of a character": (lambda: _good_csv().split("Huánuco".encode())[0] + b"Hu"
                                             + "á".encode()[:1], "csv", "ends in the middle of a character", 3),
    "empty": (lambda: b"\xef\xbb\xbf \r\n", "csv", "the file is empty", None),
    "xlsx with a formula": (lambda: xlsx_bytes([MIRAFLORES, HUANUCO], build=_formula), "xlsx",
                            "cell I3 of sheet “bibliotecas” holds a formula", 3),
    "xlsx with merged cells": (lambda: xlsx_bytes([MIRAFLORES, HUANUCO], build=_merged), "xlsx",
                               "sheet “bibliotecas” has merged cells (B2:C2)", None),
    "xlsx cut off": (lambda: xlsx_bytes([MIRAFLORES, HUANUCO])[:3000], "xlsx", "the workbook is damaged", None),
    "xlsx with a damaged sheet": (lambda: _corrupt_sheet_xml(xlsx_bytes([MIRAFLORES, HUANUCO])), "xlsx",
                                  "the workbook is damaged", None),
    "xlsx with nothing in it": (lambda: xlsx_bytes([], header=None), "xlsx", "first sheet is empty", None),
}


@pytest.mark.parametrize("make, kind, reason, line", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_file_that_cannot_be_read_is_refused_and_changes_nothing(coordinator_pe, lima_library, make, kind,
                                                                   reason, line):
    filename = f"bibliotecas.{kind}"
    state = stored_state()
    report = run(make(), coordinator_pe, filename=filename)

    assert report.problem and not report.applied and report.rows == []
    assert stored_state() == state
    assert report.messages() == [report.problem]
    assert report.problem.startswith(f"{filename}, line {line}: " if line else f"{filename}: "), report.problem
    assert reason in report.problem, report.problem


def test_a_cut_off_line_in_the_middle_of_a_file_is_a_row_error(coordinator_pe):
    lines = _good_csv().split(b"\r\n")
    data = b"\r\n".join([lines[0], lines[1][:25], lines[2], b""])
    report = run(data, coordinator_pe)
    assert not report.applied
    assert report.messages()[0].startswith("bibliotecas.csv, row 2: this row has 2 cells but the header has 11")


def test_blank_lines_before_the_header_are_skipped_and_lines_keep_their_numbers(coordinator_pe):
    data = b"\r\n;;\r\n" + csv_bytes([HUANUCO, with_cell(MIRAFLORES, "type", "x")], delimiter=";")
    report = run(data, coordinator_pe)
    assert report.messages() == ["bibliotecas.csv, row 5, column type: unknown type “x”; the types are public, "
                                 "school, popular, national, university, special, mobile."]
    bad_header = b"\r\n" + csv_bytes([HUANUCO], header=[*HEADER[:-1], "horario"])
    assert run(bad_header, coordinator_pe).problem.startswith("bibliotecas.csv, line 2: unknown columns: horario.")


def test_a_value_under_a_column_without_a_name_is_an_error(coordinator_pe):
    report = run(csv_bytes([["Biblioteca de Ica", "PE", "public", "¿y esto?"]],
                           header=["name", "country", "type", ""]), coordinator_pe)
    assert report.messages() == ["bibliotecas.csv, row 2: column 4 has a value but no name in the header."]


def test_cells_beyond_the_header_of_a_workbook_are_an_error(coordinator_pe):
    report = run(xlsx_bytes([["Biblioteca de Ica", "PE", "public", "¿y esto?"]], header=["name", "country", "type"]),
                 coordinator_pe, filename="b.xlsx")
    assert report.messages() == ["b.xlsx, row 2: this row has 4 cells but the header has 3 columns (a stray "
                                 "separator, a broken quotation mark or a cut-off line?)."]


def test_a_quoted_cell_may_span_lines_and_rows_keep_their_line_numbers(coordinator_pe):
    data = csv_bytes([with_cell(MIRAFLORES, "name", "Biblioteca\nde Miraflores"), with_cell(HUANUCO, "type", "x")])
    report = run(data, coordinator_pe)
    assert [r.line for r in report.rows] == [2, 4]
    assert report.messages()[0].startswith("bibliotecas.csv, row 4, column type:")


# --- Who may import what --------------------------------------------------------------------------------------


def test_a_coordinator_may_not_import_libraries_of_another_country(coordinator_pe, buenos_aires_library):
    new_in_argentina = ["AR-ROS01", "Biblioteca Popular de Rosario", "AR", "", "", "popular", "", "Rosario", "", "",
                        ""]
    change_in_argentina = ["AR-BAP01", "Biblioteca Popular de Palermo", "AR", "", "", "popular", "closed",
                           "Buenos Aires", "", "", ""]
    state = stored_state()
    report = run(csv_bytes([MIRAFLORES, new_in_argentina, change_in_argentina]), coordinator_pe)

    assert not report.applied and stored_state() == state
    assert report.messages() == [
        "bibliotecas.csv, row 3, column country: you may not add libraries in AR.",
        "bibliotecas.csv, row 4: you may not change the library Biblioteca Popular de Palermo (AR).",
    ]


def test_a_coordinator_may_not_move_a_library_out_of_their_country(coordinator_pe, lima_library):
    Library.objects.filter(pk=lima_library.pk).update(isil="O-LIM01")  # a non-country ISIL prefix
    row = ["O-LIM01", "Biblioteca Municipal de Lima", "CL", "", "", "public", "", "Lima", "", "", ""]
    state = stored_state()
    report = run(csv_bytes([row]), coordinator_pe)
    assert not report.applied and stored_state() == state
    assert report.messages() == ["bibliotecas.csv, row 2: you may not change the library Biblioteca Municipal de "
                                 "Lima (PE)."]


def test_a_library_moved_to_another_country_may_not_keep_its_old_networks(secretary, lima_library):
    Library.objects.filter(pk=lima_library.pk).update(isil="O-LIM01")
    data = csv_bytes([["O-LIM01", "Biblioteca Municipal de Lima", "CL", "public"]],
                     header=["isil", "name", "country", "type"])
    report = run(data, secretary)
    assert not report.applied and Library.objects.get(pk=lima_library.pk).country.code == "PE"
    assert report.messages() == ["bibliotecas.csv, row 2, column networks: These networks belong to another "
                                 "country: pe-public (PE)."]


def test_a_network_manager_adds_libraries_to_their_network_only(network_manager_pe, pe_public):
    outside = run(csv_bytes([HUANUCO]), network_manager_pe)
    assert outside.messages() == ["bibliotecas.csv, row 2, column country: you may not add libraries in PE."]
    inside = run(csv_bytes([with_cell(HUANUCO, "networks", "pe-public")]), network_manager_pe)
    assert inside.applied and Library.objects.get(locality="Huánuco").networks.get() == pe_public


def test_library_staff_may_update_their_library_but_not_create_libraries(librarian_lima, lima_library,
                                                                         cusco_library):
    state = stored_state()
    report = run(csv_bytes([MIRAFLORES]), librarian_lima)
    assert not report.applied and stored_state() == state
    assert report.messages() == ["bibliotecas.csv, row 2, column country: you may not add libraries in PE "
                                 "(pe-public)."]

    other = ["PE-CUS01", "Biblioteca de Cusco", "PE", "", "", "public", "closed", "Cusco", "", "", ""]
    assert "you may not change the library Biblioteca de Cusco" in run(csv_bytes([other]), librarian_lima).messages()[0]

    own = ["PE-LIM01", "Biblioteca Municipal de Lima", "PE", "", "pe-public", "public", "open", "Lima", "-12.05",
           "-77.04", "wifi"]
    assert run(csv_bytes([own]), librarian_lima).summary()["update"] == 1
    assert Library.objects.get(pk=lima_library.pk).service_wifi


# --- --network -------------------------------------------------------------------------------------------


def test_the_network_option_adds_every_library_to_the_network(coordinator_pe, pe_public, cusco_library):
    cusco = ["PE-CUS01", "Biblioteca de Cusco", "PE", "Cusco", "public"]
    report = run(csv_bytes([cusco, ["", "Biblioteca de Ica", "PE", "", "public"]],
                           header=["isil", "name", "country", "subdivision", "type"]), coordinator_pe,
                 network="PE-PUBLIC")
    assert report.summary()["update"] == 1 and report.summary()["create"] == 1
    assert set(pe_public.libraries.values_list("name", flat=True)) == {"Biblioteca de Cusco", "Biblioteca de Ica"}


def test_the_network_option_of_another_country_is_an_error_on_every_row(secretary):
    state = stored_state()
    report = run(csv_bytes([MIRAFLORES, HUANUCO]), secretary, network="ar-popular")
    assert not report.applied and stored_state() == state
    assert report.messages() == [
        f"bibliotecas.csv, row {line}, column country: the library is not in the country of the network "
        "ar-popular (AR)." for line in (2, 3)]


def test_an_unknown_network_option_is_a_problem(secretary):
    report = run(csv_bytes([MIRAFLORES]), secretary, network="pe-nada")
    assert report.problem == "--network: there is no network with the code pe-nada."


# --- The command ---------------------------------------------------------------------------------------------


def command(path, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_libraries", str(path), stdout=out, stderr=err, verbosity=0, **options)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_a_file_as_the_named_user(tmp_path, coordinator_pe, pe_public):
    path = tmp_path / "bibliotecas.csv"
    path.write_bytes(csv_bytes([MIRAFLORES, HUANUCO]))
    out, err = command(path, user="coord_pe", message="Carga inicial")

    batch = ImportBatch.objects.get()
    assert out.splitlines() == ["imported: 2 new, 0 updated, 0 unchanged, 0 with errors",
                                f"import #{batch.pk}: http://127.0.0.1:8000/en/platform/changes/imports/{batch.pk}/"]
    assert err == "" and batch.file.read() == path.read_bytes() and batch.filename == "bibliotecas.csv"
    assert ChangeLog.objects.filter(source="import", user=coordinator_pe, message="Carga inicial",
                                    batch=batch).count() == 2
    # Run again: everything is unchanged and nothing is logged twice.
    out, err = command(path, user="coord_pe")
    assert out.strip() == "imported: 0 new, 0 updated, 2 unchanged, 0 with errors"
    assert ChangeLog.objects.count() == 2


def test_the_command_dry_run_changes_nothing(tmp_path, coordinator_pe):
    path = tmp_path / "bibliotecas.xlsx"
    path.write_bytes(xlsx_bytes([MIRAFLORES]))
    state = stored_state()
    out, _err = command(path, user="coord_pe", dry_run=True)
    assert out.strip() == "dry run: 1 new, 0 updated, 0 unchanged, 0 with errors"
    assert stored_state() == state


def test_the_command_stops_on_errors_and_names_them(tmp_path, coordinator_pe):
    path = tmp_path / "bibliotecas.csv"
    path.write_bytes(csv_bytes([MIRAFLORES, with_cell(HUANUCO, "country", "ZZ")]))
    state = stored_state()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="bibliotecas.csv: nothing was imported"):
        call_command("import_libraries", str(path), user="coord_pe", stdout=out, stderr=err, verbosity=0)
    assert "bibliotecas.csv, row 3, column country: unknown country “ZZ”" in err.getvalue()
    assert out.getvalue().strip() == "nothing imported: 1 new, 0 updated, 0 unchanged, 1 with errors"
    assert stored_state() == state


def test_the_command_skips_invalid_rows_when_asked(tmp_path, coordinator_pe):
    path = tmp_path / "bibliotecas.csv"
    path.write_bytes(csv_bytes([MIRAFLORES, with_cell(HUANUCO, "country", "ZZ")]))
    out, err = command(path, user="coord_pe", skip_invalid=True)
    assert out.splitlines()[0] == "imported: 1 new, 0 updated, 0 unchanged, 1 skipped"
    assert "row 3, column country" in err
    assert Library.objects.filter(isil="PE-MIR01").exists()


def test_the_command_refuses_another_countrys_network(tmp_path, coordinator_pe):
    path = tmp_path / "bibliotecas.csv"
    path.write_bytes(csv_bytes([MIRAFLORES]))
    with pytest.raises(CommandError):
        command(path, user="coord_pe", network="cl-public")
    assert not Library.objects.exists()


def test_the_command_runs_as_the_first_superuser_by_default(tmp_path):
    path = tmp_path / "bibliotecas.csv"
    path.write_bytes(csv_bytes([MIRAFLORES]))
    with pytest.raises(CommandError, match="no superuser"):
        command(path)
    admin = User.objects.create_superuser("admin", "admin@example.org", "pw")
    command(path)
    assert ChangeLog.objects.get().user == admin


def test_the_command_names_a_missing_file_or_user(tmp_path, coordinator_pe):
    with pytest.raises(CommandError, match="no such file"):
        command(tmp_path / "nada.csv", user="coord_pe")
    path = tmp_path / "bibliotecas.csv"
    path.write_bytes(csv_bytes([MIRAFLORES]))
    with pytest.raises(CommandError, match="no user 'nadie'"):
        command(path, user="nadie")


def test_the_command_reports_a_file_problem(tmp_path, coordinator_pe):
    path = tmp_path / "bibliotecas.csv"
    path.write_bytes(_good_csv().decode().encode("utf-16"))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_libraries", str(path), user="coord_pe", stdout=out, stderr=err, verbosity=0)
    assert "bibliotecas.csv: the file is in UTF-16" in err.getvalue()


# --- A server that stops in the middle ------------------------------------------------------------------------


def write_then_stop(real):
    """A bulk write that writes, then fails as if the server had stopped before the end of the import."""

    def write(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the server stopped")

    return write


@pytest.mark.parametrize("writer", ["open_batch", "_insert_libraries", "_update_libraries", "_replace_networks",
                                    "close_batch"])
def test_an_import_stopped_half_way_leaves_nothing(monkeypatch, secretary, lima_library, cusco_library, writer):
    monkeypatch.setattr(importer, writer, write_then_stop(getattr(importer, writer)))
    rows = [MIRAFLORES, HUANUCO, ["PE-LIM01", "Biblioteca Municipal de Lima", "PE", "", "", "public", "closed",
                                  "Lima", "", "", ""]]
    state = stored_state()
    with pytest.raises(RuntimeError, match="the server stopped"):
        run(csv_bytes(rows), secretary)
    assert stored_state() == state


def test_a_failed_import_job_is_marked_failed_and_changes_nothing(monkeypatch, settings, tmp_path, secretary):
    settings.UPLOAD_DIR = tmp_path
    settings.JOBS_EAGER = True
    (tmp_path / "f.csv").write_bytes(csv_bytes([MIRAFLORES, HUANUCO]))
    monkeypatch.setattr(importer, "close_batch", mock.Mock(side_effect=RuntimeError("disk full")))
    state = stored_state()
    job = jobs.enqueue(import_jobs.KIND, {"upload": "f.csv", "filename": "bibliotecas.csv", "user_id": secretary.pk,
                                          "dry_run": False}, user=secretary)
    assert job.status == Job.Status.FAILED and "disk full" in job.error
    assert stored_state() == state
    assert (tmp_path / "f.csv").exists()  # kept, so that the import can run again


def test_an_import_whose_worker_died_runs_again_from_the_start(settings, tmp_path, secretary):
    from datetime import timedelta

    from django.utils import timezone

    settings.UPLOAD_DIR = tmp_path
    (tmp_path / "f.csv").write_bytes(csv_bytes([MIRAFLORES, HUANUCO]))
    # A worker took the job and stopped: the job is 'running' without heartbeat, and (all or nothing)
    # nothing of it was stored.
    job = Job.objects.create(kind=import_jobs.KIND, status=Job.Status.RUNNING, attempts=1, created_by=secretary,
                             heartbeat=timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + 60),
                             params={"upload": "f.csv", "filename": "bibliotecas.csv", "user_id": secretary.pk,
                                     "dry_run": False, "language": "en"})
    assert jobs.requeue_stale() == 1
    jobs.work(once=True)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2
    assert job.result["applied"] and job.result["summary"]["create"] == 2
    assert Library.objects.filter(isil="PE-MIR01").exists()
    assert ChangeLog.objects.filter(source="import").count() == 2
    assert not (tmp_path / "f.csv").exists()  # a finished import removes its upload


def test_the_importer_reads_nothing_per_row(coordinator_pe, lima_library, django_assert_max_num_queries):
    rows = [with_cell(with_cell(MIRAFLORES, "isil", f"PE-N{n:04d}"), "name", f"Biblioteca {n * 7919 % 300}")
            for n in range(300)]
    with django_assert_max_num_queries(40):
        report = run(csv_bytes(rows), coordinator_pe)
    assert report.summary()["create"] == 300
    assert Library.objects.filter(networks__code="pe-public").count() == 301
    # Each row's report points at the library made of it, and each has its own change-log entry.
    names = dict(Library.objects.values_list("pk", "name"))
    assert all(names[row.library_id] == row.name for row in report.rows)
    logged = dict(ChangeLog.objects.values_list("object_id", "row"))
    assert all(logged[row.library_id] == row.line for row in report.rows)


def test_typed_xlsx_reading_agrees_with_openpyxl_and_refuses_formulas():
    """Large figure sheets are read by calamine; what it gives must be what openpyxl gives: the same line
    numbers (a sheet that starts lower and further right), whole numbers as int, text, dates, booleans."""
    import io
    from datetime import date

    from openpyxl import Workbook

    from sirbi.core.tables import FileProblem, _read_xlsx_openpyxl, read_table

    workbook = Workbook()
    sheet = workbook.active
    sheet["C3"], sheet["D3"], sheet["E3"] = "unit", "value", "note"
    sheet["C4"], sheet["D4"], sheet["E4"] = "PE-1", 1234, "ok"
    sheet["C6"], sheet["D6"], sheet["E6"] = "PE-2", 12.5, date(2024, 5, 1)
    sheet["C7"], sheet["D7"] = "PE-3", True
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    fast, slow = read_table(data, "f.xlsx", typed=True), _read_xlsx_openpyxl(data, "f.xlsx", typed=True)
    assert fast.header == slow.header == ["", "", "unit", "value", "note"] and fast.header_line == 3
    assert fast.rows == slow.rows
    assert fast.rows[0] == (4, ["", "", "PE-1", 1234, "ok"]) and isinstance(fast.rows[0][1][3], int)
    assert [line for line, _cells in fast.rows] == [4, 6, 7]
    sheet["D8"] = "=SUM(D4:D6)"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(FileProblem, match="cell D8 .* holds a formula"):
        read_table(buffer.getvalue(), "f.xlsx", typed=True)
    with pytest.raises(FileProblem, match="damaged or incomplete"):
        read_table(data[: len(data) // 2], "f.xlsx", typed=True)


def test_a_dry_run_leaves_the_page_cache_as_it_is(coordinator_pe, lima_library, page_cache,  # noqa: F811
                                                  django_capture_on_commit_callbacks):
    """Reading the libraries a file names is no write: the anonymous visitors' copies stay valid."""
    row = ["PE-LIM01", "Biblioteca Municipal de Lima", "PE", "", "", "public", "closed", "Lima", "", "", ""]
    before = pagecache._stamp()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = run(csv_bytes([row, MIRAFLORES]), coordinator_pe, dry_run=True)
    assert report.ok and [r.action for r in report.rows] == ["update", "create"]
    assert pagecache.bump not in callbacks and pagecache._stamp() == before


# --- Undoing an import ------------------------------------------------------------------------------------------


def test_an_import_is_undone_as_one_batch_and_refused_once_a_library_changed_since(coordinator_pe, lima_library,
                                                                                 pe_public):
    from sirbi.core.batches import UndoRefused, undo_batch
    from sirbi.core.changelog import save_object

    closed_lima = ["PE-LIM01", "Biblioteca Municipal de Lima", "PE", "", "", "public", "closed", "Lima", "", "", ""]
    report = run(csv_bytes([MIRAFLORES, closed_lima]), coordinator_pe)
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.counts == {"create": 1, "update": 1}

    # Someone edits the new library afterwards: the undo is refused and changes nothing.
    miraflores = Library.objects.get(isil="PE-MIR01")
    miraflores.phone = "01 445"
    save_object(miraflores, user=coordinator_pe)
    with pytest.raises(UndoRefused, match="was changed after this import"):
        undo_batch(batch, user=coordinator_pe)
    assert Library.objects.filter(isil="PE-MIR01").exists()

    # A later import of Lima alone can be undone: Lima gets its status of before that import back.
    reopened = run(csv_bytes([with_cell(closed_lima, "status", "open")]), coordinator_pe)
    lima_library.refresh_from_db()
    assert lima_library.status == "open" and not lima_library.networks.exists()
    undo = undo_batch(ImportBatch.objects.get(pk=reopened.batch_id), user=coordinator_pe)
    lima_library.refresh_from_db()
    assert lima_library.status == "closed" and undo.counts == {"update": 1}
    assert history(lima_library).first().batch == undo


def test_undoing_an_import_deletes_the_libraries_it_created(coordinator_pe, pe_public):
    from sirbi.core.batches import undo_batch

    report = run(csv_bytes([MIRAFLORES, HUANUCO]), coordinator_pe)
    undo = undo_batch(ImportBatch.objects.get(pk=report.batch_id), user=coordinator_pe)
    assert not Library.objects.exists() and not Library.networks.through.objects.exists()
    assert undo.counts == {"delete": 2}
    assert sorted(undo.changes.values_list("action", "row", "before")) == [("delete", 2, None), ("delete", 3, None)]

