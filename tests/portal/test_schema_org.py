"""schema.org JSON-LD in the public pages, read back as a search engine reads it (extruct)."""

import extruct

from sirbi.core.changelog import save_object
from sirbi.registry.models import Subdivision
from sirbi.stats.models import Value


def json_ld(client, path):
    response = client.get(path)
    assert response.status_code == 200
    items = extruct.extract(response.content.decode(), base_url="http://testserver" + path,
                            syntaxes=["json-ld"], uniform=True)["json-ld"]
    assert len(items) == 1, items
    return items[0]


def test_a_library_page_describes_the_library_with_its_isil_place_and_network(client, lima_library, secretary):
    lima_library.address = "Jr. de la Unión 300"
    lima_library.subdivision = Subdivision.objects.get(code="PE-LIM")
    save_object(lima_library, user=secretary)
    library = json_ld(client, f"/en/registry/libraries/{lima_library.pk}/")
    assert library["@type"] == "Library" and library["name"] == "Biblioteca Municipal de Lima"
    assert library["identifier"] == {"@type": "PropertyValue", "propertyID": "ISIL", "value": "PE-LIM01"}
    assert library["address"]["addressCountry"] == "PE" and library["address"]["addressLocality"] == "Lima"
    assert library["address"]["streetAddress"] == "Jr. de la Unión 300"
    assert library["geo"] == {"@type": "GeoCoordinates", "latitude": -12.05, "longitude": -77.04}
    [network] = library["parentOrganization"]
    assert network["@id"] == "http://testserver/en/registry/networks/pe-public/"


def test_a_name_cannot_break_out_of_the_data_block(client, lima_library, secretary):
    """The data block is escaped as json_script is: a name with markup stays text in the data."""
    lima_library.name = "Biblioteca </script><script>alert(1)</script> & Co"
    lima_library.save()
    page = client.get(f"/en/registry/libraries/{lima_library.pk}/").content.decode()
    assert "</script><script>alert(1)" not in page
    assert json_ld(client, f"/en/registry/libraries/{lima_library.pk}/")["name"] == lima_library.name


def test_a_network_page_describes_the_network(client, pe_public):
    network = json_ld(client, "/es/registry/networks/pe-public/")
    assert network["@type"] == "Organization" and network["name"] == pe_public.name
    assert network["areaServed"]["identifier"] == "PE"


def test_an_indicator_page_is_a_dataset_with_its_downloads_and_licence(client):
    dataset = json_ld(client, "/pt/stats/indicators/libraries/")
    assert dataset["@type"] == "Dataset" and dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert dataset["name"].startswith("Estatísticas SIRBI: ")  # in the page's language
    formats = {d["encodingFormat"] for d in dataset["distribution"]}
    assert formats == {"text/csv", "application/json",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    assert "http://testserver/es/stats/data/values.csv?indicator=libraries" in {
        d["contentUrl"] for d in dataset["distribution"]}
    years = sorted(Value.objects.published().filter(indicator__code="libraries").values_list("year", flat=True))
    assert dataset["temporalCoverage"] == f"{years[0]}/{years[-1]}"
    assert {"@type": "Country", "name": "Peru", "identifier": "PE"} in dataset["spatialCoverage"]
    assert dataset["@id"] == "http://testserver/opendata/catalog#indicator-libraries"  # as in the DCAT catalogue


def test_the_open_data_page_is_a_data_catalog_of_every_dataset(client, lima_library):
    catalog = json_ld(client, "/en/open-data/")
    assert catalog["@type"] == "DataCatalog"
    names = [dataset["name"] for dataset in catalog["dataset"]]
    assert "SIRBI registry: libraries" in names and "SIRBI union catalog" in names
    libraries = next(d for d in catalog["dataset"] if d["name"] == "SIRBI registry: libraries")
    assert {d["encodingFormat"] for d in libraries["distribution"]} >= {"text/csv", "application/geo+json"}
