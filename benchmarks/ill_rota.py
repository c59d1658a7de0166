"""Building an interlibrary loan rota for a cluster held by 50 libraries, p95 (issue #17: at most 10 ms).

Ours: `sirbi.loans.rota.build(borrower, cluster=...)` — the holders and their holding statuses, their policies,
their networks, the agreements for loans in force, their loads over twelve months (lent / borrowed, from a year of
rota entries and requests), the tiers, the order and every reason — for a borrower in Peru and 50 holders spread
over the 21 member countries (a few sharing its network, a third of them with the agreement, some paused, some
with lost copies, a tenth with no policy), over --runs runs after one warm-up.

Peer: the same holders with their policies read by one hand-written SQL statement through the same connection
(the holdings joined to libraries and policies): what the database itself costs for the rota's main read, so
the ratio shows what the explanation (networks, agreements, loads, ordering) adds.

Run from the repository root: `.venv/bin/python benchmarks/ill_rota.py [--holders N] [--runs N]`.
"""

import argparse
import datetime
import os
import random
import time

import _setup

TARGET_P95_MS = 10


def build_world(holders, seed):
    from sirbi.catalog.models import Cluster, Holding, Record, Source
    from sirbi.cooperation.models.alliances import PartnershipAgreement
    from sirbi.loans.models import LendingPolicy, LoanRequest, RotaEntry
    from sirbi.registry.models import CERLALC_MEMBERS, Country, Library, Network

    rng = random.Random(seed)
    countries = {c.code: c for c in Country.objects.filter(code__in=CERLALC_MEMBERS)}
    pe_public = Network.objects.get(code="pe-public")
    borrower = Library.objects.create(name="Biblioteca Municipal de Lima", isil="PE-LIM01", country=countries["PE"],
                                      type="public")
    borrower.networks.add(pe_public)
    cluster = Cluster.objects.create()
    source = Source.objects.create(code="bench", name="Fuente")
    record = Record.objects.create(source=source, local_id="1", raw=b"", digest="x", raw_format="marcxml",
                                   cluster=cluster, title="Cien años de soledad", sort_title="cien anos")
    libraries = []
    for k in range(holders):
        code = CERLALC_MEMBERS[k % len(CERLALC_MEMBERS)]
        library = Library.objects.create(name=f"Biblioteca {k:03d}", country=countries[code], type="public")
        if code == "PE" and k % 2:
            library.networks.add(pe_public)
        network = Network.objects.filter(country=countries[code]).first()
        if network and code != "PE":
            library.networks.add(network)
        libraries.append(library)
        Holding.objects.create(record=record, library=library, status="Perdido" if k % 17 == 16 else "")
        if k % 10 != 9:
            today = datetime.date.today()
            LendingPolicy.objects.create(
                library=library, lends_to=rng.choice(["members", "members", "agreements", "country"]),
                paused_from=today if k % 13 == 12 else None)
    agreement = PartnershipAgreement.objects.create(title="Convenio", signed=datetime.date(2025, 1, 1),
                                                    starts=datetime.date(2025, 1, 1), scopes=["loans"])
    agreement.networks.set([pe_public, *Network.objects.filter(country__code__in=["CL", "UY", "AR"])])
    # A year of traffic: each holder lent and borrowed a few times.
    for k, library in enumerate(libraries):
        for n in range(rng.randint(0, 4)):
            loan = LoanRequest.objects.create(borrower=library, title="x", request_id=f"b-{k}-{n}", state="completed")
            RotaEntry.objects.create(request=loan, library=libraries[(k + n + 1) % holders], position=1,
                                     reason="region", outcome="supplying", asked_at=loan.created)
    return borrower, cluster


PEER_SQL = """
SELECT l.id, l.name, l.country_id, h.status, p.lends_to, p.lends_returnables, p.paused_from, p.paused_until
FROM catalog_holding h
JOIN catalog_record r ON r.id = h.record_id
JOIN registry_library l ON l.id = h.library_id
LEFT JOIN loans_lendingpolicy p ON p.library_id = l.id
WHERE r.cluster_id = %s AND l.id <> %s
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--holders", type=int, default=50)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=_setup.SEED)
    args = parser.parse_args()
    _setup.start("ill-rota")
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sirbi.loans import rota

    borrower, cluster = build_world(args.holders, args.seed)
    print(f"ill_rota: a cluster held by {args.holders} libraries, {args.runs} runs ({_setup.environment()}; "
          f"load average {os.getloadavg()[0]:.1f})")
    built = rota.build(borrower, cluster=cluster)
    if len(built.lenders) + len(built.excluded) != args.holders:
        _setup.fail("the rota does not account for every holder")
    with CaptureQueriesContext(connection) as queries:
        rota.build(borrower, cluster=cluster)
    ours, peer = [], []
    # Timed as in production: DEBUG off (with it, Django keeps every query and, on SQLite, asks the database to
    # quote each query's parameters for its log: a second query per query).
    settings.DEBUG = False
    for _ in range(args.runs):
        start = time.perf_counter()
        rota.build(borrower, cluster=cluster)
        ours.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(PEER_SQL, [cluster.pk, borrower.pk])
            rows = cursor.fetchall()
        peer.append((time.perf_counter() - start) * 1000)
    settings.DEBUG = True
    if len(rows) != args.holders:
        _setup.fail("the peer does not read every holder")
    p95, peer_p95 = _setup.percentile(ours, 0.95), _setup.percentile(peer, 0.95)
    print(f"rota: {len(built.lenders)} lenders, {len(built.excluded)} left out, {len(queries)} SQL queries")
    print(f"peer  one SQL statement: p50 {_setup.percentile(peer, 0.5):6.2f} ms  p95 {peer_p95:6.2f} ms")
    print(f"ours  rota.build:        p50 {_setup.percentile(ours, 0.5):6.2f} ms  p95 {p95:6.2f} ms  "
          f"({p95 / peer_p95:.1f}x the peer)")
    print(f"target p95 ≤ {TARGET_P95_MS} ms: {'met' if p95 <= TARGET_P95_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
