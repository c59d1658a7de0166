"""Downloads of the library list: CSV, XLSX, JSON and GeoJSON hold exactly the libraries the list shows
with the same filters, and an export imported back changes nothing.
"""

import csv
import html
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from sirbi.core.models import ChangeLog
from sirbi.registry.exports import LIBRARY_COLUMNS, LIBRARY_EXTRA_COLUMNS
from sirbi.registry.imports import import_libraries
from sirbi.registry.models import Library, Network, Subdivision
from tests.registry.test_imports import stored_state

EXPORT_COLUMNS = LIBRARY_COLUMNS + LIBRARY_EXTRA_COLUMNS


@pytest.fixture
def registry(lima_library, cusco_library, buenos_aires_library, peru, chile, pe_public):
    """Lima (public, pe-public, with coordinates), Cusco (public), a school in Arequipa with everything
    filled in, a library without ISIL, Palermo in Argentina and a school in Chile."""
    arequipa = Library.objects.create(
        name="Biblioteca Escolar “José María Arguedas”, Arequipa", isil="PE-AQP01", country=peru,
        subdivision=Subdivision.objects.get(code="PE-ARE"), type="school", status="temporarily_closed",
        locality="Arequipa", address="Calle Mercaderes 123, 2.º piso", postal_code="04001", latitude=-16.398803,
        longitude=-71.536883, website="https://biblioteca.example.pe/arequipa?sala=1&x=2",
        email="biblioteca@example.pe", phone="+51 54 123456",
        description='Horario: lunes a viernes\n"de 9 a 18 h"; sábados, 9–13 h', service_wifi=True,
        service_children=True, service_reading_promotion=True)
    arequipa.networks.add(pe_public)
    no_isil = Library.objects.create(name="Biblioteca Comunal de Taquile", country=peru, type="popular",
                                     locality="Isla Taquile", latitude=0.0, longitude=0.0)
    santiago = Library.objects.create(name="Biblioteca Escolar de Santiago", isil="CL-SCL01", country=chile,
                                      type="school", locality="Santiago")
    return {"lima": lima_library, "cusco": cusco_library, "arequipa": arequipa, "taquile": no_isil,
            "palermo": buenos_aires_library, "santiago": santiago}


def download(client, fmt, language="es", **filters):
    response = client.get(f"/{language}/registry/libraries/", {"export": fmt, **filters})
    assert response.status_code == 200, response
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content


def rows_of(fmt, content):
    """The exported rows as dicts of column -> value."""
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        return [dict(zip(header, row, strict=True)) for row in rows]
    if fmt == "json":
        return json.loads(content)
    collection = json.loads(content)
    assert collection["type"] == "FeatureCollection"
    return [dict(feature["properties"], id=feature["id"]) for feature in collection["features"]]


def listed(client, **filters):
    """The ids of the libraries the list page shows with these filters."""
    page = client.get("/es/registry/libraries/", filters).content.decode()
    return {int(pk) for pk in re.findall(r'href="/es/registry/libraries/(\d+)/"', page)}


FILTERS = {
    "country": {"country": "PE"},
    "country in lower case": {"country": "pe"},
    "type": {"type": "school"},
    "network": {"network": "pe-public"},
    "free text": {"q": "arequipa"},
    "country and type": {"country": "PE", "type": "public"},
    "no filter": {},
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "geojson"])
@pytest.mark.parametrize("filters", FILTERS.values(), ids=FILTERS.keys())
def test_an_export_holds_exactly_the_libraries_of_the_filtered_list(client, registry, fmt, filters):
    _response, content = download(client, fmt, **filters)
    exported = {int(row["id"]) for row in rows_of(fmt, content)}
    assert exported == listed(client, **filters)
    assert exported  # every filter above finds something


def test_the_filters_select_what_they_say(client, registry):
    def isils(**filters):
        return {row["isil"] for row in rows_of("json", download(client, "json", **filters)[1])}

    assert isils(country="PE") == {"PE-LIM01", "PE-CUS01", "PE-AQP01", ""}  # Taquile has no ISIL
    assert isils(type="school") == {"PE-AQP01", "CL-SCL01"}
    assert isils(network="pe-public") == {"PE-LIM01", "PE-AQP01"}
    assert isils(q="ARGUEDAS") == {"PE-AQP01"}
    assert isils(country="AR") == {"AR-BAP01"}


def test_the_csv_starts_with_a_byte_order_mark_and_the_import_columns(client, registry):
    response, content = download(client, "csv", country="PE")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.search(r'filename="sirbi-libraries-\d{8}\.csv"', response["Content-Disposition"])
    assert content.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header == EXPORT_COLUMNS
    arequipa = next(row for row in rows_of("csv", content) if row["isil"] == "PE-AQP01")
    assert arequipa["networks"] == "pe-public" and arequipa["subdivision"] == "PE-ARE"
    assert arequipa["services"] == "wifi|children|reading_promotion"
    assert arequipa["description"] == 'Horario: lunes a viernes\n"de 9 a 18 h"; sábados, 9–13 h'
    assert arequipa["postal_code"] == "04001" and arequipa["latitude"] == "-16.398803"


def test_the_xlsx_and_json_exports_have_the_same_columns(client, registry):
    for fmt in ("xlsx", "json"):
        rows = rows_of(fmt, download(client, fmt, country="CL")[1])
        assert len(rows) == 1 and list(rows[0]) == EXPORT_COLUMNS
        assert rows[0]["name"] == "Biblioteca Escolar de Santiago" and rows[0]["country"] == "CL"


