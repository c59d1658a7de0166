"""One SRU request in, one XML answer out: the operation dispatched in the version asked, and any failure, ours
included, answered as a standard diagnostic (a client always gets SRU, never an HTTP error page)."""

import logging

from ..search import QueryError, backend
from .diagnostics import Diagnostic
from .explain import explain
from .protocol import add_diagnostics, element, read_request, response, serialize
from .scan import scan
from .search_retrieve import search_retrieve

log = logging.getLogger(__name__)


def answer(params, base_url, engine=None):
    """The XML bytes answering an SRU request (`params`: its parameters as a dict of strings)."""
    request, fatal = read_request(params)
    try:
        if fatal is None:
            if request.operation == "explain":
                return serialize(explain(request, base_url))
            if request.operation == "scan":
                return serialize(scan(request, engine or backend()))
            return serialize(search_retrieve(request, engine or backend()))
    except QueryError as exc:  # the engine refused a query the CQL walk let through
        fatal = Diagnostic(10, str(exc))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # Tantivy's panics come as pyo3's PanicException, outside Exception
        log.exception("SRU request failed: %s", params)
        fatal = Diagnostic(1, "the server could not answer; the error is logged")
    namespace = request.version.scan if request.operation == "scan" else request.version.response
    root = response(request.version, namespace,
                    "scanResponse" if request.operation == "scan" else "searchRetrieveResponse")
    if request.operation != "scan":
        element(namespace, "numberOfRecords", root, 0)
    add_diagnostics(root, namespace, request.version, [fatal])
    return serialize(root)
