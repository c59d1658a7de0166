"""Response times of the library list page and the library API over 100,000 libraries in SQLite.

Ours: in-process requests through django.test.Client (the whole middleware stack, URL routing, the
FilterSet, pagination, the template or the serializer; no network, no server), anonymous, DEBUG off as in
production:
- the page `/es/registry/libraries/?<two filters>&page=k`;
- the API `/api/v1/libraries/?<two filters>&page=k` (JSON, 50 per page).
The two filters and the page vary over the requests (country + type, country + status, country + network,
type + status; random pages up to the last one); p50 and p95 over --requests requests each.

Peer: the same page of the same rows, selected through the same Django connection with a raw cursor and
hand-written SQL (the count, the page of rows with LIMIT 50 OFFSET k joined to country and subdivision,
and the networks of those rows): what the database itself costs, so the ratio shows the framework's
overhead. The API's rows are checked against the peer's.

The number of SQL queries per request (django.test.utils.CaptureQueriesContext) is printed for each; it
must not depend on the number of rows (full pages, the last page, an empty result).

Run from the repository root: `.venv/bin/python benchmarks/registry_pages.py [--libraries N] [--requests N]`.
"""

import argparse
import math
import os
import random
import sys
import time
from urllib.parse import urlencode

import _setup

TARGET_P95_MS = 100
PAGE_SIZE = 50
# Two filters each; the page number varies.
COMBINATIONS = [
    {"country": "PE", "type": "public"},
    {"country": "BR", "type": "school"},
    {"country": "MX", "status": "open"},
    {"country": "AR", "network": "ar-popular"},
    {"country": "ES", "type": "public"},
    {"type": "public", "status": "open"},
]


def create_libraries(n, seed):
    """`n` libraries with bulk_create (in batches), their networks, search text; no change log."""
    from django.db import transaction
    from django.utils import timezone

    from sirbi.registry.models import Country, Library, Network, Subdivision

    countries = {c.code: c.pk for c in Country.objects.filter(is_member=True)}
    subdivisions = dict(Subdivision.objects.values_list("code", "pk"))
    networks = dict(Network.objects.values_list("code", "pk"))
    through = Library.networks.through
    now = timezone.now()
    specs = _setup.generate(n, seed)
    batch = 5000
    with transaction.atomic():
        for start in range(0, n, batch):
            libraries, memberships = [], []
            for spec in specs[start:start + batch]:
                library = Library(
                    name=spec["name"], isil=spec["isil"] or None, country_id=countries[spec["country"]],
                    subdivision_id=subdivisions.get(spec["subdivision"]), type=spec["type"],
                    status=spec["status"], locality=spec["locality"], address=spec["address"],
                    postal_code=spec["postal_code"],
                    latitude=float(spec["latitude"]) if spec["latitude"] else None,
                    longitude=float(spec["longitude"]) if spec["longitude"] else None,
                    website=spec["website"], email=spec["email"], phone=spec["phone"],
                    description=spec["description"],
                    **{f"service_{code}": code in spec["services"].split("|") for code in _setup.SERVICES},
                )
                library.search_text = library.build_search_text()
                library.created = library.updated = now
                libraries.append(library)
                memberships.append([networks[code] for code in spec["networks"].split("|") if code])
            Library.objects.bulk_create(libraries)
            through.objects.bulk_create([through(library_id=library.pk, network_id=network_id)
                                         for library, ids in zip(libraries, memberships, strict=True)
                                         for network_id in ids], batch_size=5000)


