"""Catalog ingest, records per second: real Library of Congress records through parse, normalise, store,
cluster and index, on SQLite, against bare pymarc parsing of the same bytes in one process.

The records: the first --records (default 100,000, the issue's figure) of
`BooksAll.2016.part01.utf8` from the pymarc 5.4.0 source distribution. The script downloads that
distribution with pip into benchmarks/.cache/ the first time (about 76 MB) and reuses it.

Ours: `catalog.ingest.import_file` on the bytes (one source; every record stored with its holding, keys and
cluster; reading (rmarc) and normalising in CATALOG_INGEST_PROCESSES worker processes, by default one per core
but the importer's; the search index built by a process beside the import, catalog/indexer.py, and finished at
the end). Peers, in the same run: `pymarc.MARCReader` reading the same bytes in one process, nothing else (and
rmarc's MARCReader likewise, printed beside it); and, where the Debian packages idzebra-2.0 and
libidzebra-2.0-mod-grs-marc are installed, `zebraidx update` (Zebra, the engine Koha used) indexing the same
file with its MARC 21 profile (grs.marcxml.marc21) into a new register. Targets (issue #15): ahead of
zebraidx (ratio >= 1.0, required) and 5,000 records/s end to end (the goal). After the timed parts, the run
checks that rmarc reads every record as pymarc does (marc.reader_differences: the same records refused, the same
normalised fields) and fails if not.

Run from the repository root: `.venv/bin/python benchmarks/catalog_ingest.py [--records N]`.
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import _setup

CACHE = Path(__file__).resolve().parent / ".cache"
MEMBER = "pymarc-5.4.0/BooksAll.2016.part01.utf8"
TARGET = 5000


def lc_records(n):
    """The first n records' bytes of the LC file (downloaded once)."""
    CACHE.mkdir(exist_ok=True)
    extracted = CACHE / "BooksAll.2016.part01.utf8"
    if not extracted.exists():
        archive = CACHE / "pymarc-5.4.0.tar.gz"
        if not archive.exists():
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                            "pymarc==5.4.0", "-d", str(CACHE), "-q"], check=True)
        with tarfile.open(archive) as tar:
            with tar.extractfile(MEMBER) as member, extracted.open("wb") as out:
                out.write(member.read())
    data = extracted.read_bytes()
    chunks, position = [], 0
    while len(chunks) < n and position < len(data):
        length = int(data[position:position + 5])
        chunks.append(data[position:position + length])
        position += length
    return b"".join(chunks), len(chunks)


ZEBRA_MODULES = Path("/usr/lib/x86_64-linux-gnu/idzebra-2.0/modules")


def children_cpu():
    """CPU seconds of the finished child processes (zebraidx; the import's workers and indexing process)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def zebra_seconds(data):
    """Seconds zebraidx takes to index `data` into a new register; None when Zebra is not installed."""
    if not shutil.which("zebraidx") or not ZEBRA_MODULES.is_dir():
        return None
    with tempfile.TemporaryDirectory(prefix="sirbi-zebra-") as work:
        work = Path(work)
        (work / "reg").mkdir()
        (work / "records.mrc").write_bytes(data)
        (work / "zebra.cfg").write_text(
            "profilePath: /usr/share/idzebra-2.0/tab\n"
            f"modulePath: {ZEBRA_MODULES}\n"
            "attset: bib1.att\nattset: explain.att\nrecordType: grs.marcxml.marc21\n"
            f"register: {work / 'reg'}:4G\nlockDir: {work}\nkeyTmpDir: {work}\n")
        started = time.perf_counter()
        subprocess.run(["zebraidx", "-c", str(work / "zebra.cfg"), "-g", "", "update", str(work / "records.mrc")],
                       check=True, capture_output=True)
        return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    data, count = lc_records(args.records)
    _setup.start("ingest")
    import pymarc
    import rmarc

    from sirbi.catalog import marc
    from sirbi.catalog.ingest import import_file
    from sirbi.catalog.models import Cluster, Record, Source, StaleDocument
    from sirbi.catalog.normalise import normalise
    from sirbi.registry.models import Country, Library

    started = time.perf_counter()
    parsed = sum(1 for _r in pymarc.MARCReader(BytesIO(data), to_unicode=True, permissive=True))
    peer = time.perf_counter() - started
    started = time.perf_counter()
    fast_parsed = sum(1 for _r in rmarc.MARCReader(BytesIO(data), to_unicode=True, permissive=True))
    fast = time.perf_counter() - started
    before = children_cpu()
    zebra = zebra_seconds(data)
    zebra_cpu = children_cpu() - before
    library = Library.objects.create(name="Biblioteca", country=Country.objects.get(code="PE"), type="public")
    source = Source.objects.create(code="lc", name="LC", library=library)
    started, cpu, before = time.perf_counter(), time.process_time(), children_cpu()
    report = import_file(source, data, "lc.mrc")
    ours, ours_cpu = time.perf_counter() - started, time.process_time() - cpu
    others_cpu = children_cpu() - before
    stored = Record.objects.count()
    if stored + len(report.rejected) != count or parsed != count or fast_parsed != count:
        _setup.fail(f"stored {stored} + rejected {len(report.rejected)} of {count} (pymarc read {parsed}, "
                    f"rmarc {fast_parsed})")
    if StaleDocument.objects.exists():
        _setup.fail("clusters left unindexed after the import")
    print(f"catalog_ingest: {count:,} LC records ({len(data) / 1e6:.1f} MB) ({_setup.environment()})")
    print(f"  stored {stored:,}, rejected {len(report.rejected)}, clusters {Cluster.objects.count():,}; "
          f"CPU {ours_cpu + others_cpu:.1f} s ({ours_cpu:.1f} s importing, {others_cpu:.1f} s reading and indexing)"
          + (f"; zebraidx CPU {zebra_cpu:.1f} s" if zebra is not None else "")
          + f"; load average {os.getloadavg()[0]:.1f} (CPU seconds are less sensitive to other work than wall time)")
    print(f"peer  bare pymarc parse:   {peer:7.1f} s  {count / peer:9,.0f} records/s")
    print(f"      bare rmarc parse:    {fast:7.1f} s  {count / fast:9,.0f} records/s  (the reader imports use)")
    if zebra is not None:
        print(f"peer  zebraidx update:    {zebra:7.1f} s  {count / zebra:9,.0f} records/s")
    else:
        print("peer  zebraidx: not installed (apt-get install idzebra-2.0 libidzebra-2.0-mod-grs-marc)")
    rate = count / ours
    print(f"ours  import_file:         {ours:7.1f} s  {rate:9,.0f} records/s  ours/pymarc time {ours / peer:.1f}x  "
          + (f"rate ours/zebraidx {zebra / ours:.2f} (required >= 1.0: {'met' if ours <= zebra else 'NOT met'})  "
             if zebra else "")
          + f"goal >= {TARGET:,} records/s: {'met' if rate >= TARGET else 'NOT met'}")
    started = time.perf_counter()
    differences = marc.reader_differences(data, normalise)
    print(f"readers: rmarc and pymarc read the {count:,} records alike: {'yes' if not differences else 'NO'} "
          f"(checked in {time.perf_counter() - started:.0f} s)")
    if differences:
        _setup.fail(f"rmarc differs from pymarc on {len(differences)} records, first: {differences[:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