def test_the_geojson_export_places_each_library_at_its_coordinates(client, registry):
    response, content = download(client, "geojson", country="PE")
    assert response["Content-Type"].startswith("application/geo+json")
    features = {feature["id"]: feature for feature in json.loads(content)["features"]}
    lima = features[registry["lima"].pk]
    assert lima["geometry"] == {"type": "Point", "coordinates": [-77.04, -12.05]}
    assert lima["properties"]["name"] == "Biblioteca Municipal de Lima" and "latitude" not in lima["properties"]
    assert features[registry["cusco"].pk]["geometry"] is None  # no coordinates, no point
    assert features[registry["taquile"].pk]["geometry"]["coordinates"] == [0.0, 0.0]  # zero is a coordinate


def test_the_export_does_not_grow_queries_with_rows(client, registry, peru, pe_public,
                                                    django_assert_max_num_queries):
    for n in range(40):
        Library.objects.create(name=f"Biblioteca {n}", country=peru, type="public").networks.add(pe_public)
    with django_assert_max_num_queries(12):
        _response, content = download(client, "csv", country="PE")
    assert len(rows_of("csv", content)) == 44


# --- Round trip -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("filters", [{}, {"country": "PE"}, {"network": "pe-public"}])
def test_an_export_imported_back_is_unchanged_row_by_row(client, registry, secretary, fmt, filters):
    _response, content = download(client, fmt, **filters)
    state = stored_state()
    with translation.override("en"):
        report = import_libraries(content, f"export.{fmt}", user=secretary)

    assert report.ok and report.problem == "", report.messages()
    assert report.rows and {row.action for row in report.rows} == {"unchanged"}
    assert len(report.rows) == len(rows_of(fmt, content))
    assert stored_state() == state and not ChangeLog.objects.exists()


def test_an_export_edited_and_imported_back_changes_just_that(client, registry, secretary):
    _response, content = download(client, "csv", country="PE")
    text = content.decode("utf-8-sig").replace("Biblioteca de Cusco", "Biblioteca Regional de Cusco")
    with translation.override("en"):
        report = import_libraries(text.encode("utf-8"), "export.csv", user=secretary)
    assert report.summary() == {"create": 0, "update": 1, "unchanged": 3, "error": 0, "skipped": 0}
    entry = ChangeLog.objects.get()
    assert entry.object_id == registry["cusco"].pk and [row["name"] for row in entry.changed_fields()] == ["name"]


def test_an_export_saved_again_by_a_spreadsheet_in_latin1_with_semicolons_round_trips(client, registry, secretary):
    rows = rows_of("csv", download(client, "csv", country="PE")[1])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "latitude": row["latitude"].replace(".", ","),
                         "longitude": row["longitude"].replace(".", ",")})
    data = buffer.getvalue().replace("–", "-").encode("cp1252")  # the en dash exists in cp1252, but be plain
    registry["arequipa"].description = registry["arequipa"].description.replace("–", "-")
    registry["arequipa"].save()
    state = stored_state()
    report = import_libraries(data, "export.csv", user=secretary)
    assert report.encoding == "windows-1252" and report.delimiter == ";"
    assert {row.action for row in report.rows} == {"unchanged"}, report.messages()
    assert stored_state() == state


def test_a_round_trip_keeps_names_that_look_like_formulas(client, peru, secretary):
    """A name starting with = is text: the XLSX export must not turn it into a formula (which the import
    then rightly refuses), nor run it in the reader's spreadsheet."""
    Library.objects.create(name="=Biblioteca", isil="PE-EQ01", country=peru, type="public", locality="-Lima")
    Library.objects.create(name="+51 Biblioteca", isil="PE-EQ02", country=peru, type="public", locality="@Lima")
    for fmt in ("csv", "xlsx"):
        content = download(client, fmt, country="PE")[1]
        with translation.override("en"):
            report = import_libraries(content, f"export.{fmt}", user=secretary)
        assert report.problem == "" and {row.action for row in report.rows} == {"unchanged"}, (fmt, report.problem)


def test_an_export_uploaded_on_the_import_page_shows_every_row_unchanged(settings, tmp_path, client, as_user,
                                                                         registry, coordinator_pe):
    settings.JOBS_EAGER = True
    settings.UPLOAD_DIR = tmp_path
    content = download(client, "xlsx", country="PE")[1]
    response = as_user(coordinator_pe).post(
        "/en/registry/import/", {"file": SimpleUploadedFile("export.xlsx", content)}, follow=True)
    page = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))
    assert "0 new" in page and "0 updated" in page and "4 unchanged" in page and "0 with errors" in page
    assert "Confirm the import" not in page  # nothing to do
    assert not ChangeLog.objects.exists()


def test_networks_of_the_export_are_codes_the_import_reads(client, registry, secretary):
    second = Network.objects.create(code="pe-rural", country=registry["lima"].country, name="Red rural",
                                    type="public")
    registry["lima"].networks.add(second)
    row = next(r for r in rows_of("csv", download(client, "csv", q="municipal lima")[1]))
    assert row["networks"] == "|".join(sorted(["pe-public", second.code]))
    with translation.override("en"):
        report = import_libraries(download(client, "csv", q="municipal lima")[1], "e.csv", user=secretary)
    assert [r.action for r in report.rows] == ["unchanged"]
