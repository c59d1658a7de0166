"""The public portal: the members' page and the open data downloads."""

import json
import re


def test_the_home_page_lists_the_21_members_with_their_figures(client, lima_library):
    page = client.get("/pt/").content.decode()
    data = json.loads(re.search(r'<script id="members-data" type="application/json">(.*?)</script>', page, re.S)[1])
    assert len(data) == 21
    assert data["604"]["name"] == "Peru" and data["604"]["url"] == "/pt/registry/countries/PE/"
    assert "1 biblioteca" in data["604"]["summary"]
    assert "Espanha" in page  # names in the page's language


def test_the_open_data_page_offers_every_format_with_licence_and_date(client, lima_library):
    page = client.get("/en/open-data/").content.decode()
    assert "creativecommons.org/licenses/by/4.0" in page
    for fmt in ("csv", "xlsx", "json", "geojson"):
        assert f"?export={fmt}" in page
    assert "<time datetime=" in page or "Data as of" in page


def test_the_whole_registry_downloads_as_geojson(client, lima_library, cusco_library):
    response = client.get("/en/registry/libraries/", {"export": "geojson"})
    assert response["Content-Disposition"].endswith('.geojson"')
    data = json.loads(b"".join(response.streaming_content))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 2
    lima = next(f for f in data["features"] if f["properties"]["isil"] == "PE-LIM01")
    assert lima["geometry"]["coordinates"] == [-77.04, -12.05]
