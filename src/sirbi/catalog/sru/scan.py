"""scan: the words of a text index around a term, each with the number of clusters holding it (a browse of
titles, authors or subjects, as a cataloguer's client shows it before searching)."""

from . import cql
from .diagnostics import Diagnostic
from .protocol import add_diagnostics, element, response

DEFAULT_TERMS = 20
MAX_TERMS = 100
SCANNABLE = {"title", "author", "subject", "publisher"}


def scan(request, engine):
    """The scanResponse element for a request."""
    version, namespace = request.version, request.version.scan
    root = response(version, namespace, "scanResponse")
    diagnostics = list(request.warnings)
    try:
        maximum = request.number("maximumTerms", DEFAULT_TERMS, low=1)
        if maximum > MAX_TERMS:
            raise Diagnostic(121, MAX_TERMS)
        position = request.number("responsePosition", 1)
        if position > maximum + 1:
            raise Diagnostic(120, position)
        field, term = cql.scan_clause(request.get("scanClause"))
        if field not in SCANNABLE:
            raise Diagnostic(16, request.get("scanClause"))
        before = max(position - 1, 0)
        below, above = engine.browse(field, term, before=before, after=maximum - before)
    except Diagnostic as diagnostic:
        add_diagnostics(root, namespace, version, [*diagnostics, diagnostic])
        return root
    terms = below + above
    if terms:
        holder = element(namespace, "terms", root)
        for value, count in terms:
            item = element(namespace, "term", holder)
            element(namespace, "value", item, value)
            element(namespace, "numberOfRecords", item, count)
    add_diagnostics(root, namespace, version, diagnostics)
    return root
