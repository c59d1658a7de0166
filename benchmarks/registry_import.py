"""Bulk import speed: 100,000 library rows from a CSV file into SQLite, validated, with the change log.

Ours: `sirbi.registry.imports.import_libraries(data, "bench.csv", user=<superuser>)` on a fresh, migrated
SQLite database holding the ISO countries and the real networks: reading the CSV, checking every row by
the registry's rules (ISIL, country, subdivision, networks, type, coordinates, web address, e-mail...),
the permission check per row, and writing the libraries, their networks and one compact change-log entry per
row (pointing at the import batch and the row; the file kept once) in one transaction. The report must say
every row was created and the change log must hold one entry per row, or the benchmark fails. Then, not
timed in the figure: the history of a sample of imported libraries is read back (each entry must point at
the batch and the file's line holding that library's name), and the whole batch is undone
(`core.batches.undo_batch`, timed and printed; every library must be gone).

Peer: the sqlite3 command-line shell importing the same file with `.import --csv FILE bare_table` into a
fresh database file (a table of text columns, no checks, no indexes): the floor for "CSV rows into
SQLite". Measured in the same run (three times, the median is used).

Run from the repository root: `.venv/bin/python benchmarks/registry_import.py [--rows N]`.
"""

import argparse
import csv
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import _setup

TARGET_ROWS_PER_SECOND = 20_000
SQLITE3 = "/usr/bin/sqlite3"
COLUMNS = ["isil", "name", "country", "subdivision", "networks", "type", "status", "locality", "address",
           "postal_code", "latitude", "longitude", "website", "email", "phone", "services", "description"]


def write_csv(path, specs):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(specs)


def peer_import(sqlite3, csv_path, workdir, rows, attempt):
    """(wall, CPU) seconds the sqlite3 shell takes to .import the file into a bare table of a fresh database."""
    database = workdir / f"peer-{attempt}.sqlite3"
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sqlite3, str(database), f'.import --csv "{csv_path}" bare_table'], check=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime
    counted = subprocess.run([sqlite3, str(database), "SELECT count(*) FROM bare_table"], check=True,
                             capture_output=True, text=True).stdout.strip()
    if counted != str(rows):
        _setup.fail(f"the peer imported {counted} rows, not {rows}")
    database.unlink()
    return elapsed, cpu


class Moment(tuple):
    """(wall, CPU) seconds; subtracting two gives the durations."""

    def __new__(cls, wall, cpu):
        return super().__new__(cls, (wall, cpu))

    def __sub__(self, other):
        return Moment(self[0] - other[0], self[1] - other[1])


class Stages:
    """The importer's `progress` callback, used as a stopwatch: when each stage starts and ends.

    import_libraries reports, in order: reading the file; then for each chunk of rows "checking rows" (the
    chunk is checked: by a second process for a large file) and "saving" (this process planned and wrote it);
    then "saved" (the change log written, the batch closed); after that the transaction commits. If the
    importer reports something else, no breakdown is printed.
    """

    def __init__(self):
        self.calls = []  # ((wall, CPU), stage)
        self.started = self.ended = None  # (wall, CPU)

    def __call__(self, done, total=None, stage=None):
        self.calls.append((Moment(time.perf_counter(), time.process_time()), str(stage)))

    def phases(self):
        """[(label, Moment(wall seconds, CPU seconds))] or [] if the importer reported something else."""
        stages = [stage for _moment, stage in self.calls]
        if len(stages) < 4 or len(set(stages[1:-1])) != 2 or stages[-1] in stages[:-1]:
            return []
        first_checked = self.calls[1][0]
        saved = self.calls[-1][0]
        return [
            ("read and parse the CSV, load the registry, 1st chunk", first_checked - self.started),
            ("check (child) overlapping plan and write (here)", saved - first_checked),
            ("commit", self.ended - saved),
        ]


