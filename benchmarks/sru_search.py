"""SRU searchRetrieve at one million index documents: p50/p95 of 100 CQL queries, each answered with 20 MARCXML
records (every holding in 852), through the SRU server in-process, against Zebra's SRU server (zebrasrv, Index
Data's engine that Koha used) over the same first 100,000 Library of Congress records.

The database: the first --records (100,000) LC records of `BooksAll.2016.part01.utf8` (catalog_ingest.py's file,
downloaded once into benchmarks/.cache/) imported by the catalog's own importer, one copy each at a library.
The index: those clusters' own documents (as the importer indexed them) plus the documents catalog_search.py
builds from the next LC records (its variants and holdings, --copies per record) up to one million; those extra
documents stand in for other clusters of the catalog, so each carries the number of one of the imported clusters
(cyclically) and a hit on one is answered with that cluster's record, loaded and written like any other.

The queries (fixed seed, catalog_search.queries over the imported records) in CQL: words of titles
(cql.serverChoice, `all` for two or three), `dc.creator`, `dc.subject`, phrases (`=`), ISBNs (`bath.isbn`),
OR and NOT. Each is timed once after a warm-up pass.

Ours: `sru.server.answer` (CQL parsed, the search, the 20 clusters loaded from SQLite, MARCXML written, the
response serialised), in-process. Peer: zebrasrv (Debian idzebra-2.0 with its grs.marcxml.marc21 MARC 21 profile)
over the same 100,000 records, the same CQL through its cql2pqf mapping (YAZ's pqf.properties), 20 records as
MARCXML, over HTTP on 127.0.0.1 (so its figure includes a loopback round trip ours does not pay).
Target (issue #16): p95 at most 30 ms in-process.

Run from the repository root: `.venv/bin/python benchmarks/sru_search.py [--records N] [--documents N]`.
"""

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import _setup
from catalog_ingest import ZEBRA_MODULES, lc_records
from catalog_search import documents, normalised, pct, queries, timed

TARGET_MS = 30
YAZ_ETC = Path("/usr/share/yaz/etc")


