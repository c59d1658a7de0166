"""OAI-PMH harvest, records per second: a full ListRecords harvest (marc21) of the union catalog through the
provider at /oai, page by page with its resumption tokens, against the bare cost of the records themselves in the
same run; then the round trip's counts: `sirbi harvest` copies the catalog over HTTP into a second, empty instance.

The records: the first --records (default 100,000) Library of Congress records of catalog_ingest.py's file (the
same loading, downloaded once), imported into one library's source, so 100,000 records make about as many
clusters, each with its copy in 852.

Ours: every page of `GET /oai?verb=ListRecords&metadataPrefix=marc21` (then `resumptionToken=…`) through the whole
Django stack (django.test.Client: URL routing, middleware, the view, the response; no socket), DEBUG off. Peer:
`records.load` + `cluster_marc` + `marcxml` of the same clusters in pages of the same size, nothing else (what
any provider serving our records must at least do). Target (issue #16): at least 2,000 records/s.

Round trip (skip with --no-round-trip): the provider served over HTTP by wsgiref in a thread, a second instance
in its own process and SQLite database (tests/catalog/oai_second_instance.py: migrate, the same library, an OAI-PMH
source for this provider, `sirbi harvest`), and the clusters and copies each side counts.

Run from the repository root: `.venv/bin/python benchmarks/oai_harvest.py [--records N] [--no-round-trip]`.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import _setup
from catalog_ingest import lc_records

ROOT = Path(__file__).resolve().parents[1]
TARGET = 2000
TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]*)</resumptionToken>")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def harvest_pages(client):
    """(records, pages) of a full ListRecords harvest through the view. The answers are counted, not parsed: the
    figure is the provider's (a harvester's own parsing is its business)."""
    params, count, pages = {"verb": "ListRecords", "metadataPrefix": "marc21"}, 0, 0
    while True:
        body = client.get("/oai", params).content
        count += body.count(b"<record><header")
        pages += 1
        token = TOKEN.search(body)
        if token is None or not token.group(1):
            return count, pages
        params = {"verb": "ListRecords", "resumptionToken": token.group(1).decode()}


def bare_records(page):
    from sirbi.catalog import records
    from sirbi.catalog.models import Cluster

    ids, count = list(Cluster.objects.order_by("updated", "pk").values_list("pk", flat=True)), 0
    for start in range(0, len(ids), page):
        for item in records.load(ids[start:start + page]).values():
            records.marcxml(records.cluster_marc(item))
            count += 1
    return count


def round_trip(library):
    """The second instance's clusters and copies after `sirbi harvest` of this provider over HTTP."""
    from django.core.wsgi import get_wsgi_application

    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with tempfile.TemporaryDirectory(prefix="sirbi-oai-second-") as second:
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{second}/second.sqlite3", "VAR_DIR": second,
                   "CATALOG_INDEX_DIR": f"{second}/index", "HARVEST_ALLOWED_HOSTS": "localhost,127.0.0.1",
                   "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "tests.catalog.oai_second_instance",
                                   f"http://localhost:{server.server_port}/oai", json.dumps([library])],
                                  capture_output=True, text=True, cwd=ROOT, env=env)
            if done.returncode:
                _setup.fail(f"the second instance failed: {done.stderr[-2000:]}")
            clusters = json.loads(done.stdout.strip().splitlines()[-1])
            return len(clusters), sum(len(c["copies"]) for c in clusters), time.perf_counter() - started
    finally:
        server.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--no-round-trip", action="store_true")
    args = parser.parse_args()
    data, count = lc_records(args.records)
    _setup.start("oai")
    from django.conf import settings
    from django.test import Client

    from sirbi.catalog.ingest import import_file
    from sirbi.catalog.models import Cluster, Holding, Source
    from sirbi.catalog.oai import verbs
    from sirbi.registry.models import Country, Library

    library = Library.objects.create(name="Biblioteca Nacional (benchmark)", isil="PE-BENCH",
                                     country=Country.objects.get(code="PE"), type="national")
    import_file(Source.objects.create(code="lc", name="LC", library=library), data, "lc.mrc")
    clusters, copies = Cluster.objects.count(), Holding.objects.count()
    settings.DEBUG = False  # no query log while timing
    client = Client()
    started, cpu = time.perf_counter(), time.process_time()
    harvested, pages = harvest_pages(client)
    ours, ours_cpu = time.perf_counter() - started, time.process_time() - cpu
    if harvested != clusters:
        _setup.fail(f"harvested {harvested} records of {clusters} clusters")
    started = time.perf_counter()
    bare = bare_records(verbs.PAGE)
    peer = time.perf_counter() - started
    print(f"oai_harvest: {clusters:,} clusters ({count:,} LC records, {copies:,} copies) ({_setup.environment()})")
    print(f"peer  records.load + MARCXML, no protocol: {peer:6.1f} s  {bare / peer:7,.0f} records/s")
    rate = harvested / ours
    verdict = "met" if rate >= TARGET else "NOT met"
    print(f"ours  ListRecords marc21, {pages} pages:    {ours:6.1f} s  {rate:7,.0f} records/s  (CPU {ours_cpu:.1f} s)  "
          f"ours/peer time {ours / peer:.2f}x  target >= {TARGET:,} records/s: {verdict}")
    if not args.no_round_trip:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
        second_clusters, second_copies, seconds = round_trip([library.isil, library.name, "PE"])
        same = second_clusters == clusters and second_copies == copies
        print(f"round trip: sirbi harvest into an empty instance in {seconds:.1f} s: clusters {second_clusters:,} of "
              f"{clusters:,}, copies {second_copies:,} of {copies:,}: {'the same' if same else 'DIFFERENT'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
