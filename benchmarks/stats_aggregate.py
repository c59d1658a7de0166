"""A dashboard's aggregation over 10 million library figures in SQLite, against DuckDB on the same data.

Data: --libraries libraries (20,000, spread over the 21 members like the registry benchmarks' libraries,
each reporting under its own library type), --indicators reported indicators (50: the 11 base ones of
the catalogue and generated ones; the derived ones are computed, never stored) and --years years (10):
one published or submitted figure per library, indicator and year, so 10,000,000 rows in `stats_value`
with the platform's own schema and indexes. The figures come from one formula evaluated inside each
engine, so both hold exactly the same data.

Ours: `sirbi.stats.services.country_table(indicator, "public", year)` and `region_figure(...)`: what the
indicator page and the map run for one indicator, all member countries, one year: the country-level and
network-level figures (none here), then the published library figures summed per country with coverage
(libraries that reported / libraries registered), and the region's figure. A random indicator and year
per request; p50 and p95 over --requests requests.

Peer: DuckDB (in memory, the `duckdb` package) with the same libraries and values, running the same
aggregation as one SQL statement plus the count of libraries per country. The first request's result is
checked against ours.

Target: p95 at most 200 ms.

Run from the repository root: `.venv/bin/python benchmarks/stats_aggregate.py [--libraries N] [--requests N]`.
Setting up 10 million rows takes a few minutes (printed, not timed).
"""

import argparse
import random
import time

import _setup

TARGET_P95_MS = 200
FIRST_YEAR = 2015
TYPOLOGY = "public"
# The registry's library types and the typology their figures are reported under (stats.campaigns.services).
TYPOLOGY_SQL = ("CASE l.type WHEN 'public' THEN 'public' WHEN 'mobile' THEN 'public' WHEN 'school' THEN 'school' "
                "WHEN 'popular' THEN 'popular' WHEN 'national' THEN 'national' WHEN 'university' THEN 'academic' "
                "ELSE 'other' END")
# One formula for the figures and their status, evaluated by each engine.
VALUE_SQL = "((l.id * 7919 + i.id * 104729 + y * 1299709) % 5000)"
STATUS_SQL = "CASE WHEN (l.id * 31 + y + i.id) % 10 = 0 THEN 'submitted' ELSE 'published' END"


def create_libraries(n, seed):
    from django.utils import timezone

    from sirbi.registry.models import Country, Library

    rng = random.Random(seed)
    countries = {c.code: c.pk for c in Country.objects.filter(is_member=True)}
    codes = list(_setup.COUNTRY_WEIGHTS)
    weights = [_setup.COUNTRY_WEIGHTS[c] for c in codes]
    types = list(_setup.TYPE_WEIGHTS)
    type_weights = [_setup.TYPE_WEIGHTS[t] for t in types]
    now = timezone.now()
    libraries = [Library(name=f"Biblioteca {k}", country_id=countries[rng.choices(codes, weights)[0]],
                         type=rng.choices(types, type_weights)[0], status="open", locality=f"Localidad {k}",
                         search_text=f"biblioteca {k}", created=now, updated=now) for k in range(n)]
    Library.objects.bulk_create(libraries, batch_size=5000)


def create_indicators(total):
    from sirbi.stats.indicators import seed_indicators
    from sirbi.stats.models import Indicator

    seed_indicators()
    existing = Indicator.objects.filter(numerator__isnull=True).count()  # derived ones are computed, not stored
    Indicator.objects.bulk_create([
        Indicator(code=f"bench_{k:02d}", name_es=f"Indicador {k}", name_pt=f"Indicador {k}",
                  name_en=f"Indicator {k}", position=1000 + k) for k in range(total - existing)])
    return list(Indicator.objects.order_by("pk").values_list("pk", "code", "numerator_id"))


