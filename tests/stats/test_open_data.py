"""Open data downloads of the statistics: values, country tables and definitions in CSV, XLSX and JSON,
each carrying the licence (CC BY 4.0) and the Library Map of the World's attribution."""

import csv
import io
import json

from openpyxl import load_workbook

from sirbi.stats.indicators import BASE, DERIVED
from sirbi.stats.models import Indicator, Value

LMW = "IFLA Library Map of the World, CC BY 4.0"


def body(response):
    assert response.status_code == 200, response
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))


def test_published_values_download_as_csv_with_licence_and_attribution_per_row(client, peru):
    draft = Value.objects.create(indicator=Indicator.objects.get(code="libraries"), typology="public", country=peru,
                                 year=2016, value=9999, source="survey", status="draft")
    response = client.get("/en/stats/data/values.csv")
    assert response["Content-Disposition"].startswith('attachment; filename="sirbi-stats-values-')
    assert "creativecommons.org/licenses/by/4.0" in response["Link"]
    rows = csv_rows(response)
    assert len(rows) == Value.objects.published().count()
    assert str(draft.pk) not in {row["id"] for row in rows}
    spain = next(r for r in rows if (r["country"], r["indicator"], r["typology"]) == ("ES", "libraries", "public")
                 and r["source"] == "lmw")
    assert (spain["value"], spain["year"], spain["attribution"], spain["licence"]) == ("4643.0", "2016", LMW,
                                                                                      "CC BY 4.0")
    assert spain["source_url"].startswith("https://librarymap.ifla.org")
    national = next(r for r in rows if r["source"] == "network")
    assert national["attribution"] == national["source_name"] != ""


def test_the_values_download_takes_the_api_filters(client):
    rows = csv_rows(client.get("/en/stats/data/values.csv", {"country": "es", "indicator": "libraries",
                                                             "typology": "public"}))
    assert [(r["country"], r["value"]) for r in rows] == [("ES", "4643.0")]
    assert client.get("/en/stats/data/values.csv", {"year": "soon"}).status_code == 400
    assert client.get("/en/stats/data/values.pdf").status_code == 404


def test_values_download_as_xlsx_with_definitions_and_licence_sheets(client):
    workbook = load_workbook(io.BytesIO(body(client.get("/en/stats/data/values.xlsx", {"country": "ES"}))))
    assert workbook.sheetnames == ["sirbi-stats-values", "indicators", "about"]
    data = list(workbook["sirbi-stats-values"].values)
    header, rows = data[0], [dict(zip(data[0], row, strict=True)) for row in data[1:]]
    assert "attribution" in header and "licence" in header
    assert rows and all(row["country"] == "ES" and row["licence"] == "CC BY 4.0" for row in rows)
    definitions = list(workbook["indicators"].values)
    assert len(definitions) == 1 + len(BASE) + len(DERIVED)
    about = {key: value for key, value in workbook["about"].values if key != "attribution"}
    assert about["licence"] == "CC BY 4.0"
    attribution = [value for key, value in workbook["about"].values if key == "attribution"]
    assert any("IFLA Library Map of the World" in line for line in attribution)


def test_text_that_looks_like_a_formula_stays_text_in_xlsx(client, peru):
    Value.objects.create(indicator=Indicator.objects.get(code="visits"), typology="public", country=peru, year=2023,
                         value=5, source="survey", status="published", note="=HYPERLINK(\"http://evil\")")
    workbook = load_workbook(io.BytesIO(body(client.get("/en/stats/data/values.xlsx", {"source": "survey"}))))
    sheet = workbook["sirbi-stats-values"]
    column = [cell.value for cell in sheet[1]].index("note") + 1
    cell = sheet.cell(row=2, column=column)
    assert cell.value == "=HYPERLINK(\"http://evil\")" and cell.data_type == "s"


def test_values_download_as_json_with_an_about_block_and_the_definitions(client):
    data = json.loads(body(client.get("/pt/stats/data/values.json", {"indicator": "libraries"})))
    assert data["about"]["licence"] == "CC BY 4.0"
    assert data["about"]["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert any("IFLA Library Map of the World" in line for line in data["about"]["attribution"])
    assert {row["code"] for row in data["indicators"]} >= {"libraries", "libraries_per_100k"}
    assert data["data"] and all(row["indicator"] == "libraries" for row in data["data"])
    spain = next(row for row in data["data"] if row["country"] == "ES" and row["typology"] == "public"
                 and row["source"] == "lmw")
    assert spain["value"] == 4643 and spain["attribution"] == LMW


def test_the_country_tables_download_with_the_region_and_empty_cells_for_missing_countries(client):
    rows = csv_rows(client.get("/en/stats/data/aggregates.csv", {"indicator": "libraries", "typology": "public"}))
    assert len(rows) == 22
    by_code = {row["country"]: row for row in rows}
    assert by_code["ES"]["value"] == "4643.0" and by_code["ES"]["attribution"] == LMW
    assert by_code["BO"]["value"] == "" and by_code["GT"]["value"] == ""
    region = by_code[""]
    assert region["scope"] == "region" and region["expected"] == "21" and float(region["coverage"]) > 0
    assert all(row["licence"] == "CC BY 4.0" for row in rows)


def test_every_country_table_downloads_as_xlsx_and_json(client):
    workbook = load_workbook(io.BytesIO(body(client.get("/en/stats/data/aggregates.xlsx", {"typology": "public"}))))
    data = list(workbook["sirbi-stats-aggregates"].values)
    indicators = Indicator.objects.filter(is_active=True).count()
    assert len(data) == 1 + indicators * 22
    assert len(list(workbook["indicators"].values)) == 1 + indicators
    table = json.loads(body(client.get("/en/stats/data/aggregates.json", {"indicator": "libraries_per_100k"})))
    assert table["about"]["licence"] == "CC BY 4.0" and [i["code"] for i in table["indicators"]] == [
        "libraries_per_100k"]
    public = [row for row in table["data"] if row["typology"] == "public"]
    assert len(public) == 22 and next(r for r in public if r["country"] == "ES")["population_year"] == 2018
    assert client.get("/en/stats/data/aggregates.csv", {"indicator": "happiness"}).status_code == 404


def test_the_definitions_download_as_their_own_csv(client):
    rows = csv_rows(client.get("/en/stats/data/indicators.csv"))
    assert len(rows) == len(BASE) + len(DERIVED)
    per_100k = next(row for row in rows if row["code"] == "libraries_per_100k")
    assert (per_100k["numerator"], per_100k["denominator"], float(per_100k["multiplier"])) == (
        "libraries", "population", 100000)
    assert per_100k["name_es"] and per_100k["name_pt"] and per_100k["definition_en"]


def test_the_open_data_page_lists_the_statistics_downloads_with_licence_and_date(client):
    page = client.get("/en/open-data/").content.decode()
    for name in ("values", "aggregates", "indicators"):
        for fmt in ("csv", "xlsx", "json"):
            assert f'href="/en/stats/data/{name}.{fmt}"' in page
    assert "IFLA Library Map of the World, CC BY 4.0" in page
    assert "Statistics as of" in page and "<time datetime=" in page