class Peer:
    """Hand-written SQL through Django's connection: count, one page of rows, their networks."""

    def __init__(self):
        from django.db import connection

        from sirbi.registry.models import Country, Library, Network, Subdivision

        self.connection = connection
        self.library = Library._meta.db_table
        self.country = Country._meta.db_table
        self.subdivision = Subdivision._meta.db_table
        self.network = Network._meta.db_table
        self.through = Library.networks.through._meta.db_table

    def where(self, params):
        clauses, values = [], []
        for name, value in params.items():
            if name == "country":
                clauses.append("c.code = %s")
                values.append(value.upper())
            elif name in ("type", "status"):
                clauses.append(f"l.{name} = %s")
                values.append(value)
            elif name == "network":
                clauses.append(f"l.id IN (SELECT ln.library_id FROM {self.through} ln JOIN {self.network} n "
                               "ON n.id = ln.network_id WHERE n.code = %s)")
                values.append(value)
            else:
                raise ValueError(name)
        return " AND ".join(clauses) or "1", values

    def count(self, params):
        where, values = self.where(params)
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.library} l JOIN {self.country} c ON c.id = l.country_id "
                           f"WHERE {where}", values)
            return cursor.fetchone()[0]

    def page(self, params, number):
        """(count, rows, {library id: [network codes]}) as a list page needs them."""
        where, values = self.where(params)
        count = self.count(params)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT l.*, c.code, c.name_es, s.code, s.name FROM {self.library} l "
                f"JOIN {self.country} c ON c.id = l.country_id "
                f"LEFT JOIN {self.subdivision} s ON s.id = l.subdivision_id "
                f"WHERE {where} ORDER BY l.name, l.id LIMIT %s OFFSET %s",
                [*values, PAGE_SIZE, (number - 1) * PAGE_SIZE])
            rows = cursor.fetchall()
            networks = {}
            if rows:
                ids = [row[0] for row in rows]
                cursor.execute(f"SELECT ln.library_id, n.code FROM {self.through} ln JOIN {self.network} n "
                               f"ON n.id = ln.network_id WHERE ln.library_id IN ({', '.join(['%s'] * len(ids))})",
                               ids)
                for library_id, code in cursor.fetchall():
                    networks.setdefault(library_id, []).append(code)
        return count, rows, networks


def plan_requests(peer, n, seed):
    """`n` (params, page) pairs: the combinations in turn, each at a random page up to its last."""
    rng = random.Random(seed)
    pages = {i: max(1, math.ceil(peer.count(params) / PAGE_SIZE)) for i, params in enumerate(COMBINATIONS)}
    plan = []
    for index in range(n):
        which = index % len(COMBINATIONS)
        plan.append((COMBINATIONS[which], rng.randint(1, pages[which])))
    return plan, pages


def url(base, params, page):
    return f"{base}?{urlencode({**params, 'page': page})}"


