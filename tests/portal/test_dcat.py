"""The open data described for machines: the DCAT-AP 3 catalogue at /opendata/catalog, checked against the
official DCAT-AP 3.0.0 SHACL shapes, in its three serialisations."""

import json
from functools import cache

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns

from sirbi.catalog.models import Cluster
from sirbi.registry.models import Country
from tests.standards import STANDARDS

BASE = "http://testserver/opendata/catalog"
CATALOGUE = URIRef(BASE)
LIBRARIES = URIRef(BASE + "#libraries")


@cache
def shapes():
    return Graph().parse(STANDARDS / "dcat-ap-3.0.0-SHACL.ttl")


def catalogue(client, fmt="ttl", **headers):
    response = client.get(f"/opendata/catalog.{fmt}" if fmt else "/opendata/catalog", **headers)
    assert response.status_code == 200
    parser = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}
    return response, Graph().parse(data=response.content, format=parser[response["Content-Type"].split(";")[0]])


def test_the_catalogue_passes_the_dcat_ap_3_shapes_with_no_violation(client, lima_library):
    Cluster.objects.create()
    _response, graph = catalogue(client)
    conforms, _results, text = pyshacl.validate(graph, shacl_graph=shapes())
    assert conforms, text


def test_every_text_is_there_in_spanish_portuguese_and_english(client, lima_library):
    _response, graph = catalogue(client)
    titles = {title.language: str(title) for title in graph.objects(LIBRARIES, ns.DCTERMS.title)}
    assert titles == {"es": "Registro SIRBI: bibliotecas", "pt": "Registro SIRBI: bibliotecas",
                      "en": "SIRBI registry: libraries"}
    assert {d.language for d in graph.objects(LIBRARIES, ns.DCTERMS.description)} == {"es", "pt", "en"}
    visits = URIRef(BASE + "#indicator-visits")
    assert set(graph.objects(visits, ns.DCTERMS.title)) == {  # the indicator's own name in each language
        Literal("Estadísticas SIRBI: Visitas presenciales", lang="es"),
        Literal("Estatísticas SIRBI: Visitas presenciais", lang="pt"),
        Literal("SIRBI statistics: Physical visits", lang="en")}


def test_it_names_the_publisher_the_licence_and_the_member_countries(client, lima_library):
    _response, graph = catalogue(client)
    publisher = graph.value(CATALOGUE, ns.DCTERMS.publisher)
    assert "CERLALC" in str(graph.value(publisher, ns.FOAF.name))
    licence = URIRef("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0")
    assert (LIBRARIES + "-1", ns.DCTERMS.license, licence) in graph
    countries = set(graph.objects(LIBRARIES, ns.DCTERMS.spatial))
    assert len(countries) == 21
    assert URIRef("http://publications.europa.eu/resource/authority/country/PER") in countries
    education = URIRef("http://publications.europa.eu/resource/authority/data-theme/EDUC")
    assert education in set(graph.objects(LIBRARIES, ns.DCAT.theme))
    assert graph.value(education, ns.SKOS.prefLabel) is not None


def test_downloads_are_distributions_with_their_media_types(client, lima_library):
    _response, graph = catalogue(client)
    downloads = {str(graph.value(d, ns.DCAT.downloadURL)): str(graph.value(d, ns.DCAT.mediaType))
                 for d in graph.objects(LIBRARIES, ns.DCAT.distribution) if graph.value(d, ns.DCAT.downloadURL)}
    iana = "https://www.iana.org/assignments/media-types/"
    assert downloads == {
        "http://testserver/es/registry/libraries/?export=csv": iana + "text/csv",
        "http://testserver/es/registry/libraries/?export=xlsx":
            iana + "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "http://testserver/es/registry/libraries/?export=json": iana + "application/json",
        "http://testserver/es/registry/libraries/?export=geojson": iana + "application/geo+json",
    }
    # Each address answers the file it says.
    for url, media_type in downloads.items():
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200
        assert response["Content-Type"].split(";")[0] == media_type.removeprefix(iana)


def test_the_library_protocols_and_the_api_are_data_services_of_the_union_catalog(client):
    _response, graph = catalogue(client)
    services = {str(graph.value(s, ns.DCAT.endpointURL)): s for s in graph.subjects(ns.RDF.type, ns.DCAT.DataService)}
    assert set(services) == {"http://testserver/api/v1/", "http://testserver/sru", "http://testserver/oai"}
    union = URIRef(BASE + "#union-catalog")
    for endpoint in services.values():
        assert (endpoint, ns.DCAT.servesDataset, union) in graph
    assert (services["http://testserver/oai"], ns.DCTERMS.conformsTo,
            URIRef("http://www.openarchives.org/OAI/2.0/")) in graph


