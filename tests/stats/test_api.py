"""The statistics REST API: the indicator catalogue, published values and country tables with the region.

The figures are the real IFLA Library Map of the World ones loaded for the test session (CC BY 4.0)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sirbi.registry.models import Library
from sirbi.stats.indicators import BASE, DERIVED
from sirbi.stats.models import Indicator, Population, Value


def results(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content.decode()[:1000]
    return response.json()["results"]


def draft_value(country, year=2016, **fields):
    return Value.objects.create(indicator=Indicator.objects.get(code="libraries"), typology="public",
                                country=country, year=year, value=9999, source="survey", status="draft", **fields)


def test_an_anonymous_visitor_reads_spains_public_libraries_from_the_library_map(client):
    rows = results(client, "/api/v1/values/", {"country": "es", "indicator": "libraries", "typology": "public"})
    assert len(rows) == 1
    spain = rows[0]
    assert spain["value"] == 4643 and spain["year"] == 2016
    assert spain["country"] == "ES" and spain["indicator"] == "libraries" and spain["level"] == "country"
    assert spain["source"] == "lmw" and spain["source_name"] == "IFLA Library Map of the World"
    assert spain["source_url"].startswith("https://librarymap.ifla.org")
    assert spain["network"] is None and spain["library"] is None and spain["library_isil"] is None
    assert spain["is_sample"] is False and spain["method"] == "count"


def test_values_filter_by_year_and_source(client):
    in_2016 = results(client, "/api/v1/values/", {"country": "ES", "year": 2016, "page_size": 500})
    assert in_2016 and all(row["year"] == 2016 for row in in_2016)
    spread = results(client, "/api/v1/values/", {"country": "ES", "year_min": 2017, "year_max": 2017,
                                                  "page_size": 500})
    assert spread and all(row["year"] == 2017 for row in spread)
    national = results(client, "/api/v1/values/", {"source": "network", "page_size": 500})
    assert national and all(row["source"] == "network" for row in national)
    assert {row["level"] for row in national} <= {"country", "network"}
    lmw = results(client, "/api/v1/values/", {"source": "lmw", "indicator": "libraries", "page_size": 500})
    assert all(row["source"] == "lmw" for row in lmw) and not {"BO", "GT"} & {row["country"] for row in lmw}


def test_an_unknown_filter_choice_is_refused(client):
    assert client.get("/api/v1/values/", {"source": "rumour"}).status_code == 400


def test_draft_values_never_reach_the_public(client, as_user, peru, coordinator_pe):
    draft = draft_value(peru)
    for reader in (client, as_user(coordinator_pe)):
        rows = results(reader, "/api/v1/values/", {"country": "PE", "source": "survey"})
        assert draft.pk not in {row["id"] for row in rows}
        assert reader.get(f"/api/v1/values/{draft.pk}/").status_code == 404
    table = client.get("/api/v1/aggregates/", {"indicator": "libraries", "typology": "public"}).json()
    peru_row = next(row for row in table["results"] if row["country"] == "PE")
    assert peru_row["value"] != 9999


def test_the_api_is_read_only(as_user, secretary, peru):
    response = as_user(secretary).post("/api/v1/values/", {"indicator": "libraries", "country": "PE"})
    assert response.status_code == 405


def test_library_values_carry_the_library_and_its_isil(client, lima_library, peru):
    Value.objects.create(indicator=Indicator.objects.get(code="visits"), typology="public", country=peru,
                         library=lima_library, year=2023, value=1200, source="survey", status="published")
    rows = results(client, "/api/v1/values/", {"library": lima_library.pk})
    assert [(row["library"], row["library_isil"], row["level"], row["value"]) for row in rows] == [
        (lima_library.pk, "PE-LIM01", "library", 1200)]
    assert results(client, "/api/v1/values/", {"level": "library", "country": "pe"})[0]["library"] == lima_library.pk


def test_the_region_table_lists_every_member_and_the_region_with_its_coverage(client):
    table = client.get("/api/v1/aggregates/", {"indicator": "libraries", "typology": "public"}).json()
    countries = [row for row in table["results"] if row["scope"] == "country"]
    region = [row for row in table["results"] if row["scope"] == "region"]
    assert len(countries) == 21 and len(region) == 1 and table["count"] == 22
    by_code = {row["country"]: row for row in countries}
    assert by_code["ES"]["value"] == 4643 and by_code["ES"]["year"] == 2016
    assert by_code["ES"]["attribution"] == "IFLA Library Map of the World, CC BY 4.0"
    # No Library Map figures for Bolivia and Guatemala: present, but empty rather than zero.
    for missing in ("BO", "GT"):
        assert by_code[missing]["value"] is None and by_code[missing]["year"] is None
    region = region[0]
    present = [row for row in countries if row["value"] is not None]
    assert region["country"] is None
    assert region["reported"] == len(present) and region["expected"] == 21
    assert region["coverage"] == pytest.approx(len(present) / 21)
    assert region["value"] == pytest.approx(sum(row["value"] for row in present))
    assert table["licence"] == "CC BY 4.0" and table["indicator"]["code"] == "libraries"


def test_a_per_capita_table_names_the_population_year(client):
    table = client.get("/api/v1/aggregates/", {"indicator": "libraries_per_100k", "typology": "public"}).json()
    spain = next(row for row in table["results"] if row["country"] == "ES")
    assert spain["basis"] == "computed" and spain["population_year"] == 2018
    inhabitants = Population.objects.get(country__code="ES", subdivision=None, year=2018).value
    assert spain["value"] == pytest.approx(4643 / inhabitants * 100_000)


def test_a_table_of_one_year_keeps_only_that_year(client):
    table = client.get("/api/v1/aggregates/", {"indicator": "libraries", "typology": "public", "year": 2016}).json()
    present = [row for row in table["results"] if row["scope"] == "country" and row["value"] is not None]
    assert present and all(row["year"] == 2016 for row in present)
    assert table["year"] == 2016


def test_the_table_needs_a_known_indicator_and_type(client):
    assert client.get("/api/v1/aggregates/").status_code == 400
    assert client.get("/api/v1/aggregates/", {"indicator": "happiness"}).status_code == 400
    assert client.get("/api/v1/aggregates/", {"indicator": "libraries", "typology": "casino"}).status_code == 400


def test_the_catalogue_lists_its_indicators_with_the_formulas_of_the_derived_ones(client):
    response = client.get("/api/v1/indicators/", HTTP_ACCEPT_LANGUAGE="pt")
    indicators = {row["code"]: row for row in response.json()["results"]}
    assert len(indicators) == 23 == len(BASE) + len(DERIVED)
    per_100k = indicators["libraries_per_100k"]
    assert per_100k["formula"] == {"numerator": "libraries", "denominator": "population", "multiplier": 100000}
    assert per_100k["is_derived"] and per_100k["unit"] == "per_100k"
    assert indicators["internet_pct"]["formula"]["denominator"] == "libraries"
    assert indicators["libraries"]["formula"] is None and not indicators["libraries"]["is_derived"]
    libraries = indicators["libraries"]
    assert libraries["name_en"] and libraries["name_es"] and libraries["name_pt"] and libraries["definition_en"]
    assert set(libraries["levels"]) <= {"library", "network", "country"}
    detail = client.get("/api/v1/indicators/libraries_per_100k/").json()
    assert detail["code"] == "libraries_per_100k" and detail["name"] == detail["name_es"]


def test_the_schema_documents_the_three_statistics_paths(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/v1/indicators/", "/api/v1/values/", "/api/v1/aggregates/"):
        assert path in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/aggregates/"]["get"]["parameters"]}
    assert {"indicator", "typology", "year"} <= parameters
    parameters = {p["name"] for p in schema["paths"]["/api/v1/values/"]["get"]["parameters"]}
    assert {"indicator", "country", "network", "library", "year", "year_min", "year_max", "typology", "source",
            "updated_since"} <= parameters


def test_value_list_queries_do_not_grow_with_rows(client, peru, pe_public):
    visits = Indicator.objects.get(code="visits")

    def add_values(count):
        for n in range(count):
            library = Library.objects.create(name=f"Biblioteca {n}", country=peru, type="public", locality="Lima")
            Value.objects.create(indicator=visits, typology="public", country=peru, library=library, year=2023,
                                 value=n, source="survey", status="published")

    def count_queries(params):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/values/", params).status_code == 200
        return len(queries)

    pages = [{"country": "PE"}, {"indicator": "visits", "level": "library"}, {}]
    add_values(3)
    few = [count_queries(params) for params in pages]
    add_values(40)
    many = [count_queries(params) for params in pages]
    assert few == many, (few, many)
    assert max(many) <= 5, many
