"""The import page: upload a file, see what every row would do, confirm; and the templates to fill in.

Jobs run inside the request here (JOBS_EAGER), so an upload redirects to its job, which redirects to the
preview once done.
"""

import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from sirbi.core.models import ChangeLog, ImportBatch, Job
from sirbi.registry.exports import LIBRARY_COLUMNS
from sirbi.registry.imports import libraries as importer
from sirbi.registry.models import Library, Network
from tests.registry.test_imports import HEADER, HUANUCO, MIRAFLORES, csv_bytes, stored_state, with_cell, xlsx_bytes


@pytest.fixture(autouse=True)
def eager_jobs_and_private_uploads(settings, tmp_path):
    settings.JOBS_EAGER = True
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


def upload(client, data, name="bibliotecas.csv", language="en", **fields):
    return client.post(f"/{language}/registry/import/", {"file": SimpleUploadedFile(name, data), **fields},
                       follow=True)


def text(response):
    """The page's text without tags, with spaces as a reader sees them."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def preview_job(response):
    """The import job a followed upload response ended on."""
    url = response.redirect_chain[-1][0]
    assert re.search(r"/registry/import/\d+/$", url), response.redirect_chain
    return Job.objects.get(pk=int(url.rstrip("/").rsplit("/", 1)[1]))


# --- Who sees the page ------------------------------------------------------------------------------------


def test_a_reader_without_role_may_not_open_the_import_page(as_user, reader):
    assert as_user(reader).get("/es/registry/import/").status_code == 403
    response = as_user(reader).post("/es/registry/import/", {"file": SimpleUploadedFile("b.csv", csv_bytes([]))})
    assert response.status_code == 403 and not Job.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/es/registry/import/")
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("actor", ["coordinator_pe", "network_manager_pe", "librarian_lima", "secretary"])
def test_people_with_a_role_open_the_import_page(request, as_user, actor):
    page = as_user(request.getfixturevalue(actor)).get("/en/registry/import/")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert "/en/registry/import/template.xlsx" in page.content.decode()


def network_options(page):
    select = page.content.decode().split('id="id_network"')[1].split("</select>")[0]
    return [html.unescape(text) for text in re.findall(r'<option value="[^"]+"[^>]*>([^<]*)</option>', select)]


def test_the_import_page_offers_only_the_networks_the_user_may_fill(as_user, coordinator_pe, librarian_lima,
                                                                     secretary, coordinator_cl, pe_public):
    # Peru's coordinator: Peru's networks, named with the country (names repeat between countries).
    assert network_options(as_user(coordinator_pe).get("/es/registry/import/")) == [
        f"{pe_public.name} (Perú)"]
    assert all("(Chile)" in name for name in network_options(as_user(coordinator_cl).get("/es/registry/import/")))
    # Library staff add their library to no network: none is offered.
    assert network_options(as_user(librarian_lima).get("/es/registry/import/")) == []
    # The secretariat: every network.
    assert len(network_options(as_user(secretary).get("/es/registry/import/"))) == Network.objects.count()
    # A network outside the user's reach, sent anyway, is refused by the form.
    chilean = Network.objects.filter(country__code="CL").first()
    response = as_user(coordinator_pe).post("/es/registry/import/", {
        "file": SimpleUploadedFile("a.csv", b"name,country\nX,PE\n"), "network": chilean.code})
    assert response.status_code == 400 and not Job.objects.exists()


# --- Upload, preview, confirm ----------------------------------------------------------------------------


def test_a_coordinator_uploads_sees_every_row_and_confirms(as_user, coordinator_pe, lima_library, pe_public):
    client = as_user(coordinator_pe)
    same_lima = ["PE-LIM01", "Biblioteca Municipal de Lima", "PE", "", "pe-public", "public", "open", "Lima",
                 "-12.05", "-77.04", ""]
    closed_lima = with_cell(same_lima, "status", "closed")
    state = stored_state()
    response = upload(client, csv_bytes([MIRAFLORES, HUANUCO]), message="Censo 2024")

    assert response.status_code == 200
    assert "/en/platform/jobs/" in response.redirect_chain[0][0]  # the upload went through its job
    job = preview_job(response)
    assert job.params["dry_run"] and job.status == Job.Status.DONE and job.created_by == coordinator_pe
    page = text(response)
    assert "Import preview: bibliotecas.csv" in page
    assert "2 new" in page and "0 updated" in page and "0 with errors" in page
    assert "Biblioteca Municipal de Miraflores new" in page and "Biblioteca Pública de Huánuco new" in page
    assert "Confirm the import" in page
    assert stored_state() == state  # the preview changed nothing

    confirmed = client.post(f"/en/registry/import/{job.pk}/", follow=True)
    assert "The import is done." in text(confirmed)
    batch = ImportBatch.objects.get()
    assert f"It is import #{batch.pk}" in text(confirmed)
    assert f'href="/en/platform/changes/imports/{batch.pk}/"' in confirmed.content.decode()
    assert batch.file.read() == csv_bytes([MIRAFLORES, HUANUCO]) and batch.message == "Censo 2024"
    assert Library.objects.filter(isil="PE-MIR01").exists() and Library.objects.filter(locality="Huánuco").exists()
    entries = ChangeLog.objects.filter(source="import")
    assert entries.count() == 2 and set(entries.values_list("message", flat=True)) == {"Censo 2024"}
    miraflores = Library.objects.get(isil="PE-MIR01")
    assert f'href="/en/registry/libraries/{miraflores.pk}/"' in confirmed.content.decode()

    # The same file again, with one change: each row says what it does.
    again = upload(client, csv_bytes([MIRAFLORES, HUANUCO, closed_lima]))
    page = text(again)
    assert "0 new" in page and "1 updated" in page and "2 unchanged" in page
    assert "Biblioteca Municipal de Lima updated" in page and "Biblioteca Municipal de Miraflores unchanged" in page


def test_a_preview_with_errors_names_them_and_cannot_be_confirmed(as_user, coordinator_pe, lima_library):
    client = as_user(coordinator_pe)
    bad = with_cell(with_cell(HUANUCO, "isil", "AR-HUA01"), "latitude", "-100")
    state = stored_state()
    response = upload(client, csv_bytes([MIRAFLORES, bad]))

    job = preview_job(response)
    page = text(response)
    assert "Import preview: bibliotecas.csv" in page and "1 with errors" in page
    assert "row 3, column isil: The ISIL prefix AR is not the library's country (PE)." in page
    assert "row 3, column latitude: -100 is out of range (−90 to 90)." in page
    assert "Some rows have errors. Nothing will be imported" in page
    assert "Confirm the import" not in page
    assert client.post(f"/en/registry/import/{job.pk}/").status_code == 404
    assert stored_state() == state


def test_skipping_the_rows_with_errors_imports_the_others(as_user, coordinator_pe):
    client = as_user(coordinator_pe)
    bad = with_cell(HUANUCO, "country", "ZZ")
    response = upload(client, csv_bytes([MIRAFLORES, bad]), skip_invalid="on")
    page = text(response)
    assert "1 row with errors will be skipped." in page and "Confirm the import" in page
    assert "row 3, column country: unknown country “ZZ”" in page

    job = preview_job(response)
    done = text(client.post(f"/en/registry/import/{job.pk}/", follow=True))
    assert "The import is done. 1 row was skipped; it is listed below." in done
    assert "Biblioteca Pública de Huánuco skipped" in done
    assert list(Library.objects.values_list("isil", flat=True)) == ["PE-MIR01"]


def test_a_confirmed_import_cannot_be_confirmed_twice(as_user, coordinator_pe):
    client = as_user(coordinator_pe)
    job = preview_job(upload(client, csv_bytes([MIRAFLORES])))
    client.post(f"/en/registry/import/{job.pk}/")
    assert client.post(f"/en/registry/import/{job.pk}/").status_code == 404
    assert Library.objects.count() == 1 and ChangeLog.objects.count() == 1


def test_the_confirm_runs_the_checks_again(as_user, coordinator_pe):
    """Between the preview and the confirmation the coordinator lost the role: nothing is imported."""
    client = as_user(coordinator_pe)
    job = preview_job(upload(client, csv_bytes([MIRAFLORES])))
    coordinator_pe.role_assignments.all().delete()
    page = text(client.post(f"/en/registry/import/{job.pk}/", follow=True))
    assert "Import result: bibliotecas.csv" in page
    assert "row 2, column country: you may not add libraries in PE (pe-public)." in page
    assert "The import is done." not in page and "Nothing was imported: some rows have errors." in page
    assert not Library.objects.exists() and not ChangeLog.objects.exists()


def test_a_file_that_cannot_be_read_is_shown_as_such(as_user, coordinator_pe):
    client = as_user(coordinator_pe)
    response = upload(client, csv_bytes([MIRAFLORES]).decode().encode("utf-16"))
    page = text(response)
    assert "bibliotecas.csv: the file is in UTF-16 or is not text; save it as CSV UTF-8." in page
    assert "Nothing was imported. Correct the file and send it again." in page
    assert "Confirm the import" not in page
    assert client.post(f"/en/registry/import/{preview_job(response).pk}/").status_code == 404


def test_an_xlsx_with_formulas_is_refused_with_the_cell(as_user, coordinator_pe):
    def formula(sheet):
        sheet["B2"] = '=CONCATENATE("Biblioteca ", "X")'

    page = text(upload(as_user(coordinator_pe), xlsx_bytes([MIRAFLORES], build=formula), name="b.xlsx"))
    assert "b.xlsx, line 2: cell B2 of sheet “bibliotecas” holds a formula" in page
    assert not Library.objects.exists()


def test_a_coordinator_gets_a_row_error_for_another_country(as_user, coordinator_pe):
    rosario = ["AR-ROS01", "Biblioteca Popular de Rosario", "AR", "", "", "popular", "", "Rosario", "", "", ""]
    page = text(upload(as_user(coordinator_pe), csv_bytes([MIRAFLORES, rosario])))
    assert "row 3, column country: you may not add libraries in AR." in page
    assert "Confirm the import" not in page and not Library.objects.exists()


def test_library_staff_cannot_create_libraries_on_the_web(as_user, librarian_lima):
    page = text(upload(as_user(librarian_lima), csv_bytes([HUANUCO])))
    assert "row 2, column country: you may not add libraries in PE." in page
    assert Library.objects.count() == 1  # their own library only


def test_the_network_choice_of_another_country_is_an_error(as_user, secretary):
    page = text(upload(as_user(secretary), csv_bytes([MIRAFLORES]), network="ar-popular"))
    assert "row 2, column country: the library is not in the country of the network ar-popular (AR)." in page
    assert "Confirm the import" not in page


def test_the_network_choice_adds_every_library(as_user, coordinator_pe, pe_public):
    client = as_user(coordinator_pe)
    job = preview_job(upload(client, csv_bytes([HUANUCO]), network="pe-public"))
    client.post(f"/en/registry/import/{job.pk}/")
    assert Library.objects.get(locality="Huánuco").networks.get() == pe_public


def test_someone_elses_preview_is_private(as_user, coordinator_pe, coordinator_cl):
    job = preview_job(upload(as_user(coordinator_pe), csv_bytes([MIRAFLORES])))
    assert as_user(coordinator_cl).get(f"/en/registry/import/{job.pk}/").status_code == 403
    assert as_user(coordinator_cl).post(f"/en/registry/import/{job.pk}/").status_code == 403
    assert not Library.objects.exists()


def test_a_failed_import_says_that_nothing_changed(monkeypatch, as_user, coordinator_pe):
    client = as_user(coordinator_pe)
    job = preview_job(upload(client, csv_bytes([MIRAFLORES, HUANUCO])))

    def stopped(*args, **kwargs):
        raise RuntimeError("the server stopped")

    monkeypatch.setattr(importer, "close_batch", stopped)
    state = stored_state()
    page = text(client.post(f"/en/registry/import/{job.pk}/", follow=True))
    assert "The job failed: the server stopped" in page
    confirm = Job.objects.exclude(pk=job.pk).get()
    assert confirm.status == Job.Status.FAILED
    result = text(client.get(f"/en/registry/import/{confirm.pk}/"))
    assert "The import stopped with an error; nothing was changed." in result
    assert stored_state() == state


# --- Files the page refuses -------------------------------------------------------------------------------


def test_a_50_mb_upload_is_refused_before_it_is_read(as_user, coordinator_pe, eager_jobs_and_private_uploads):
    client = as_user(coordinator_pe)
    big = csv_bytes([MIRAFLORES]) + b"x" * (50 * 1024 * 1024)
    state = stored_state()
    response = client.post("/en/registry/import/", {"file": SimpleUploadedFile("grande.csv", big)})

    assert response.status_code == 413
    assert "The file is larger than the limit of 10.0 MB." in text(response)
    assert "Send a smaller file, or split it into several." in text(response)
    assert not Job.objects.exists() and stored_state() == state
    assert not eager_jobs_and_private_uploads.exists() or not any(eager_jobs_and_private_uploads.iterdir())


def test_a_large_upload_is_refused_before_the_csrf_check_reads_it(coordinator_pe):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator_pe)
    big = SimpleUploadedFile("grande.csv", b"x" * (11 * 1024 * 1024))
    assert client.post("/en/registry/import/", {"file": big}).status_code == 413
    small = SimpleUploadedFile("b.csv", csv_bytes([MIRAFLORES]))
    assert client.post("/en/registry/import/", {"file": small}).status_code == 403  # no CSRF token
    assert not Job.objects.exists()


def test_a_file_just_over_the_limit_is_refused_by_the_form(settings, as_user, coordinator_pe):
    settings.IMPORT_MAX_BYTES = 1000
    response = as_user(coordinator_pe).post(
        "/en/registry/import/", {"file": SimpleUploadedFile("b.csv", csv_bytes([MIRAFLORES] * 12))})
    assert response.status_code == 400
    assert "the limit is 0.0 MB. Split it into smaller files." in text(response)
    assert not Job.objects.exists()


def test_only_csv_and_xlsx_files_are_taken(as_user, coordinator_pe):
    response = as_user(coordinator_pe).post("/en/registry/import/",
                                            {"file": SimpleUploadedFile("b.ods", b"PK\x03\x04...")})
    assert response.status_code == 400 and "Send a .csv or .xlsx file." in text(response)
    assert not Job.objects.exists()


# --- Templates in each language ---------------------------------------------------------------------------


TEMPLATE_HEADERS = {
    "es": ["nombre", "país", "tipo"],
    "pt": ["nome", "país", "tipo"],
    "en": ["name", "country", "type"],
}


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_the_csv_template_has_the_column_labels_of_its_language(client, language):
    response = client.get(f"/{language}/registry/import/template.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="sirbi-libraries-template-{language}.csv"' in response["Content-Disposition"]
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    header = content.lstrip("\ufeff").strip().split(",")
    assert len(header) == len(LIBRARY_COLUMNS)
    assert header[1:3] == TEMPLATE_HEADERS[language][:2] and header[5] == TEMPLATE_HEADERS[language][2]


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_the_xlsx_template_has_the_column_labels_and_instructions_of_its_language(client, language):
    response = client.get(f"/{language}/registry/import/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert len(header) == len(LIBRARY_COLUMNS)
    assert header[1:3] == TEMPLATE_HEADERS[language][:2] and header[5] == TEMPLATE_HEADERS[language][2]
    instructions = workbook.worksheets[1]
    assert [row[0].value for row in instructions.iter_rows(min_row=2)] == header


def test_an_unknown_template_format_is_not_found(client):
    assert client.get("/en/registry/import/template.ods").status_code == 404


@pytest.mark.parametrize("language", ["es", "pt"])
def test_a_filled_in_template_imports(as_user, client, coordinator_pe, pe_public, language):
    workbook = load_workbook(io.BytesIO(client.get(f"/{language}/registry/import/template.xlsx").content))
    sheet = workbook.worksheets[0]
    values = dict(zip(HEADER, MIRAFLORES, strict=True))
    sheet.append([values.get(code, "") for code in LIBRARY_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    csv_template = client.get(f"/{language}/registry/import/template.csv").content
    huanuco = dict(zip(HEADER, HUANUCO, strict=True))
    filled_csv = csv_template + csv_bytes([[huanuco.get(code, "") for code in LIBRARY_COLUMNS]], header=None)

    user = as_user(coordinator_pe)
    for data, name in ((buffer.getvalue(), "plantilla.xlsx"), (filled_csv, "plantilla.csv")):
        job = preview_job(upload(user, data, name=name, language=language))
        assert job.result["problem"] == "" and job.result["summary"]["create"] == 1, job.result
        user.post(f"/{language}/registry/import/{job.pk}/")
    miraflores = Library.objects.get(isil="PE-MIR01")
    assert miraflores.subdivision.code == "PE-LIM" and miraflores.networks.get() == pe_public
    assert miraflores.services == ["wifi", "children"]
    assert Library.objects.get(locality="Huánuco").type == "school"


def test_the_preview_speaks_the_language_of_the_page(as_user, coordinator_pe):
    response = upload(as_user(coordinator_pe), csv_bytes([with_cell(MIRAFLORES, "latitude", "95")]), language="es")
    assert response.redirect_chain[-1][0].startswith("/es/registry/import/")
    page = text(response)
    assert "bibliotecas.csv" in page and "latitude" in page and "95" in page
    assert "Import preview" not in page  # Spanish, not English
