"""What an SRU request asks (operation, version, parameters) and the envelope each version answers in.

SRU 1.2 names the operation and the version in every request (`operation=searchRetrieve&version=1.2`) and
answers in the http://www.loc.gov/zing/srw/ namespace. SRU 2.0 (OASIS searchRetrieve 1.0) drops both from the
request (a `query` means searchRetrieve, a `scanClause` means scan, nothing means explain; clients such as
yaz-client still send them, and they are honoured) and answers in the OASIS namespaces, without `version`, with
`recordXMLEscaping` where 1.2 had `recordPacking`. A request without `version` is answered in 2.0.
"""

from dataclasses import dataclass, field

from lxml import etree

from .diagnostics import Diagnostic

OPERATIONS = ("explain", "searchRetrieve", "scan")
# Records are XML this server wrote itself (pymarc's MARCXML, our Dublin Core); parsed without entities anyway.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class Version:
    number: str
    response: str  # namespace of the searchRetrieve and explain responses
    diagnostic: str
    scan: str  # namespace of the scan response
    escaping: str  # the parameter (and record element) saying whether a record is XML or an escaped string


V12 = Version("1.2", "http://www.loc.gov/zing/srw/", "http://www.loc.gov/zing/srw/diagnostic/",
              "http://www.loc.gov/zing/srw/", "recordPacking")
V20 = Version("2.0", "http://docs.oasis-open.org/ns/search-ws/sruResponse",
              "http://docs.oasis-open.org/ns/search-ws/diagnostic", "http://docs.oasis-open.org/ns/search-ws/scan",
              "recordXMLEscaping")
VERSIONS = {"1.1": V12, "1.2": V12, "2.0": V20}
PREFIXES = {V12.response: "srw", V12.diagnostic: "diag", V20.response: "sru", V20.diagnostic: "diag",
            V20.scan: "scan"}


@dataclass
class Request:
    operation: str
    version: Version
    params: dict
    warnings: list = field(default_factory=list)  # non-fatal diagnostics to send with the answer

    def get(self, name, default=None):
        return self.params.get(name, default)

    def number(self, name, default, low=0):
        """A whole-number parameter; a value that is not one (or below `low`) is diagnostic 6."""
        value = self.params.get(name)
        if value is None or value == "":
            return default
        if not value.strip().isdigit() or int(value) < low:
            raise Diagnostic(6, name)
        return int(value)

    def escaping(self):
        """"xml" or "string": how records are put in the answer."""
        value = self.params.get(self.version.escaping)
        if value is None and self.version is V20 and self.params.get("recordPacking") in ("xml", "string"):
            value = self.params["recordPacking"]  # 1.2's name for it, which 2.0 clients still send
        value = value or "xml"
        if value not in ("xml", "string"):
            raise Diagnostic(71, value)
        return value


def read_request(params):
    """The Request for these parameters (a dict of strings), and the fatal diagnostic it already carries, if any
    (an unknown version or operation is answered in the default version's envelope)."""
    asked = params.get("version")
    version = VERSIONS.get(asked or "2.0")
    if version is None:
        return Request("searchRetrieve", V20, params), Diagnostic(5, "2.0")
    operation = params.get("operation")
    if not operation:
        operation = "searchRetrieve" if params.get("query") else "scan" if params.get("scanClause") else "explain"
    if operation not in OPERATIONS:
        return Request("searchRetrieve", version, params), Diagnostic(4, operation)
    request = Request(operation, version, params)
    if params.get("stylesheet"):
        request.warnings.append(Diagnostic(110, "stylesheet"))
    return request, None


def element(namespace, name, parent=None, text=None):
    tag = f"{{{namespace}}}{name}"
    node = etree.Element(tag, nsmap={PREFIXES.get(namespace): namespace}) if parent is None \
        else etree.SubElement(parent, tag)
    if text is not None:
        node.text = str(text)
    return node


def response(version, namespace, name):
    """The root of an answer: SRU 1.2 opens each with its version; 2.0 has none."""
    root = element(namespace, name)
    if version is V12:
        element(namespace, "version", root, "1.2")
    return root


def add_diagnostics(parent, namespace, version, diagnostics):
    """A <diagnostics> element (in `namespace`, the response's) with each diagnostic in the version's schema."""
    if not diagnostics:
        return
    holder = element(namespace, "diagnostics", parent)
    for diagnostic in diagnostics:
        item = etree.SubElement(holder, f"{{{version.diagnostic}}}diagnostic", nsmap={"diag": version.diagnostic})
        element(version.diagnostic, "uri", item, diagnostic.uri)
        if diagnostic.details:
            element(version.diagnostic, "details", item, diagnostic.details)
        element(version.diagnostic, "message", item, diagnostic.message)


def add_record(parent, version, schema, data, escaping, position=None):
    """A <record>: the schema's identifier, the packing, the data (an element, or bytes of XML) as XML or as an
    escaped string, and its position in the result."""
    namespace = version.response
    record = element(namespace, "record", parent)
    element(namespace, "recordSchema", record, schema)
    element(namespace, version.escaping, record, escaping)
    holder = element(namespace, "recordData", record)
    if isinstance(data, bytes | str):
        if escaping == "string":
            holder.text = data.decode() if isinstance(data, bytes) else data
        else:
            holder.append(etree.fromstring(data, _PARSER))
    elif escaping == "string":
        holder.text = etree.tostring(data, encoding="unicode")
    else:
        holder.append(data)
    if position is not None:
        element(namespace, "recordPosition", record, position)
    return record


def serialize(root):
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