def check_history(report, csv_path, history, Library, ImportBatch, size=200):
    """Read back the history of `size` imported libraries spread over the file: each has one entry, of the batch,
    whose row is the file line holding the library's name; the batch keeps the file as it was sent."""
    lines = csv_path.read_text(encoding="utf-8").split("\n")
    batch = ImportBatch.objects.get(pk=report.batch_id)
    if batch.file.read() != csv_path.read_bytes():
        _setup.fail("the batch does not keep the file as it was sent")
    step = max(1, len(report.rows) // size)
    rows = report.rows[::step][:size]
    for row in rows:
        library = Library.objects.get(pk=row.library_id)
        entries = list(history(library))
        if len(entries) != 1 or entries[0].batch_id != batch.pk or entries[0].row != row.line:
            _setup.fail(f"library {library.pk}: its history is {entries}, not the batch's row {row.line}")
        if next(csv.reader([lines[row.line - 1]]))[COLUMNS.index("name")] != library.name:
            _setup.fail(f"line {row.line} of the file is not the library {library.name!r}")
    return len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows to import (default 100000)")
    parser.add_argument("--seed", type=int, default=_setup.SEED)
    parser.add_argument("--profile", action="store_true", help="run our import under cProfile and print the top")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key with --profile (e.g. tottime)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (prints its path)")
    args = parser.parse_args()

    sqlite3 = shutil.which("sqlite3") or (SQLITE3 if Path(SQLITE3).exists() else None)
    if sqlite3 is None:
        _setup.fail("the peer is missing: the sqlite3 command-line shell (Debian package sqlite3) is not "
                    "installed; install it with `apt-get install sqlite3`", 2)

    workdir = _setup.start("import", keep=args.keep)
    from django.contrib.auth import get_user_model

    from sirbi.core.batches import undo_batch
    from sirbi.core.changelog import history
    from sirbi.core.models import ChangeLog, ImportBatch
    from sirbi.registry.imports import import_libraries
    from sirbi.registry.models import Library

    print(f"registry_import: {args.rows:,} library rows from CSV into SQLite ({_setup.environment()})")
    if args.keep:
        print(f"  working directory: {workdir}")
    specs = _setup.generate(args.rows, args.seed)
    expected_memberships = sum(1 for spec in specs if spec["networks"])
    csv_path = workdir / "bench.csv"
    write_csv(csv_path, specs)
    del specs
    size = csv_path.stat().st_size
    print(f"  file: {csv_path.name}, {size / 1e6:.1f} MB, {args.rows:,} rows, {len(COLUMNS)} columns")

    peer_runs = [peer_import(sqlite3, csv_path, workdir, args.rows, attempt) for attempt in range(3)]
    peer, peer_cpu = statistics.median(t for t, _c in peer_runs), statistics.median(c for _t, c in peer_runs)

    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-password")
    stages = Stages()
    profiler = None
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    stages.started = Moment(time.perf_counter(), time.process_time())
    if profiler:
        profiler.enable()
    report = import_libraries(csv_path.read_bytes(), "bench.csv", user=user, progress=stages)
    if profiler:
        profiler.disable()
    stages.ended = Moment(time.perf_counter(), time.process_time())
    ours, ours_cpu = stages.ended - stages.started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = after.ru_utime - children.ru_utime + after.ru_stime - children.ru_stime

    summary = report.summary()
    if report.problem or summary["create"] != args.rows or not report.applied:
        for message in report.messages()[:10]:
            print("  " + message)
        _setup.fail(f"the import did not apply every row: {summary} {report.problem}")
    logged = ChangeLog.objects.filter(source="import").count()
    libraries = Library.objects.count()
    memberships = Library.networks.through.objects.count()
    if logged != args.rows or ChangeLog.objects.count() != args.rows or libraries != args.rows:
        _setup.fail(f"expected {args.rows} libraries and change-log entries, found {libraries} and {logged}")
    if memberships != expected_memberships:
        _setup.fail(f"expected {expected_memberships} network memberships, found {memberships}")

    sample = check_history(report, csv_path, history, Library, ImportBatch)
    undo_profiler = cProfile.Profile() if args.profile else None
    undo_started = time.perf_counter()
    if undo_profiler:
        undo_profiler.enable()
    undo = undo_batch(ImportBatch.objects.get(pk=report.batch_id), user=user)
    if undo_profiler:
        undo_profiler.disable()
    undo_time = time.perf_counter() - undo_started
    if Library.objects.exists() or Library.networks.through.objects.exists() or undo.counts != {"delete": args.rows}:
        _setup.fail(f"the undo left {Library.objects.count()} libraries ({undo.counts})")

    if profiler:
        print(f"\n  cProfile of import_libraries (top 30 by {args.sort}):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(30)
        print(f"\n  cProfile of undo_batch (top 20 by {args.sort}):")
        pstats.Stats(undo_profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(20)

    ours_rate, peer_rate = args.rows / ours, args.rows / peer
    print(f"  checked: report {summary}, {logged:,} change-log entries, {memberships:,} network memberships")
    print(f"  checked: the history of {sample} sampled libraries points at batch #{report.batch_id} and the file's "
          f"line of each")
    print(f"  undo of the batch (undo_batch: {args.rows:,} libraries deleted, {args.rows:,} entries): "
          f"{undo_time:.2f} s ({args.rows / undo_time:,.0f} rows/s)")
    for label, (wall, cpu) in stages.phases():
        print(f"  ours, {label:<42} {wall:7.2f} s  {100 * wall / ours:5.1f}%  (CPU {cpu:6.2f} s)")
    print(f"  CPU time: ours {ours_cpu:.2f} s in this process + {child_cpu:.2f} s in the checking process "
          f"({args.rows / (ours_cpu + child_cpu):,.0f} rows per CPU-second), "
          f"peer {peer_cpu:.2f} s; peer runs (wall s): {', '.join(f'{t:.3f}' for t, _c in peer_runs)}")
    print(f"  load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"ours  import_libraries: {ours:8.2f} s  {ours_rate:10,.0f} rows/s  (validated, change log, 1 transaction)")
    print(f"peer  sqlite3 .import:  {peer:8.2f} s  {peer_rate:10,.0f} rows/s  (bare table, no checks; median of 3)")
    met = ours_rate >= TARGET_ROWS_PER_SECOND
    print(f"ratio ours/peer time: {ours / peer:.1f}x; target >= {TARGET_ROWS_PER_SECOND:,} rows/s: "
          f"{'met' if met else 'NOT met'} ({ours_rate:,.0f} rows/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
