"""A real OAI-PMH data provider for the harvest tests: pyoai's server (an implementation this project did not
write) over a list of MARCXML records, served on 127.0.0.1 by wsgiref in a thread, with resumption tokens
every `batch` records, deletions and datestamps. Tests change `records` between harvests.

Also a way to try a harvest by hand: `.venv/bin/python -m tests.catalog.oai_server [--port 8800] [FILE.mrc]`
serves the records of a MARC file (default: the demo's 600 LC records) as marc21 and oai_dc until Ctrl-C; the
platform harvests it when started with HARVEST_ALLOWED_HOSTS=127.0.0.1 (harvests refuse internal addresses)."""

import cgi
import threading
from datetime import datetime
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from lxml import etree
from oaipmh import common, metadata, server

MARC_NS = "http://www.loc.gov/MARC21/slim"

# pyoai 2.5 decodes resumption tokens with cgi.parse_qs, which Python 3.8 removed (urllib.parse has it).
if not hasattr(cgi, "parse_qs"):
    cgi.parse_qs = parse_qs


class Item:
    """A record the provider serves: MARCXML for marc21, a Dublin Core map ({element: [values]}) for oai_dc,
    written by pyoai's own oai_dc writer."""

    def __init__(self, identifier, xml, datestamp, deleted=False, dc=None):
        self.identifier, self.xml, self.deleted, self.dc = identifier, xml, deleted, dc or {}
        self.datestamp = datestamp

    def getMap(self):  # noqa: N802 (pyoai's name)
        return self.dc

    @property
    def datestamp(self):
        return self._datestamp

    @datestamp.setter
    def datestamp(self, value):
        self._datestamp = value.replace(tzinfo=None)  # pyoai works in naive UTC


class Provider:
    """pyoai's IOAI interface over `items`."""

    def __init__(self, base_url):
        self.items = []
        self.base_url = base_url

    def identify(self):
        return common.Identify("SIRBI test provider", self.base_url, "2.0", ["test@example.org"],
                               datetime(2000, 1, 1), "persistent", "YYYY-MM-DDThh:mm:ssZ", ["identity"],
                               toolkit_description=False)

    def listMetadataFormats(self, identifier=None):
        return [("marc21", "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd", MARC_NS),
                ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", server.NS_OAIDC)]

    def _selected(self, from_=None, until=None):
        return [i for i in self.items if (from_ is None or i.datestamp >= from_)
                and (until is None or i.datestamp <= until)]

    def listRecords(self, metadataPrefix, set=None, from_=None, until=None):
        return [(common.Header(None, i.identifier, i.datestamp, [], i.deleted), None if i.deleted else i, None)
                for i in self._selected(from_, until)]

    def listIdentifiers(self, metadataPrefix, set=None, from_=None, until=None):
        return [common.Header(None, i.identifier, i.datestamp, [], i.deleted) for i in self._selected(from_, until)]

    def getRecord(self, metadataPrefix, identifier):
        item = next(i for i in self.items if i.identifier == identifier)
        return common.Header(None, item.identifier, item.datestamp, [], item.deleted), item, None

    def listSets(self):
        return []


def _write_marc(element, item):
    element.append(etree.fromstring(item.xml))


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class TestOAIServer:
    __test__ = False  # a helper, not a test class

    def __init__(self, batch=5, port=0):
        self.httpd = make_server("127.0.0.1", port, self.app, handler_class=Quiet)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/oai"
        self.provider = Provider(self.url)
        registry = metadata.MetadataRegistry()
        registry.registerWriter("marc21", _write_marc)
        registry.registerWriter("oai_dc", server.oai_dc_writer)
        self.server = server.Server(self.provider, registry, nsmap={"marc": MARC_NS}, resumption_batch_size=batch)
        self.requests = []
        self.fail_next = 0  # answer this many requests with HTTP 503 before serving again
        self.body = None  # when set, answer every request with these bytes (a broken endpoint)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def app(self, environ, start_response):
        params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        self.requests.append(params)
        if self.fail_next:
            self.fail_next -= 1
            start_response("503 Service Unavailable", [("Retry-After", "0"), ("Content-Type", "text/plain")])
            return [b"busy"]
        body = self.body if self.body is not None else self.server.handleRequest(params)
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
        return [body]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def main():
    import argparse
    import time
    from pathlib import Path

    import pymarc

    default = Path(__file__).resolve().parents[2] / "src" / "sirbi" / "catalog" / "data" / "lc-spa-por-sample.mrc"
    parser = argparse.ArgumentParser(description="A local OAI-PMH data provider (pyoai) over a MARC file.")
    parser.add_argument("file", nargs="?", default=str(default))
    parser.add_argument("--port", type=int, default=8800)
    parser.add_argument("--batch", type=int, default=100, help="records per response page")
    args = parser.parse_args()
    oai = TestOAIServer(batch=args.batch, port=args.port)
    start = datetime(2026, 1, 1)
    with open(args.file, "rb") as handle:
        for n, record in enumerate(r for r in pymarc.MARCReader(handle, to_unicode=True, permissive=True) if r):
            dc = {"title": [record.title or ""], "creator": [f.value() for f in record.get_fields("100", "700")],
                  "identifier": [record["001"].data if record["001"] else f"record-{n}"]}
            oai.provider.items.append(Item(f"oai:local:{n}", pymarc.record_to_xml(record, namespace=True),
                                           start.replace(minute=n % 60, hour=n // 60 % 24), dc=dc))
    print(f"OAI-PMH base URL: {oai.url} ({len(oai.provider.items)} records, {args.batch} per page); Ctrl-C stops it")
    print("Run the platform with HARVEST_ALLOWED_HOSTS=127.0.0.1 to harvest it (internal addresses are refused).")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        oai.stop()


if __name__ == "__main__":
    main()

