"""Sample libraries (invented for the demonstration) are marked wherever they show: the home page, the map and a
network's page say how many of the libraries they count are sample data; with none, nothing is said."""

from sirbi.registry.models import Library

PAGES = ["/en/", "/en/registry/map/", "/en/registry/networks/pe-public/", "/en/registry/countries/PE/"]


def test_pages_say_how_many_libraries_are_sample_data(client, peru, pe_public, lima_library):
    for path in PAGES:
        assert "Sample data" not in client.get(path).content.decode(), path
    invented = Library.objects.create(name="Biblioteca de ejemplo", country=peru, type="public", locality="Cusco",
                                      latitude=-13.5, longitude=-71.97, is_sample=True)
    invented.networks.add(pe_public)
    for path in PAGES:
        body = client.get(path).content.decode()
        assert "Sample data" in body and "1 of these libraries is invented sample data" in body, path


def test_the_registry_and_cooperation_have_landing_pages(client):
    registry = client.get("/es/registry/").content.decode()
    assert all(f'href="/es/registry/{part}/"' in registry for part in ("networks", "libraries", "map"))
    cooperation = client.get("/es/cooperation/").content.decode()
    assert all(f'href="/es/cooperation/{part}/"' in cooperation
               for part in ("meetings", "agenda", "roadmap", "groups", "needs", "alliances", "practices"))
