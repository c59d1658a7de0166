"""The platform's open data as a DCAT-AP 3.0 catalogue (an rdflib graph), for open-data portals and aggregators.

Plain rdflib over the descriptions of portal/datasets.py; no Django. Controlled vocabularies are those DCAT-AP
names: the EU Publications Office authorities for countries (spatial coverage, ISO 3166-1 alpha-3 codes),
languages, the licence, file types and data themes, and IANA media types. DCAT-AP's shapes check the class of
every object (a licence must be a dct:LicenseDocument, a country a dct:Location, a theme a skos:Concept with a
label, even an address an rdfs:Resource), and a harvester need not infer those types: each is stated here, and
labelled where the shapes ask for a label.
"""

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

EU = "http://publications.europa.eu/resource/authority/"
COUNTRY = Namespace(EU + "country/")
LANGUAGE = Namespace(EU + "language/")
FILE_TYPE = Namespace(EU + "file-type/")
THEME = Namespace(EU + "data-theme/")
THEMES = URIRef(EU + "data-theme")
LICENCE = URIRef(EU + "licence/CC_BY_4_0")
MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
LANGUAGE_CODES = {"es": "SPA", "pt": "POR", "en": "ENG"}
FILE_TYPES = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON", "geojson": "GEOJSON", "marcxml": "XML"}

# The labels of the data themes used, as the EU vocabulary gives them (its own words, not ours to translate).
THEME_LABELS = {
    "EDUC": {"es": "Educación, cultura y deporte", "pt": "Educação, cultura e desporto",
             "en": "Education, culture and sport"},
    "SOCI": {"es": "Población y sociedad", "pt": "População e sociedade", "en": "Population and society"},
    "GOVE": {"es": "Gobierno y sector público", "pt": "Governo e setor público",
             "en": "Government and public sector"},
}
FORMATS = {"ttl": ("turtle", "text/turtle"), "jsonld": ("json-ld", "application/ld+json"),
           "rdf": ("xml", "application/rdf+xml")}


def _texts(graph, subject, predicate, texts):
    for language, text in texts.items():
        graph.add((subject, predicate, Literal(text, lang=language)))


def _date(graph, subject, predicate, moment):
    if moment is not None:
        graph.add((subject, predicate, Literal(moment.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)))


class _Writer:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.graph = Graph()
        for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("skos", SKOS)):
            self.graph.bind(prefix, namespace)
        self.catalogue = URIRef(self.base + "/opendata/catalog")

    def url(self, path):
        return URIRef(self.base + path)

    def node(self, key):
        return URIRef(f"{self.catalogue}#{key}")

    def typed(self, subject, *classes):
        for cls in classes:
            self.graph.add((subject, RDF.type, cls))
        return subject

    def document(self, path):
        return self.typed(self.url(path), FOAF.Document)

    def country(self, alpha3):
        return self.typed(COUNTRY[alpha3], DCTERMS.Location)

    def theme(self, code):
        concept = self.typed(THEME[code], SKOS.Concept)
        _texts(self.graph, concept, SKOS.prefLabel, THEME_LABELS[code])
        self.graph.add((concept, SKOS.inScheme, THEMES))
        return concept

    def media(self, fmt, media_type):
        self.typed(URIRef(MEDIA_TYPE + media_type), DCTERMS.MediaType)
        self.typed(FILE_TYPE[FILE_TYPES[fmt]], DCTERMS.MediaTypeOrExtent)
        return URIRef(MEDIA_TYPE + media_type), FILE_TYPE[FILE_TYPES[fmt]]


