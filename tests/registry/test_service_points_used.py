"""Service points in use: Lima's municipal library has its main building, a branch and a bibliobús; the maps show
the branch and the mobile library, and the country and network pages count units and service points alike."""

import json

import pytest
from django.utils import translation

from sirbi.registry.models import ServicePoint


@pytest.fixture
def lima_points(lima_library):
    return [
        ServicePoint.objects.create(library=lima_library, kind="main", name="Sede central", latitude=-12.05,
                                    longitude=-77.04, opening_hours="L-V 9-18", address="Jr. de la Unión 300"),
        ServicePoint.objects.create(library=lima_library, kind="branch", name="Filial Rímac", latitude=-12.03,
                                    longitude=-77.03),
        ServicePoint.objects.create(library=lima_library, kind="mobile", name="Bibliobús del Rímac", latitude=-12.02,
                                    longitude=-77.02),
        ServicePoint.objects.create(library=lima_library, kind="reading_point", name="Punto cerrado",
                                    latitude=-12.0, longitude=-77.0, status="closed"),
        ServicePoint.objects.create(library=lima_library, kind="branch", name="Filial sin coordenadas"),
    ]


def test_the_registry_map_draws_branches_and_mobile_libraries_with_coordinates(client, lima_points, lima_library):
    with translation.override("en"):
        data = json.loads(client.get("/en/registry/map/points.json?country=PE").content)
    assert [p[0] for p in data["points"]] == [lima_library.pk]
    assert sorted(data["service_points"]) == [
        [lima_library.pk, -12.03, -77.03, "Filial Rímac", "branch"],
        [lima_library.pk, -12.02, -77.02, "Bibliobús del Rímac", "mobile"],
    ]
    assert data["kinds"]["mobile"].startswith("Mobile library")
    other = json.loads(client.get("/en/registry/map/points.json?country=AR").content)
    assert other["service_points"] == []


def test_the_library_page_maps_its_located_service_points(client, lima_points, lima_library):
    page = client.get(f"/en/registry/libraries/{lima_library.pk}/").content.decode()
    start = page.index('<script id="library-points-data" type="application/json">') + len(
        '<script id="library-points-data" type="application/json">')
    points = json.loads(page[start:page.index("</script>", start)])
    assert sorted(point["name"] for point in points) == ["Bibliobús del Rímac", "Filial Rímac", "Punto cerrado",
                                                         "Sede central"]
    assert 'data-single="yes"' in page


def test_the_country_and_network_pages_count_units_and_service_points(client, lima_points, lima_library,
                                                                     cusco_library):
    # Lima counts its three open points (main, two branches with and without coordinates, the bibliobús: four),
    # Cusco, without recorded points, counts as one.
    country = client.get("/en/registry/countries/PE/").content.decode()
    assert "2 open libraries (administrative units)" in country
    assert "5 service points (main buildings, branches, mobile libraries, reading points)" in country
    assert "/en/stats/countries/PE/reconciliation/" in country
    network = client.get("/en/registry/networks/pe-public/").content.decode()
    assert "1 open library (administrative unit)" in network
    assert "4 service points" in network
