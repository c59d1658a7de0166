"""The official schemas of the standards we speak, read from the shared folder beside the repository.

The brief keeps them in `../shared/standards/` (relative to the project root) and asks that they are not copied
in. Several import others by absolute address (SRU 2.0's response imports its diagnostics, scan and XCQL schemas
from docs.oasis-open.org; simple Dublin Core imports the W3C's xml.xsd): those addresses are mapped to the local
files here, so validation never touches the network (xmlschema carries xml.xsd itself).
"""

import os
from functools import cache
from pathlib import Path

import xmlschema
from defusedxml import ElementTree

# SIRBI_STANDARDS names another place (a git worktree lies elsewhere than beside the repository).
STANDARDS = Path(os.environ.get("SIRBI_STANDARDS")
                 or Path(__file__).resolve().parents[1].parent / "shared" / "standards")

# Namespaces imported by absolute location, and the local file that holds each.
_LOCAL = {
    "http://docs.oasis-open.org/ns/search-ws/diagnostic": "diagnostic.xsd",
    "http://docs.oasis-open.org/ns/search-ws/facetedResults": "facetedResults.xsd",
    "http://docs.oasis-open.org/ns/search-ws/searchResultAnalysis": "searchResultAnalysis.xsd",
    "http://docs.oasis-open.org/ns/search-ws/xcql": "xcql.xsd",
    "http://docs.oasis-open.org/ns/search-ws/scan": "scan.xsd",
    "http://purl.org/dc/elements/1.1/": "simpledc20021212.xsd",
    # What OAI-PMH's <metadata> holds, validated strictly by OAI-PMH.xsd (its wildcard needs their schemas).
    "http://www.loc.gov/MARC21/slim": "MARC21slim.xsd",
    "http://www.openarchives.org/OAI/2.0/oai_dc/": "oai_dc.xsd",
}


@cache
def schema(name):
    """The XMLSchema of `name` (a file of the shared standards folder), with its imports read locally."""
    locations = [(namespace, str(STANDARDS / path)) for namespace, path in _LOCAL.items()]
    # allow="local": local files only, never the network.
    return xmlschema.XMLSchema(str(STANDARDS / name), locations=locations, allow="local")


def assert_valid(name, xml):
    """Fail with the schema's own message when `xml` (text, bytes or an element) does not validate."""
    if isinstance(xml, bytes | str):
        xml = ElementTree.fromstring(xml)  # parsed here, safely: the schemas' sandbox refuses a bare string
    errors = list(schema(name).iter_errors(xml))
    assert not errors, f"{name}: {errors[0]}"
