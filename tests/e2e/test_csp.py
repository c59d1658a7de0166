"""The main pages under their Content-Security-Policy, in Chromium: no violation is reported, and the maps,
charts, the admin and the API docs still draw. (The other journeys bypass the policy to inject axe-core.)"""

from pathlib import Path

import pytest

from sirbi.catalog import marc
from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Record, Source
from sirbi.cooperation.demo import load_cooperation_demo
from sirbi.registry.models import Country, Library
from sirbi.stats.indicators import seed_indicators
from sirbi.stats.loaders import load_lmw, load_population_package

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "sirbi" / "catalog" / "data" / "lc-spa-por-sample.mrc"
# Violations, as the page's own securitypolicyviolation events see them (read with CDP, outside the policy).
LISTEN = ("window.cspViolations = [];"
          "document.addEventListener('securitypolicyviolation', e => window.cspViolations.push("
          "e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));")


@pytest.fixture
def site(registry, settings, tmp_path):
    settings.MEDIA_ROOT, settings.CATALOG_INDEX_DIR = tmp_path, tmp_path / "index"
    seed_indicators()
    load_population_package()
    load_lmw()
    load_cooperation_demo()
    lima = Library.objects.create(name="Biblioteca Municipal de Lima", isil="PE-LIM01", type="public",
                                  country=Country.objects.get(code="PE"), latitude=-12.05, longitude=-77.04)
    source = Source.objects.create(code="lima", name="Lima", library=lima)
    import_file(source, b"".join(p.raw for p in list(marc.read(SAMPLE.read_bytes()))[:5]), "lima.mrc")
    return {"library": lima, "cluster": Record.objects.filter(source=source).first().cluster_id}


@pytest.fixture
def strict_page(browser):
    """A page that keeps the site's policy (no bypass), with its console and violations recorded."""
    context = browser.new_context(locale="es-ES", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.add_init_script(LISTEN)
    page.console_lines = []
    page.on("console", lambda message: page.console_lines.append(message.text))
    yield page
    context.close()


def violations(page):
    reported = page.evaluate("window.cspViolations || []")
    logged = [line for line in page.console_lines if "Content Security Policy" in line]
    page.console_lines.clear()
    return reported + logged


def test_the_main_pages_draw_under_the_policy(strict_page, live_server, site, secretary):
    page, base = strict_page, live_server.url
    # Each page, and what must have drawn on it once its scripts ran.
    drawn = [
        ("/es/", "#members-map .leaflet-overlay-pane canvas"),
        ("/es/registry/map/", "#library-map[data-markers='1'] .leaflet-overlay-pane canvas"),
        ("/es/registry/libraries/", "main table"),
        (f"/es/registry/libraries/{site['library'].pk}/", "#library-map .leaflet-overlay-pane canvas"),
        ("/es/stats/indicators/libraries/?typology=public", "#choropleth-map .class-label"),
        ("/es/stats/countries/BR/", "canvas[data-chart][data-drawn=true]"),
        ("/es/catalog/?q=a", "main"),
        (f"/es/catalog/clusters/{site['cluster']}/", "#points-map .leaflet-overlay-pane canvas"),
        ("/es/cooperation/agenda/", "#points-map .leaflet-overlay-pane canvas"),
        ("/es/cooperation/meetings/calendar/", "main table"),
        ("/es/cooperation/roadmap/", "main"),
        ("/es/cooperation/roadmap/timeline/", ".gantt-bar"),
        ("/es/admin/login/", "#login-form"),
        ("/api/v1/docs/", ".swagger-ui .information-container"),
    ]
    for path, selector in drawn:
        response = page.goto(base + path)
        assert response.status == 200 and "content-security-policy" in response.headers, path
        page.locator(selector).first.wait_for()
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], path
    # The admin, signed in, with its scripts (the sidebar, the change list's actions).
    page.goto(base + "/es/admin/login/")
    page.fill("#id_username", secretary.username)
    page.fill("#id_password", "pw-" + secretary.username)
    with page.expect_navigation():
        page.locator("#login-form [type=submit]").click()
    for path in ("/es/admin/", "/es/admin/registry/library/",
                 f"/es/admin/registry/library/{site['library'].pk}/change/"):
        assert page.goto(base + path).status == 200, path
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], path