def create_values(years):
    """INSERT ... SELECT over libraries x indicators x years, with the secondary indexes dropped during the
    load and built again afterwards (as a bulk load would)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'stats_value' "
                       "AND sql IS NOT NULL")
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(f"""
            WITH RECURSIVE years(y) AS (SELECT {FIRST_YEAR} UNION ALL SELECT y + 1 FROM years
                                        WHERE y < {FIRST_YEAR + years - 1})
            INSERT INTO stats_value (version, created, updated, indicator_id, typology, country_id, network_id,
                                     library_id, unit_key, year, value, source, source_name, source_url, method,
                                     note, status, flags, justification, entered_by_id, is_sample, campaign_id,
                                     review_comment, submitted_at)
            SELECT 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00', i.id, {TYPOLOGY_SQL}, l.country_id, NULL,
                   l.id, 'library:' || l.id, y, {VALUE_SQL}, 'survey', '', '', 'count', '', {STATUS_SQL}, '[]', '',
                   NULL, 0, NULL, '', NULL
            FROM registry_library l CROSS JOIN stats_indicator i CROSS JOIN years
            WHERE i.numerator_id IS NULL
            ORDER BY i.id, y, l.id
        """)
        cursor.execute("SELECT COUNT(*) FROM stats_value")
        inserted = cursor.fetchone()[0]
        for _name, sql in indexes:
            cursor.execute(sql)
        cursor.execute("ANALYZE")
    return inserted


def duckdb_peer(years):
    """An in-memory DuckDB with the same libraries, indicators and values."""
    import duckdb
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, country_id, type FROM registry_library")
        libraries = cursor.fetchall()
        cursor.execute("SELECT id FROM stats_indicator WHERE numerator_id IS NULL")
        indicators = [row[0] for row in cursor.fetchall()]
    db = duckdb.connect()
    db.execute("CREATE TABLE lib (id BIGINT, country_id BIGINT, type VARCHAR)")
    db.executemany("INSERT INTO lib VALUES (?, ?, ?)", libraries)
    db.execute("CREATE TABLE ind (id BIGINT)")
    db.executemany("INSERT INTO ind VALUES (?)", [(i,) for i in indicators])
    db.execute(f"""
        CREATE TABLE value AS
        SELECT i.id AS indicator_id, {TYPOLOGY_SQL} AS typology, l.country_id, l.id AS library_id,
               CAST(y.range AS INTEGER) AS year, CAST({VALUE_SQL.replace("y *", "y.range *")} AS DOUBLE) AS value,
               {STATUS_SQL.replace("+ y +", "+ y.range +")} AS status
        FROM lib l CROSS JOIN ind i CROSS JOIN range({FIRST_YEAR}, {FIRST_YEAR + years}) y
    """)
    return db


def peer_query(db, indicator_id, year, country_ids):
    placeholders = ", ".join("?" * len(country_ids))
    sums = db.execute(f"""
        SELECT country_id, SUM(value), COUNT(DISTINCT library_id) FROM value
        WHERE indicator_id = ? AND typology = ? AND year = ? AND status = 'published'
          AND library_id IS NOT NULL AND country_id IN ({placeholders})
        GROUP BY country_id""", [indicator_id, TYPOLOGY, year, *country_ids]).fetchall()
    expected = db.execute(f"SELECT country_id, COUNT(*) FROM lib WHERE country_id IN ({placeholders}) "
                          "GROUP BY country_id", country_ids).fetchall()
    return sums, expected


def timed(function, items):
    times = []
    for item in items:
        start = time.perf_counter()
        function(item)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--libraries", type=int, default=20_000)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--seed", type=int, default=_setup.SEED)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (prints its path)")
    args = parser.parse_args()
    directory = _setup.start("stats-aggregate", keep=args.keep)
    if args.keep:
        print(f"  working directory: {directory}")

    from django.db import transaction

    from sirbi.registry.models import Country
    from sirbi.stats import services
    from sirbi.stats.models import Indicator, Value

    started = time.perf_counter()
    with transaction.atomic():
        create_libraries(args.libraries, args.seed)
        indicators = create_indicators(args.indicators)
        rows = create_values(args.years)
    setup_s = time.perf_counter() - started
    started = time.perf_counter()
    db = duckdb_peer(args.years)
    peer_setup_s = time.perf_counter() - started
    peer_rows = db.execute("SELECT COUNT(*) FROM value").fetchone()[0]
    if peer_rows != rows:
        _setup.fail(f"the peer holds {peer_rows:,} values, ours {rows:,}")

    print(f"stats_aggregate: {rows:,} values ({args.libraries:,} libraries x {args.indicators} indicators x "
          f"{args.years} years) in SQLite ({_setup.environment()})")
    print(f"  setup (not timed): ours {setup_s:.1f} s, DuckDB {peer_setup_s:.1f} s")

    countries = list(Country.objects.filter(is_member=True))
    country_ids = [c.pk for c in countries]
    rng = random.Random(args.seed)
    base = [(pk, code) for pk, code, numerator in indicators if numerator is None]
    plan = [(rng.choice(base), FIRST_YEAR + rng.randrange(args.years)) for _ in range(args.requests)]
    by_code = {i.code: i for i in Indicator.objects.all()}

    def ours(item):
        (_pk, code), year = item
        indicator = by_code[code]
        table = services.country_table(indicator, TYPOLOGY, year, countries)
        return table, services.region_figure(indicator, table, countries)

    def peer(item):
        (pk, _code), year = item
        return peer_query(db, pk, year, country_ids)

    # Same answers: sums and coverage per country.
    table, region = ours(plan[0])
    sums, expected = peer(plan[0])
    codes = {c.pk: c.code for c in countries}
    theirs = {codes[cid]: (total, reported, dict(expected)[cid]) for cid, total, reported in sums}
    mine = {code: (f.value, f.reported, f.expected) for code, f in table.items()}
    if mine != theirs:
        _setup.fail(f"ours and the peer disagree: {sorted(mine.items())[:3]} vs {sorted(theirs.items())[:3]}")
    if region.reported != len(mine):
        _setup.fail("the region's coverage is not the number of countries with figures")
    published = Value.objects.filter(indicator__code=plan[0][0][1], year=plan[0][1], typology=TYPOLOGY,
                                     status="published").count()
    print(f"  checked: first request ({plan[0][0][1]}, {plan[0][1]}): {len(mine)} countries, "
          f"{published:,} published library figures, same sums and coverage as the peer")

    for function in (ours, peer):  # warm caches
        function(plan[0])
    ours_ms = timed(ours, plan)
    peer_ms = timed(peer, plan)
    ours_p50, ours_p95 = (_setup.percentile(ours_ms, q) for q in (0.5, 0.95))
    peer_p50, peer_p95 = (_setup.percentile(peer_ms, q) for q in (0.5, 0.95))
    print(f"peer  DuckDB (same aggregation, in memory): p50 {peer_p50:7.1f} ms  p95 {peer_p95:7.1f} ms")
    met = ours_p95 <= TARGET_P95_MS
    print(f"ours  country_table + region_figure     : p50 {ours_p50:7.1f} ms  p95 {ours_p95:7.1f} ms  "
          f"ratio ours/peer p95 {ours_p95 / peer_p95:5.1f}x  target p95 <= {TARGET_P95_MS} ms: "
          f"{'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
