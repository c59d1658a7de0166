"""An anonymous visitor reads the public statistics pages: the region's overview, an indicator's map and
table, a country's profile and a comparison, in three languages, and downloads each table as CSV.

The figures are the real IFLA Library Map of the World ones loaded by tests/conftest.py."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sirbi.stats.models import Indicator, Value


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def rows_of(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_statistics_link_is_in_the_main_navigation(client):
    assert 'href="/en/stats/"' in page(client, "/en/registry/networks/")


def test_the_overview_gives_each_indicator_the_regions_figure_with_its_coverage(client):
    html = page(client, "/en/stats/")
    for indicator in Indicator.objects.filter(is_active=True):
        assert f'href="/en/stats/indicators/{indicator.code}/?typology=public"' in html
    assert "Libraries and service points" in html
    assert "of 21 countries" in html
    assert '<option value="public" selected>' in html


def test_the_overview_counts_the_countries_with_a_public_library_figure(client):
    countries = set(Value.objects.published().filter(indicator__code="libraries", typology="public",
                                                     library__isnull=True).values_list("country__code", flat=True))
    rows = rows_of(client.get("/en/stats/?typology=public&format=csv"))
    libraries = next(r for r in rows if r["indicator"] == "libraries")
    assert int(libraries["countries_with_figure"]) == len(countries)
    assert libraries["member_countries"] == "21"
    assert "2016" in libraries["years"].split()


def test_the_overview_follows_the_chosen_library_type(client):
    html = page(client, "/es/stats/?typology=school")
    assert '<option value="school" selected>' in html
    assert "bibliotecas escolares" in html.lower()


def test_spains_public_libraries_appear_on_the_indicator_page_in_each_language(client):
    english = page(client, "/en/stats/indicators/libraries/?typology=public")
    assert "Spain" in english and "4,643" in english and "2016" in english
    assert "IFLA Library Map of the World" in english and "CC BY 4.0" in english
    # Spanish groups thousands with a non-breaking space (Django's es format), Portuguese with a dot.
    assert "4\xa0643" in page(client, "/es/stats/indicators/libraries/?typology=public")
    assert "4.643" in page(client, "/pt/stats/indicators/libraries/?typology=public")


def test_the_indicator_page_says_no_data_for_a_country_without_a_figure(client):
    html = page(client, "/en/stats/indicators/libraries/?typology=public")
    bolivia = html[html.index("Bolivia"):]
    bolivia = bolivia[:bolivia.index("</tr>")]
    assert "no data" in bolivia and ">0<" not in bolivia


def test_the_indicator_page_has_its_definition_map_data_and_legend(client):
    html = page(client, "/en/stats/indicators/libraries_per_100k/?typology=public")
    assert "ISO 11620" in html and "Computed as" in html and "100,000" in html
    assert 'id="choropleth-map"' in html and 'id="choropleth-data"' in html
    assert 'class="classes"' in html
    assert "Population year" in html and "2018" in html


def test_the_indicator_csv_has_one_row_per_member_country(client):
    rows = rows_of(client.get("/en/stats/indicators/libraries/?typology=public&format=csv"))
    assert len(rows) == 21
    by_country = {r["country"]: r for r in rows}
    assert (by_country["ES"]["value"], by_country["ES"]["year"], by_country["ES"]["source"]) == ("4643", "2016", "lmw")
    assert by_country["BO"]["value"] == "" and by_country["BO"]["year"] == ""


def test_a_year_can_be_chosen_instead_of_the_latest(client):
    rows = rows_of(client.get("/en/stats/indicators/libraries/?typology=public&year=2016&format=csv"))
    assert {r["year"] for r in rows if r["value"]} == {"2016"}
    html = page(client, "/en/stats/indicators/libraries/?typology=public&year=2016")
    assert '<option value="2016" selected>' in html


def test_an_unknown_indicator_is_not_found(client):
    assert client.get("/en/stats/indicators/nothing/").status_code == 404


def test_perus_profile_lists_its_figures_and_its_needs(client):
    html = page(client, "/en/stats/countries/pe/")
    assert "Library statistics of Peru" in html
    assert "469" in html and "2022" in html  # the BNP's count of municipal libraries
    assert 'id="needs"' in html
    assert 'data-chart="libraries"' in html and 'id="chart-data"' in html


def test_the_profile_csv_has_every_published_figure_of_the_country(client, peru):
    published = Value.objects.published().filter(country=peru, library__isnull=True).count()
    rows = rows_of(client.get("/en/stats/countries/PE/?format=csv"))
    reported = [r for r in rows if r["basis"] in ("reported", "network")]
    assert len(reported) == published
    assert {"indicator": "libraries", "library_type": "public", "year": "2022", "value": "469"}.items() <= next(
        r for r in rows if r["indicator"] == "libraries" and r["year"] == "2022").items()


def test_the_needs_show_the_figures_behind_them(client):
    from sirbi.stats import services

    needs = services.needs()
    code, found = next((code, found) for code, found in needs.items() if found)
    html = page(client, f"/en/stats/countries/{code}/")
    needs_part = html[html.index('id="needs"'):html.index("</section>", html.index('id="needs"'))]
    for need in found:
        assert need.indicator.name in needs_part
    assert "Compared with" in needs_part and "(regional median)" in needs_part


def test_a_country_without_figures_says_so(client):
    html = page(client, "/en/stats/countries/BO/")
    assert "There are no published figures for this country yet." in html


def test_the_registrys_country_page_links_to_the_profile(client):
    assert 'href="/en/stats/countries/PE/"' in page(client, "/en/registry/countries/PE/")


def test_the_comparison_sets_chosen_countries_side_by_side(client):
    html = page(client, "/en/stats/compare/?countries=PE&countries=ES&indicator=libraries&typology=public")
    assert "Peru" in html and "Spain" in html and "4,643" in html and "Chile" not in html.split("<tbody>")[1]
    rows = rows_of(client.get("/en/stats/compare/?countries=PE&countries=ES&indicator=libraries&format=csv"))
    assert [(r["country"], r["indicator"], r["value"]) for r in rows] == [("PE", "libraries", "469"),
                                                                          ("ES", "libraries", "4643")]


def test_the_comparison_ignores_unknown_codes(client):
    rows = rows_of(client.get("/en/stats/compare/?countries=XX&countries=BO&indicator=nothing&indicator=libraries"
                              "&format=csv"))
    assert [(r["country"], r["value"]) for r in rows] == [("BO", "")]


@pytest.mark.parametrize("url", ["/en/stats/", "/en/stats/indicators/libraries/", "/en/stats/countries/PE/",
                                 "/en/stats/compare/"])
def test_the_pages_make_a_bounded_number_of_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        page(client, url)
    # Derived indicators look up each country's population apart (services._derived_table), hence the margin.
    assert len(queries) < 150, len(queries)
