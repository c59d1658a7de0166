"""Maps: a visitor, Lucía, looks for libraries on the map, and at the members on the home page.

The maps draw on a canvas (Leaflet's preferCanvas), so single markers and country shapes are pixels, not
DOM elements; clusters are DOM elements. The journeys check the clusters and the canvas's pixels.
"""

import json

from .conftest import shot

RECORD_LOADED = ("window.sirbiLoaded = [];"
                 "document.addEventListener('sirbi:loaded', e => window.sirbiLoaded.push(e.detail.markers), true);")
# The numbers shown by the settled cluster icons (fading copies have opacity 0 during an animation).
CLUSTERS = """() => [...document.querySelectorAll('#library-map .leaflet-marker-icon.marker-cluster')]
    .filter(icon => icon.style.opacity !== '0').map(icon => Number(icon.textContent)).sort((a, b) => a - b)"""

# Pixels of the markers' outline colour on the map's canvas (single markers; the shapes are grey and beige).
MARKER_PIXELS = """() => {
  const canvas = document.querySelector('#library-map canvas');
  if (!canvas || !canvas.width) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] === 0x0b && data[i + 1] === 0x5d && data[i + 2] === 0x6b) n++;
  }
  return n;
}"""


def wait_for_clusters(page, expected):
    """Until the map shows these clusters and nothing else, with no animation running, for half a second."""
    page.wait_for_function("window.sirbiLoaded.length > 0")
    settled = f"""() => {{
      const map = document.querySelector('#library-map');
      const quiet = !map.querySelector('.leaflet-zoom-anim')
        && map.querySelectorAll('.leaflet-marker-icon').length === {len(expected)}
        && ({CLUSTERS})().join() === {",".join(map(str, expected))!r};
      window.sirbiQuiet = quiet ? (window.sirbiQuiet || 0) + 1 : 0;
      return window.sirbiQuiet >= 5;
    }}"""
    page.wait_for_function(settled, polling=100, timeout=8000)


def test_lucia_sees_every_located_library_on_the_map(page, live_server, libraries):
    located = 7  # four in Lima, three in Buenos Aires; Cusco has no coordinates
    page.add_init_script(RECORD_LOADED)
    page.goto(live_server.url + "/es/registry/map/")
    page.wait_for_function("window.sirbiLoaded.length > 0")
    assert page.evaluate("window.sirbiLoaded") == [located]
    assert page.get_attribute("#library-map", "data-markers") == str(located)
    # Each town's libraries in one cluster, which together hold every located library.
    try:
        wait_for_clusters(page, [3, 4])
    finally:
        shot(page, "es-map")
    assert page.evaluate(MARKER_PIXELS) == 0  # every marker is in a cluster at this zoom

    # Opening Lima's cluster zooms in: its libraries are drawn one by one, Buenos Aires' are out of sight.
    page.locator("#library-map .marker-cluster", has_text="4").click()
    page.wait_for_function(f"({CLUSTERS})().join() !== '3,4' && ({MARKER_PIXELS})() > 50")

    # Filtered to Peru, the map has the four located libraries of Peru.
    page.goto(live_server.url + "/es/registry/map/")
    page.select_option("#id_country", "PE")
    with page.expect_navigation():
        page.locator("main form.filters button[type=submit]").click()
    assert "country=PE" in page.url
    page.wait_for_function("window.sirbiLoaded.length > 0")
    assert page.evaluate("window.sirbiLoaded") == [4]
    assert page.get_attribute("#library-map", "data-markers") == "4"
    page.wait_for_function(f"({MARKER_PIXELS})() > 50")


MEMBER_PIXELS = """() => {
  const canvas = document.querySelector('#members-map canvas');
  if (!canvas || !canvas.width) return {member: 0, other: 0};
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let member = 0, other = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] === 0x0b && data[i + 1] === 0x5d && data[i + 2] === 0x6b) member++;
    if (data[i] === 0xc9 && data[i + 1] === 0xd1 && data[i + 2] === 0xd9) other++;
  }
  return {member, other};
}"""


def test_lucia_sees_the_member_countries_on_the_home_map(page, live_server, libraries):
    page.goto(live_server.url + "/es/")
    members = json.loads(page.locator("#members-data").text_content())
    assert len(members) == 21
    assert members["604"]["url"] == "/es/registry/countries/PE/"
    # Members in the brand colour, the rest of the world in grey: the shapes were drawn.
    page.wait_for_function(f"(({MEMBER_PIXELS})()).member > 5000 && (({MEMBER_PIXELS})()).other > 5000")
    shot(page, "es-home")


# Pixels of a service point's outline colour (maps.js pointMarker).
POINT_PIXELS = MARKER_PIXELS.replace("0x0b", "0x5b").replace("0x5d", "0x3a").replace("0x6b", "0x8c")


def test_lucia_sees_the_bibliobus_of_lima_beside_its_library(page, live_server, libraries):
    from sirbi.registry.models import ServicePoint

    lima = libraries["lima"][0]
    ServicePoint.objects.create(library=lima, kind="mobile", name="Bibliobús del Rímac", latitude=-12.02,
                                longitude=-77.02)
    page.goto(live_server.url + f"/es/registry/libraries/{lima.pk}/")
    page.wait_for_function("document.querySelector('#library-map').dataset.markers === '2'")
    page.wait_for_function(f"({POINT_PIXELS})() > 10")

    # On the registry's map of Peru: the four located libraries and the bibliobús.
    page.add_init_script(RECORD_LOADED)
    page.goto(live_server.url + "/es/registry/map/?country=PE")
    page.wait_for_function("window.sirbiLoaded.length > 0")
    assert page.evaluate("window.sirbiLoaded") == [5]