def catalogue_graph(base, title, description, publisher, datasets, services, homepage):
    """The DCAT-AP graph: `base` is the site's address (scheme and host), titles and descriptions are
    {language: text}, `publisher` is {"name": {language: text}, "homepage": url}, paths are the site's."""
    w = _Writer(base)
    g = w.graph
    catalogue = w.typed(w.catalogue, DCAT.Catalog)
    _texts(g, catalogue, DCTERMS.title, title)
    _texts(g, catalogue, DCTERMS.description, description)
    agent = w.typed(w.node("publisher"), FOAF.Agent, FOAF.Organization)
    _texts(g, agent, FOAF.name, publisher["name"])
    g.add((agent, FOAF.homepage, w.typed(URIRef(publisher["homepage"]), FOAF.Document)))
    g.add((catalogue, DCTERMS.publisher, agent))
    g.add((catalogue, FOAF.homepage, w.document(homepage)))
    g.add((catalogue, DCTERMS.license, w.typed(LICENCE, DCTERMS.LicenseDocument)))
    for language in title:
        g.add((catalogue, DCTERMS.language, w.typed(LANGUAGE[LANGUAGE_CODES[language]], DCTERMS.LinguisticSystem)))
    scheme = w.typed(THEMES, SKOS.ConceptScheme)
    g.add((scheme, DCTERMS.title, Literal("Data theme", lang="en")))
    g.add((catalogue, DCAT.themeTaxonomy, scheme))
    covered = sorted({country.alpha3 for dataset in datasets for country in dataset.countries})
    for alpha3 in covered:
        g.add((catalogue, DCTERMS.spatial, w.country(alpha3)))
    changes = [dataset.modified for dataset in datasets if dataset.modified]
    _date(g, catalogue, DCTERMS.modified, max(changes) if changes else None)

    for service in services:
        node = w.typed(w.node(service.key), DCAT.DataService)
        _texts(g, node, DCTERMS.title, service.title)
        _texts(g, node, DCTERMS.description, service.description)
        g.add((node, DCAT.endpointURL, w.typed(w.url(service.endpoint), RDFS.Resource)))
        g.add((node, DCAT.endpointDescription, w.typed(w.url(service.description_url), RDFS.Resource)))
        g.add((node, DCTERMS.conformsTo, w.typed(URIRef(service.standard), DCTERMS.Standard)))
        g.add((node, DCTERMS.publisher, agent))
        g.add((node, DCTERMS.license, LICENCE))
        for key in service.serves:
            g.add((node, DCAT.servesDataset, w.node(key)))
        g.add((catalogue, DCAT.service, node))

    for dataset in datasets:
        node = w.typed(w.node(dataset.key), DCAT.Dataset)
        g.add((catalogue, DCAT.dataset, node))
        g.add((node, DCTERMS.identifier, Literal(str(node))))
        _texts(g, node, DCTERMS.title, dataset.title)
        _texts(g, node, DCTERMS.description, dataset.description)
        _texts(g, node, DCAT.keyword, dataset.keywords)
        g.add((node, DCTERMS.publisher, agent))
        g.add((node, DCAT.landingPage, w.document(dataset.page)))
        for code in dataset.themes:
            g.add((node, DCAT.theme, w.theme(code)))
        for country in dataset.countries:
            g.add((node, DCTERMS.spatial, w.country(country.alpha3)))
        _date(g, node, DCTERMS.modified, dataset.modified)
        if dataset.years:
            period = w.typed(BNode(), DCTERMS.PeriodOfTime)
            g.add((period, DCAT.startDate, Literal(str(dataset.years[0]), datatype=XSD.gYear)))
            g.add((period, DCAT.endDate, Literal(str(dataset.years[1]), datatype=XSD.gYear)))
            g.add((node, DCTERMS.temporal, period))
        for number, distribution in enumerate(dataset.distributions, 1):
            g.add((node, DCAT.distribution, _distribution(w, dataset, number, distribution)))
    return g



def _distribution(w, dataset, number, distribution):
    g = w.graph
    node = w.typed(w.node(f"{dataset.key}-{number}"), DCAT.Distribution)
    address = w.typed(w.url(distribution.url), RDFS.Resource)
    g.add((node, DCAT.accessURL, address))
    if distribution.service:
        g.add((node, DCAT.accessService, w.node(distribution.service)))
    else:
        g.add((node, DCAT.downloadURL, address))
    media_type, file_type = w.media(distribution.fmt, distribution.media_type)
    g.add((node, DCAT.mediaType, media_type))
    g.add((node, DCTERMS.format, file_type))
    g.add((node, DCTERMS.license, LICENCE))
    g.add((node, DCTERMS.title, Literal(distribution.fmt.upper())))
    _date(g, node, DCTERMS.modified, dataset.modified)
    return node


def serialise(graph, fmt):
    """The graph as Turtle, JSON-LD or RDF/XML (fmt: ttl, jsonld, rdf) and its media type."""
    name, media_type = FORMATS[fmt]
    if name == "json-ld":
        context = {prefix: str(namespace) for prefix, namespace in graph.namespaces()
                   if prefix in ("dcat", "dct", "foaf", "skos", "xsd", "rdf")}
        return graph.serialize(format=name, context=context, auto_compact=True), media_type
    return graph.serialize(format=name), media_type