def cql(query):
    """catalog_search's query (the page's syntax) as CQL."""
    if query.startswith("author:"):
        return f"dc.creator = {query[7:]}"
    if query.startswith("subject:"):
        return f"dc.subject = {query[8:]}"
    if query.startswith('"'):
        return f"cql.serverChoice = {query}"
    if query.replace("-", "").isdigit() or query[:-1].isdigit():
        return f"bath.isbn = {query}"
    words = query.split()
    if "OR" in words or "NOT" in words:
        return query.replace(" OR ", " or ").replace(" NOT ", " not ")
    return query if len(words) == 1 else f'cql.serverChoice all "{query}"'


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_zebra(data, work):
    """zebrasrv serving `data` (ISO 2709) over SRU on a free port; (process, base URL), or None without Zebra."""
    if not (shutil.which("zebraidx") and shutil.which("zebrasrv") and ZEBRA_MODULES.is_dir()
            and (YAZ_ETC / "pqf.properties").exists()):
        return None
    (work / "reg").mkdir()
    (work / "records.mrc").write_bytes(data)
    (work / "zebra.cfg").write_text(
        "profilePath: /usr/share/idzebra-2.0/tab\n"
        f"modulePath: {ZEBRA_MODULES}\n"
        "attset: bib1.att\nattset: explain.att\nrecordType: grs.marcxml.marc21\n"
        f"register: {work / 'reg'}:4G\nlockDir: {work}\nkeyTmpDir: {work}\n")
    subprocess.run(["zebraidx", "-c", str(work / "zebra.cfg"), "-g", "", "update", str(work / "records.mrc")],
                   check=True, capture_output=True)
    subprocess.run(["zebraidx", "-c", str(work / "zebra.cfg"), "commit"], check=True, capture_output=True)
    port = free_port()
    (work / "yazgfs.xml").write_text(
        f'<yazgfs><listen id="public">tcp:127.0.0.1:{port}</listen>'
        f'<server id="server1" listenref="public"><config>{work / "zebra.cfg"}</config>'
        f'<cql2rpn>{YAZ_ETC / "pqf.properties"}</cql2rpn></server></yazgfs>')
    process = subprocess.Popen(["zebrasrv", "-f", str(work / "yazgfs.xml")], stdout=subprocess.DEVNULL,
                               stderr=open(work / "zebrasrv.log", "w"))  # noqa: SIM115 (lives with the process)
    url = f"http://127.0.0.1:{port}/Default"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "?version=1.2&operation=explain", timeout=2).read()
            return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    _setup.fail("zebrasrv did not start: " + (work / "zebrasrv.log").read_text()[-500:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--seed", type=int, default=_setup.SEED)
    parser.add_argument("--profile", action="store_true", help="print where ours spends its time, and stop")
    args = parser.parse_args()
    data, count = lc_records(args.records)
    work = _setup.start("sru")
    from sirbi.catalog.ingest import import_file
    from sirbi.catalog.models import Cluster, Source
    from sirbi.catalog.search import backend
    from sirbi.catalog.sru.server import answer
    from sirbi.core.text import fold
    from sirbi.registry.models import Country, Library

    started = time.perf_counter()
    library = Library.objects.create(name="Biblioteca Nacional del Perú", isil="PE-BNP", country=Country.objects.get(
        code="PE"), type="national")
    import_file(Source.objects.create(code="lc", name="LC", library=library), data, "lc.mrc")
    clusters = list(Cluster.objects.order_by("pk").values_list("pk", flat=True))
    engine = backend()
    indexed = engine.count()
    # catalog_search.py's 250,000 records when they are enough (its cache serves both).
    rows = normalised(max(250_000, args.records + (args.documents - indexed) // args.copies + 1))
    extra = rows[args.records:]
    added = 0
    for document in documents(extra, args.copies, args.seed):
        if indexed + added >= args.documents:
            break
        document["key"] = str(clusters[(int(document["key"]) - 1) % len(clusters)])
        engine.add(document)
        added += 1
    engine.commit()
    print(f"sru_search: {count:,} LC records imported ({len(clusters):,} clusters), {engine.count():,} index "
          f"documents, in {time.perf_counter() - started:.0f} s ({_setup.environment()})")

    asked = [cql(q) for q in queries(rows[:args.records], args.seed, fold)]

    def ours(query):
        body = answer({"version": "2.0", "query": query, "maximumRecords": "20", "recordSchema": "marcxml"},
                      "http://localhost/sru")
        if b"diagnostic/1/" in body:
            _setup.fail(f"ours answered {query!r} with a diagnostic: {body[-400:]!r}")
        return body.count(b"<sru:recordPosition>")

    if args.profile:
        import cProfile
        import pstats
        profile = cProfile.Profile()
        profile.runcall(lambda: [ours(q) for q in asked])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        return 0
    results = {"ours": timed(ours, asked)}
    zebra = start_zebra(data, Path(tempfile.mkdtemp(prefix="zebra-", dir=work)))
    if zebra is not None:
        process, url = zebra

        def theirs(query):
            params = urllib.parse.urlencode({"version": "1.2", "operation": "searchRetrieve", "query": query,
                                             "maximumRecords": 20, "recordSchema": "marcxml"})
            with urllib.request.urlopen(f"{url}?{params}", timeout=30) as response:
                body = response.read()
            return body.count(b"recordPosition>") // 2

        try:
            results["zebra"] = timed(theirs, asked)
        finally:
            process.terminate()
            process.wait()
    returned = results["ours"][1]
    print(f"  100 CQL queries, e.g. {'; '.join(asked[i] for i in (0, 31, 50, 60, 70, 80, 85, 97))}; records per "
          f"answer: ours median {sorted(returned)[50]}"
          + (f", Zebra median {sorted(results['zebra'][1])[50]}" if "zebra" in results else ""))
    p95 = {name: pct(times, 95) for name, (times, _c) in results.items()}
    if "zebra" in results:
        times = results["zebra"][0]
        print(f"{'peer  zebrasrv (HTTP):':27} p50 {pct(times, 50):7.1f} ms  p95 {p95['zebra']:7.1f} ms "
              f"(over {args.records:,} documents)")
    else:
        print("peer  zebrasrv: not installed (apt-get install idzebra-2.0 yaz)")
    times = results["ours"][0]
    print(f"{'ours  SRU in-process:':27} p50 {pct(times, 50):7.1f} ms  p95 {p95['ours']:7.1f} ms  "
          + (f"ratio p95 ours/Zebra {p95['ours'] / p95['zebra']:.2f}x  " if "zebra" in p95 else "")
          + f"target p95 <= {TARGET_MS} ms: {'met' if p95['ours'] <= TARGET_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
