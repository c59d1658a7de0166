"""A campaign spreadsheet of 100,000 figures sent back in one file, checked and saved, in SQLite.

Data: 20,000 libraries (as in stats_aggregate.py) and an open campaign asking libraries for 5 indicators;
the regional secretariat downloads the campaign's template for all its units (the platform's own
template, 100,000 rows) and fills it with figures written the English way ("12,345"), a few of them
outliers.

Ours: `read_scope_upload` (read the file, every row checked: template version, campaign, unit in the user's
scope, indicator, library type, the number as the language writes it, whole counts, sources and methods; the
figure rules of campaigns/rules.py) + `campaigns.services.save_many` (the user's scope; the rules, which every
other door gets there, not again for the reader's checked pairs; statuses, the checks' flags — change against
last year, parts above totals, robust outliers among the country's libraries — and one bulk write as one import
batch: the file kept, a compact change-log entry per figure with its row, in one transaction). The run fails
unless 100,000 drafts and 100,000 change-log entries of the batch are stored. Measured for the CSV and for the
XLSX template.

Peer: the sqlite3 command-line shell importing the same CSV into a bare table (`.import --csv`): what
getting those rows into SQLite costs at least. Median of three runs.

Target: at least 20,000 values/s for the CSV, 10,000 for the XLSX (issue #13).

Run from the repository root: `.venv/bin/python benchmarks/stats_import.py [--libraries N]`.
"""

import argparse
import cProfile
import csv
import datetime
import io
import pstats
import shutil
import statistics
import subprocess
import time

import _setup
from stats_aggregate import create_libraries

TARGET_RATES = {"CSV": 20_000, "XLSX": 10_000}
INDICATORS = ["libraries", "libraries_internet", "registered_users", "visits", "loans_books"]


def peer_import(sqlite3, csv_path, workdir, attempt):
    database = workdir / f"peer-{attempt}.sqlite3"
    started = time.perf_counter()
    subprocess.run([sqlite3, str(database), f'.import --csv "{csv_path}" bare_table'], check=True)
    elapsed = time.perf_counter() - started
    database.unlink()
    return elapsed


def filled_rows(rows):
    """The template's rows with plausible figures, written the English way, and a few outliers."""
    for k, row in enumerate(rows):
        base = {"libraries": 1, "libraries_internet": k % 2, "registered_users": 800 + k % 900,
                "visits": 12_000 + (k * 37) % 9_000, "loans_books": 5_000 + (k * 53) % 4_000}[row["indicator"]]
        if k % 9973 == 0 and row["indicator"] == "visits":
            base *= 1000
        row["value"] = f"{base:,}"
        row["source"] = "survey"
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--libraries", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=_setup.SEED)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print a cProfile listing of the CSV upload")
    parser.add_argument("--formats", default="CSV,XLSX", help="which uploads to measure (CSV,XLSX)")
    args = parser.parse_args()
    sqlite3 = shutil.which("sqlite3")
    if not sqlite3:
        _setup.fail("the peer needs the sqlite3 command-line shell (Debian package sqlite3)")
    workdir = _setup.start("stats-import", keep=args.keep)

    from django.db import transaction
    from openpyxl import Workbook

    from sirbi.core.models import ChangeLog, User
    from sirbi.stats.campaigns.services import save_many, units_for
    from sirbi.stats.campaigns.spreadsheets import COLUMNS, read_scope_upload, template_rows
    from sirbi.stats.indicators import seed_indicators
    from sirbi.stats.models import Campaign, Indicator, Value

    seed_indicators()
    with transaction.atomic():
        create_libraries(args.libraries, args.seed)
    user = User.objects.create_superuser("bench", "bench@example.org", "x")
    campaign = Campaign.objects.create(title="Bench", year=2025, typologies=["public"], languages=["en"],
                                       deadline=datetime.date.today() + datetime.timedelta(days=30), status="open",
                                       level_country=False, level_library=True)
    campaign.indicators.set(Indicator.objects.filter(code__in=INDICATORS))
    units = units_for(user, campaign, limit=None)
    rows = filled_rows(template_rows(campaign, units, "en"))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    csv_bytes = buffer.getvalue().encode("utf-8")
    csv_path = workdir / "bench.csv"
    csv_path.write_bytes(csv_bytes)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("figures")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    xlsx_bytes = xlsx.getvalue()
    n = len(rows)
    print(f"stats_import: {n:,} figures ({len(units):,} libraries x {len(INDICATORS)} indicators) "
          f"({_setup.environment()})")
    print(f"  files: CSV {len(csv_bytes) / 1e6:.1f} MB, XLSX {len(xlsx_bytes) / 1e6:.1f} MB")

    by_key = {u.key: u for u in units}
    results = {}
    uploads = [("CSV", csv_bytes, "bench.csv"), ("XLSX", xlsx_bytes, "bench.xlsx")]
    for label, content, name in [u for u in uploads if u[0] in args.formats.split(",")]:
        Value.objects.filter(campaign=campaign).delete()
        ChangeLog.objects.all().delete()
        profiler = cProfile.Profile() if args.profile and label == "CSV" else None
        if profiler:
            profiler.enable()
        started, cpu_started = time.perf_counter(), time.process_time()
        pairs = read_scope_upload(content, name, campaign, by_key)
        read = time.perf_counter() - started
        counts = save_many(user, campaign, pairs, filename=name, data=content)
        total = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        stored = Value.objects.filter(campaign=campaign, status="draft").count()
        logged = ChangeLog.objects.filter(action="create", batch=counts["batch"], row__isnull=False).count()
        if counts["created"] != n or stored != n or logged != n:
            _setup.fail(f"{label}: {counts}, {stored:,} stored, {logged:,} logged; expected {n:,}")
        results[label] = total
        print(f"  {label}: read and check {read:6.2f} s, save (flags, bulk write, batch change log) "
              f"{total - read:6.2f} s; {counts['flagged']} flagged; CPU {cpu:.2f} s (this process; less sensitive to "
              f"other load)")
    peer = statistics.median(peer_import(sqlite3, csv_path, workdir, k) for k in range(3))
    print(f"peer  sqlite3 .import (CSV):  {peer:7.2f} s  {n / peer:10,.0f} values/s  (bare table, no checks)")
    for label, seconds in results.items():
        rate = n / seconds
        verdict = "met" if rate >= TARGET_RATES[label] else "NOT met"
        print(f"ours  {label:<4} upload:          {seconds:7.2f} s  {rate:10,.0f} values/s  ratio ours/peer time "
              f"{seconds / peer:5.1f}x  target >= {TARGET_RATES[label]:,} values/s: {verdict}")


if __name__ == "__main__":
    main()
