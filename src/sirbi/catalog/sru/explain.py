"""explain: what this server is and speaks, as a ZeeRex record (the explain schema of SRU 1.2 and 2.0): where it
answers, the catalog's title in our three languages, the context sets and indexes with their relations, the record
schemas, and the limits (default and maximum number of records, sort keys)."""

from urllib.parse import urlsplit

from lxml import etree

from . import cql, scan, search_retrieve
from .diagnostics import Diagnostic
from .protocol import add_diagnostics, add_record, response

ZEEREX = "http://explain.z3950.org/dtd/2.0/"
TITLES = {"en": "SIRBI union catalog", "es": "Catálogo colectivo SIRBI", "pt": "Catálogo coletivo SIRBI"}
DESCRIPTIONS = {
    "en": "The union catalog of the Ibero-American network of national public and school library networks: one "
          "record per edition, with every library that holds it (852 $a: the library's ISIL).",
    "es": "El catálogo colectivo de la red iberoamericana de redes nacionales de bibliotecas públicas y escolares: "
          "un registro por edición, con cada biblioteca que lo tiene (852 $a: el ISIL de la biblioteca).",
    "pt": "O catálogo coletivo da rede ibero-americana de redes nacionais de bibliotecas públicas e escolares: um "
          "registro por edição, com cada biblioteca que o possui (852 $a: o ISIL da biblioteca).",
}
INDEX_TITLES = {"serverchoice": "any field", "keywords": "any field", "allindexes": "any field",
                "allrecords": "every record", "title": "title", "creator": "author", "author": "author",
                "subject": "subject", "publisher": "publisher", "date": "year of publication",
                "language": "language (MARC code)", "isbn": "ISBN", "issn": "ISSN", "id": "record number",
                "country": "country holding a copy (ISO 3166-1)", "network": "network holding a copy (its code)",
                "library": "library holding a copy (ISIL)"}
SCHEMA_TITLES = {search_retrieve.MARCXML: ("marcxml", "MARCXML (MARC 21 slim), every holding in 852"),
                 search_retrieve.DC: ("dc", "Simple Dublin Core")}


def _zeerex(request, base_url):
    address = urlsplit(base_url)
    root = etree.Element(f"{{{ZEEREX}}}explain", nsmap={None: ZEEREX})

    def sub(parent, tag, text=None, **attributes):
        node = etree.SubElement(parent, f"{{{ZEEREX}}}{tag}", {k: str(v) for k, v in attributes.items()})
        if text is not None:
            node.text = str(text)
        return node

    server = sub(root, "serverInfo", protocol="SRU", version=request.version.number, transport=address.scheme,
                 method="GET POST")
    sub(server, "host", address.hostname or "localhost")
    sub(server, "port", address.port or (443 if address.scheme == "https" else 80))
    sub(server, "database", address.path.lstrip("/") or "sru")
    database = sub(root, "databaseInfo")
    for language, title in TITLES.items():
        sub(database, "title", title, lang=language, **({"primary": "true"} if language == "en" else {}))
    for language, description in DESCRIPTIONS.items():
        sub(database, "description", description, lang=language, **({"primary": "true"} if language == "en" else {}))
    indexes = sub(root, "indexInfo")
    for name, identifier in cql.CONTEXT_SETS.items():
        sub(indexes, "set", identifier=identifier, name=name)
    for (context, name), (kind, field) in cql.INDEXES.items():
        index = sub(indexes, "index", search="true", scan="true" if kind == "text" and field in scan.SCANNABLE
                    else "false", sort="true" if name in cql.SORT_INDEXES else "false")
        sub(index, "title", INDEX_TITLES.get(name, name), lang="en")
        sub(sub(index, "map"), "name", name, set=context)
        config = sub(index, "configInfo")
        for relation in sorted(cql.RELATIONS[kind] - {"scr"}):
            sub(config, "supports", relation, type="relation")
    schemas = sub(root, "schemaInfo")
    for identifier, (name, title) in SCHEMA_TITLES.items():
        sub(sub(schemas, "schema", identifier=identifier, name=name, retrieve="true", sort="false"), "title",
            title, lang="en")
    config = sub(root, "configInfo")
    sub(config, "default", search_retrieve.DEFAULT_RECORDS, type="numberOfRecords")
    sub(config, "setting", search_retrieve.MAX_RECORDS, type="maximumRecords")
    sub(config, "default", "marcxml", type="retrieveSchema")
    sub(config, "default", "cql.serverChoice", type="index")
    sub(config, "default", "=", type="relation")
    sub(config, "setting", scan.MAX_TERMS, type="maximumTerms")
    for boolean in ("and", "or", "not", "prox"):
        sub(config, "supports", boolean, type="booleanModifier" if boolean == "prox" else "boolean")
    sub(config, "supports", "sortBy dc.title dc.date (sort.ascending, sort.descending)", type="sort")
    sub(config, "supports", "*?", type="maskingCharacter")
    return root


def explain(request, base_url):
    """The explainResponse element for a request."""
    version, namespace = request.version, request.version.response
    root = response(version, namespace, "explainResponse")
    diagnostics = list(request.warnings)
    escaping = "xml"
    try:
        escaping = request.escaping()
    except Diagnostic as diagnostic:  # the record comes unescaped, and the answer says why
        diagnostics.append(diagnostic)
    add_record(root, version, ZEEREX, _zeerex(request, base_url), escaping)
    add_diagnostics(root, namespace, version, diagnostics)
    return root
