"""A newcomer on a slow connection: every public page of the demo, the home page included, weighs less than
200 KB transferred (map tiles excluded; the demo draws none), measured in Chromium.

How it is measured: Chromium loads each page of the demo's data (the registry with its 2,999 sample libraries,
the statistics, the cooperation workspace) and every response it fetches (the page, its styles, scripts, fonts,
map shapes, points and chart data) is summed as `make demo` and production send it: static files gzip-compressed
(whitenoise serves the .gz copy that `collectstatic` writes: core/staticfiles.py), so their gzip size at level 9
(the test server serves the source files uncompressed, whence the computation); a response the server compressed
itself (the map's points) at the size it was sent; the pages' HTML as sent (uncompressed).
"""

import gzip

import pytest

from sirbi.cooperation.demo import load_cooperation_demo
from sirbi.cooperation.models import Meeting
from sirbi.registry.demo import load_networks, load_sample_libraries
from sirbi.registry.models import Library
from sirbi.stats.demo import load_stats_demo

LIMIT = 200_000
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


@pytest.fixture
def demo_site(transactional_db, settings, tmp_path):
    """The demo's public data (as `sirbi load_demo` loads it, without accounts and the catalog)."""
    from sirbi.registry.countries import load_countries

    settings.MEDIA_ROOT = tmp_path
    load_countries()
    load_networks()
    load_sample_libraries()
    load_stats_demo()
    load_cooperation_demo()
    return {"library": Library.objects.filter(is_sample=True, latitude__isnull=False).first().pk,
            "meeting": Meeting.objects.get(city="Lima").pk}


def public_pages(site):
    """The page set a reviewer looks at: one of each public page type."""
    return {
        "home": "/", "registry": "/registry/", "networks": "/registry/networks/",
        "network": "/registry/networks/pe-public/", "libraries": "/registry/libraries/",
        "library": f"/registry/libraries/{site['library']}/", "country": "/registry/countries/PE/",
        "map": "/registry/map/", "statistics": "/stats/", "indicator": "/stats/indicators/visits/",
        "statistics-peru": "/stats/countries/PE/", "open-data": "/open-data/", "cooperation": "/cooperation/",
        "meetings": "/cooperation/meetings/", "meeting": f"/cooperation/meetings/{site['meeting']}/",
        "calendar": "/cooperation/meetings/calendar/", "agenda": "/cooperation/agenda/",
        "roadmap": "/cooperation/roadmap/", "timeline": "/cooperation/roadmap/timeline/",
        "groups": "/cooperation/groups/", "needs": "/cooperation/needs/", "alliances": "/cooperation/alliances/",
        "practices": "/cooperation/practices/", "catalog": "/catalog/",
    }


def transferred(response):
    """Bytes of one response as the demo and production send it (see the module's docstring)."""
    try:
        body = response.body()
    except Exception:  # a redirect or an aborted request has no body
        return 0
    if response.headers.get("content-encoding"):
        return response.request.sizes()["responseBodySize"]
    kind = response.headers.get("content-type", "")
    if "/static/" in response.url and kind.startswith(COMPRESSIBLE):
        return len(gzip.compress(body, compresslevel=9))
    return len(body)


def weigh(page, url):
    """(status, total bytes, [(bytes, url)]) of loading `url` with everything its scripts fetch."""
    responses = []

    def record(response):
        responses.append(response)

    page.on("response", record)
    status = page.goto(url, wait_until="networkidle").status
    page.remove_listener("response", record)
    sizes = sorted(((transferred(r), r.url) for r in responses), reverse=True)
    return status, sum(size for size, _url in sizes), sizes


def test_every_public_page_weighs_under_200_kb(page, live_server, demo_site):
    heavy = []
    for name, path in public_pages(demo_site).items():
        status, total, sizes = weigh(page, f"{live_server.url}/es{path}")
        assert status == 200, path
        if total >= LIMIT:
            heavy.append(f"{name} {path}: {total:,} bytes; largest: "
                         + ", ".join(f"{url.replace(live_server.url, '')} {size:,}" for size, url in sizes[:4]))
    assert not heavy, "pages over 200 KB:\n" + "\n".join(heavy)


def test_the_world_map_is_the_coarse_one_and_htmx_loads_only_where_used(page, live_server, demo_site):
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"{live_server.url}/es/", wait_until="networkidle")
    assert page.locator("#members-map .leaflet-overlay-pane canvas").count() == 1  # the map drew
    assert any(url.endswith("countries-110m.json") for url in fetched)
    assert not any("countries-50m" in url or "members-50m" in url or "htmx" in url for url in fetched)
    # A map of libraries adds the member countries' finer shapes.
    fetched.clear()
    page.goto(f"{live_server.url}/es/registry/countries/PE/", wait_until="networkidle")
    assert any(url.endswith("members-50m.json") for url in fetched)
