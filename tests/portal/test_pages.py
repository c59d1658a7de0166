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


def test_the_open_data_date_does_not_tell_when_a_draft_changed(client, lima_library, coordinator_pe, peru):
    """A draft figure's time is its reporters' and the secretariat's: the public date stays the registry's."""
    import datetime

    from sirbi.core.changelog import save_object
    from sirbi.core.models import ChangeLog
    from sirbi.stats.models import Indicator, Value

    lima_library.phone = "01 222"
    save_object(lima_library, user=coordinator_pe)
    ChangeLog.objects.update(time=datetime.datetime(2020, 1, 2, 3, 4, tzinfo=datetime.UTC))
    draft = Value(indicator=Indicator.objects.get(code="visits"), typology="public", country=peru, year=2025,
                  value=10, source="survey", status="draft")
    save_object(draft, user=coordinator_pe)
    page = client.get("/en/open-data/").content.decode()
    assert '<time datetime="2020-01-02T03:04:00' in page
