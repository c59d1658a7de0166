"""Statistics in the browser: Inés, a researcher, opens an indicator's map and table and switches to
Portuguese; Marta, who reads with a screen reader, finds no serious accessibility violation on the pages.

The live server's transactions are flushed afterwards, so the journeys load the catalogue and the real
IFLA Library Map of the World figures themselves."""

import pytest

from sirbi.stats.indicators import seed_indicators
from sirbi.stats.loaders import load_lmw, load_population_package

from .conftest import axe_violations, describe, shot

# Pixels of the darkest class's colour (#0b4f5b) on the map's canvas: the shapes are drawn.
DARKEST_CLASS_PIXELS = """() => {
  const canvas = document.querySelector('#choropleth-map canvas');
  if (!canvas || !canvas.width) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] === 0x0b && data[i + 1] === 0x4f && data[i + 2] === 0x5b) n++;
  }
  return n;
}"""


@pytest.fixture
def figures(registry):
    seed_indicators()
    load_population_package()
    load_lmw()


def test_ines_reads_an_indicators_map_and_table_and_switches_to_portuguese(page, live_server, figures):
    page.goto(live_server.url + "/en/stats/indicators/libraries/?typology=public")
    page.wait_for_function("document.querySelector('#choropleth-map').dataset.countries === '21'")
    page.wait_for_function(f"({DARKEST_CLASS_PIXELS})() > 500")  # Brazil, Mexico and Spain at least
    # Each country with a figure is labelled with its class number, so the map reads without colour.
    assert page.locator("#choropleth-map .class-label").count() == 17
    spain = page.get_by_role("row", name="Spain")
    assert "4,643" in spain.inner_text() and "2016" in spain.inner_text()
    assert "no data" in page.get_by_role("row", name="Bolivia").inner_text()
    shot(page, "en-stats-indicator")

    page.get_by_role("navigation", name="Languages").get_by_role("link", name="português").click()
    page.wait_for_url("**/pt/stats/indicators/libraries/?typology=public")
    assert page.get_attribute("html", "lang") == "pt"
    assert page.get_by_role("heading", level=1).inner_text() == "Bibliotecas e pontos de serviço"
    assert "4.643" in page.get_by_role("row", name="Espanha").inner_text()
    page.wait_for_function("document.querySelector('#choropleth-map').dataset.countries === '21'")


PAGES = ["/es/stats/", "/es/stats/indicators/libraries_per_100k/", "/es/stats/countries/PE/",
         "/en/stats/compare/?countries=PE&countries=CO&indicator=libraries"]


@pytest.mark.parametrize("path", PAGES)
def test_marta_finds_no_serious_accessibility_violation_in_the_statistics(page, live_server, figures, path):
    response = page.goto(live_server.url + path, wait_until="networkidle")
    assert response.status == 200
    shot(page, "axe-stats-" + path.strip("/").split("?")[0].replace("/", "-"))
    violations = axe_violations(page)
    assert not violations, f"axe-core on {path}:\n{describe(violations)}"