def test_dates_and_years_come_from_the_data(client, lima_library):
    _response, graph = catalogue(client)
    assert str(graph.value(LIBRARIES, ns.DCTERMS.modified)).startswith(
        lima_library.updated.replace(microsecond=0).isoformat()[:19])
    statistics = URIRef(BASE + "#statistics")
    period = graph.value(statistics, ns.DCTERMS.temporal)
    from sirbi.stats.models import Value
    years = sorted(Value.objects.published().values_list("year", flat=True))
    assert (int(str(graph.value(period, ns.DCAT.startDate))), int(str(graph.value(period, ns.DCAT.endDate)))) == (
        years[0], years[-1])
    # An indicator covers the countries that have published figures of it (and of its numerator, if derived).
    covered = {c.alpha3 for c in Country.objects.filter(stat_values__indicator__code="visits",
                                                        stat_values__status="published", is_member=True)}
    for key in ("visits", "visits_per_capita"):
        spatial = {str(c).rsplit("/", 1)[1] for c in graph.objects(URIRef(BASE + f"#indicator-{key}"),
                                                                   ns.DCTERMS.spatial)}
        assert spatial == covered and 0 < len(covered) < 21


@pytest.mark.parametrize("fmt, media_type", [("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml")])
def test_the_same_catalogue_reads_as_json_ld_and_rdf_xml(client, fmt, media_type):
    _response, turtle = catalogue(client)
    response, graph = catalogue(client, fmt)
    assert response["Content-Type"] == f"{media_type}; charset=utf-8"
    assert len(graph) == len(turtle)
    if fmt == "jsonld":
        assert "@context" in json.loads(response.content)


def test_the_bare_address_answers_the_format_the_client_asks_for(client):
    response, graph = catalogue(client, None, HTTP_ACCEPT="application/rdf+xml")
    assert response["Content-Type"].startswith("application/rdf+xml") and "Accept" in response["Vary"]
    assert (CATALOGUE, ns.RDF.type, ns.DCAT.Catalog) in graph
    assert client.get("/opendata/catalog", HTTP_ACCEPT="text/html")["Content-Type"].startswith("text/turtle")
    assert client.get("/opendata/catalog.pdf").status_code == 404


def test_the_open_data_page_links_the_catalogue(client):
    page = client.get("/en/open-data/").content.decode()
    assert 'href="/opendata/catalog.ttl"' in page and 'href="/opendata/catalog.jsonld"' in page


def test_the_shapes_would_see_a_dataset_without_a_title_or_a_catalogue_without_publisher(client):
    """The check above is not vacuous: the shapes find what DCAT-AP requires when it is missing."""
    _response, graph = catalogue(client)
    graph.remove((LIBRARIES, ns.DCTERMS.title, None))
    graph.remove((CATALOGUE, ns.DCTERMS.publisher, None))
    conforms, results, _text = pyshacl.validate(graph, shacl_graph=shapes())
    assert not conforms
    focus = {str(node) for node in results.objects(None, ns.SH.focusNode)}
    assert {str(LIBRARIES), str(CATALOGUE)} <= focus


def test_the_catalogue_is_kept_for_visitors_until_the_next_write(settings, lima_library, secretary,
                                                               django_assert_num_queries):
    """A harvester's second visit costs no query; a change to the registry shows in the next one."""
    import datetime

    from django.test import Client

    from sirbi.core.changelog import save_object
    from sirbi.registry.models import Library

    settings.PAGE_CACHE_SECONDS = 600
    Library.objects.update(updated=datetime.datetime(2020, 1, 2, tzinfo=datetime.UTC))
    first = Client().get("/opendata/catalog.ttl").content
    with django_assert_num_queries(0):
        assert Client().get("/opendata/catalog.ttl").content == first
    _response, graph = catalogue(Client())
    assert str(graph.value(LIBRARIES, ns.DCTERMS.modified)) == "2020-01-02T00:00:00+00:00"
    lima_library.name = "Biblioteca Metropolitana de Lima"
    save_object(lima_library, user=secretary)
    _response, graph = catalogue(Client())
    assert str(graph.value(LIBRARIES, ns.DCTERMS.modified))[:19] == lima_library.updated.isoformat()[:19]