def timed(function, items, cpu=None):
    """Milliseconds (wall clock) per call of function(item); CPU milliseconds appended to `cpu` if given."""
    times = []
    for item in items:
        cpu_started, started = time.process_time(), time.perf_counter()
        function(item)
        times.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - cpu_started) * 1000)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--libraries", type=int, default=100_000, help="libraries in the database (100000)")
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint (200)")
    parser.add_argument("--seed", type=int, default=_setup.SEED)
    parser.add_argument("--profile", choices=["page", "api"], help="profile that endpoint with cProfile")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key with --profile (e.g. tottime)")
    parser.add_argument("--analyze", action="store_true",
                        help="run SQLite's ANALYZE after loading (the platform itself never does)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (prints its path)")
    args = parser.parse_args()

    workdir = _setup.start("pages", keep=args.keep)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from sirbi.registry.models import Library

    print(f"registry_pages: {args.libraries:,} libraries in SQLite, {args.requests} requests per endpoint "
          f"({_setup.environment()})")
    if args.keep:
        print(f"  working directory: {workdir}")
    started = time.perf_counter()
    create_libraries(args.libraries, args.seed)
    if args.analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    created = Library.objects.count()
    if created != args.libraries:
        _setup.fail(f"created {created} libraries, not {args.libraries}")
    memberships = Library.networks.through.objects.count()
    print(f"  setup: {created:,} libraries, {memberships:,} network memberships in "
          f"{time.perf_counter() - started:.1f} s (not timed below)")

    peer = Peer()
    plan, pages = plan_requests(peer, args.requests, args.seed)
    client = Client()
    endpoints = {"page": "/es/registry/libraries/", "api": "/api/v1/libraries/"}

    def get(base):
        def fetch(item):
            response = client.get(url(base, *item))
            if response.status_code != 200:
                _setup.fail(f"{url(base, *item)} answered {response.status_code}")
            return response
        return fetch

    with override_settings(DEBUG=False):
        # Correctness and queries per request, untimed: every combination at its first and last page, plus
        # an empty result; the API's ids and count must be the peer's.
        checks = [(params, page) for i, params in enumerate(COMBINATIONS) for page in (1, pages[i])]
        checks.append(({"country": "PE", "network": "br-public"}, 1))
        queries = {name: {} for name in endpoints}
        for params, page in checks:
            count, rows, _networks = peer.page(params, page)
            for name, base in endpoints.items():
                with CaptureQueriesContext(connection) as captured:
                    response = get(base)((params, page))
                queries[name][(tuple(params.items()), page, len(rows))] = len(captured)
                if name == "api":
                    data = response.json()
                    if data["count"] != count or [r["id"] for r in data["results"]] != [r[0] for r in rows]:
                        _setup.fail(f"the API and the peer disagree on {url(base, params, page)}")

        for function in (get(endpoints["page"]), get(endpoints["api"]), lambda item: peer.page(*item)):
            timed(function, plan[:10])  # warm-up: templates, URL resolvers, statement caches
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            timed(get(endpoints[args.profile]), plan)
            profiler.disable()
            print(f"\n  cProfile of {args.requests} {args.profile} requests (top 30 by {args.sort}):")
            pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(30)
        cpu = {"page": [], "api": [], "peer": []}
        results = {
            "page": timed(get(endpoints["page"]), plan, cpu["page"]),
            "api": timed(get(endpoints["api"]), plan, cpu["api"]),
            "peer": timed(lambda item: peer.page(*item), plan, cpu["peer"]),
        }

    print("  p95 (ms) per filter combination (pages up to the last):")
    print(f"    {'filters':<32} {'rows':>7} {'page':>8} {'api':>8} {'peer':>8}")
    for params in COMBINATIONS:
        picked = [j for j, (p, _page) in enumerate(plan) if p is params]
        cells = [_setup.percentile([results[name][j] for j in picked], 0.95) for name in ("page", "api", "peer")]
        label = "&".join(f"{k}={v}" for k, v in params.items())
        rows = peer.count(params)
        print(f"    {label:<32} {rows:>7,} " + " ".join(f"{c:8.1f}" for c in cells))
    for name in endpoints:
        counts = queries[name]
        non_empty = {n for (_p, _page, rows), n in counts.items() if rows}
        empty = {n for (_p, _page, rows), n in counts.items() if not rows}
        constant = len(non_empty) == 1 and all(n <= min(non_empty) for n in empty)
        print(f"  SQL queries per request, {name}: {sorted(non_empty)} with rows (1 to {PAGE_SIZE} on the page, "
              f"first and last pages), {sorted(empty)} for an empty result -> "
              f"{'independent of the number of rows' if constant else 'DEPENDS ON THE ROWS'}")
    print("  CPU time per request (this process, DB included; less sensitive to other load): " + ", ".join(
        f"{name} p50 {_setup.percentile(cpu[name], 0.5):.1f} / p95 {_setup.percentile(cpu[name], 0.95):.1f} ms"
        for name in ("page", "api", "peer")))
    peer_p50, peer_p95 = (_setup.percentile(results["peer"], q) for q in (0.5, 0.95))
    print(f"  load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"peer  raw SQL (count + page + networks): p50 {peer_p50:6.1f} ms  p95 {peer_p95:6.1f} ms")
    for name, label in (("page", "page /es/registry/libraries/"), ("api", "API  /api/v1/libraries/     ")):
        p50, p95 = (_setup.percentile(results[name], q) for q in (0.5, 0.95))
        met = p95 <= TARGET_P95_MS
        print(f"ours  {label}: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ratio ours/peer p95 {p95 / peer_p95:4.1f}x "
              f"(p50 {p50 / peer_p50:4.1f}x)  target p95 <= {TARGET_P95_MS} ms: {'met' if met else 'NOT met'}")
    if any(len({n for (_p, _g, rows), n in counts.items() if rows}) != 1 for counts in queries.values()):
        _setup.fail("the number of SQL queries per request depends on the rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
