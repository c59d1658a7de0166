"""Interlibrary loan requests through the whole loan cycle, messages per second and p95 per message (issue #17:
at least 300 messages per second, p95 at most 30 ms).

Ours: --requests requests (default 10,000), each through the seven steps of a loan — open (the rota built from the
holders of its cluster), send, WillSupply, Loaned, Received, ShippedReturn, LoanCompleted — by the services the
pages and the API call (`sirbi.loans.services`). Half of the requests are asked of lenders on another system
(partners with a token): their three statuses arrive as ISO 18626 XML posted to `POST /iso18626` in-process
(Django's test client: the whole middleware stack, the token, parsing, schema checks, matching, the services and the
confirmation built), the other half's from our pages' services. Each step is one message, timed alone.

Peer: the bare insert of the same transitions (the same number of rows in `loans_transition`, one INSERT and one
COMMIT each, as each of our steps is one transaction) through the database driver (Python's sqlite3 module) on the
same database file: what writing the timeline costs at least, so the ratio shows what the rules, the state machines,
the rota, the change log and the XML add.

Run from the repository root: `.venv/bin/python benchmarks/ill_flow.py [--requests N]`.
"""

import argparse
import cProfile
import datetime
import os
import pstats
import sqlite3
import sys
import time

import _setup

TARGET_RATE = 300
TARGET_P95_MS = 30
STEPS = 7
LENDER_COUNTRIES = ["CL", "UY", "AR", "CO", "MX", "BR", "EC", "BO", "CR", "ES"]


def build_world(clusters):
    from sirbi.catalog.models import Cluster, Holding, Record, Source
    from sirbi.core.models import Role, RoleAssignment, User
    from sirbi.loans.models import LendingPolicy, PartnerEndpoint
    from sirbi.registry.models import Country, Library

    countries = {c.code: c for c in Country.objects.filter(code__in=["PE", *LENDER_COUNTRIES])}
    borrowers = [Library.objects.create(name=f"Biblioteca Municipal {k:02d}", isil=f"PE-BOR{k:02d}",
                                        country=countries["PE"], type="public") for k in range(20)]
    ours, partners, tokens = [], [], {}
    for k in range(20):
        code = LENDER_COUNTRIES[k % len(LENDER_COUNTRIES)]
        library = Library.objects.create(name=f"Biblioteca {code} {k:02d}", isil=f"{code}-LEN{k:02d}",
                                         country=countries[code], type="public")
        LendingPolicy.objects.create(library=library, lends_to="members", deliveries=["post"])
        if k % 2:
            endpoint = PartnerEndpoint(library=library, url=f"https://ill{k}.example.org/iso18626",
                                       agency_id=library.isil)
            tokens[library.pk] = f"token-{k}"
            endpoint.set_token(tokens[library.pk])
            endpoint.save()
            partners.append(library)
        else:
            ours.append(library)
    source = Source.objects.create(code="bench", name="Fuente")
    held = {"ours": [], "partner": []}
    for k in range(clusters):
        side = "partner" if k % 2 else "ours"
        holders = partners if k % 2 else ours
        cluster = Cluster.objects.create()
        record = Record.objects.create(source=source, local_id=str(k), raw=b"", digest=str(k), raw_format="marcxml",
                                       cluster=cluster, title=f"Libro {k}", sort_title=f"libro {k}")
        Holding.objects.bulk_create([Holding(record=record, library=holders[(k + n) % len(holders)])
                                     for n in range(3)])
        held[side].append(cluster)
    user = User.objects.create_user("bench-secretariat", password="x")
    RoleAssignment.objects.create(user=user, role=Role.SECRETARIAT)
    return borrowers, held, tokens, user


def run_ours(requests, borrowers, held, tokens, user):
    """[(path, milliseconds)] of every message, and the number of requests completed."""
    from django.test import Client

    from sirbi.loans import services
    from sirbi.loans.iso18626.codes import Action, Status
    from sirbi.loans.iso18626.messages import Agency, Header, SupplyingAgencyMessage, build
    from sirbi.loans.iso18626.requester import Step

    client = Client()
    times = []
    moment = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)

    def timed(path, step, call, *args, **kwargs):
        start = time.perf_counter()
        result = call(*args, **kwargs)
        times.append((path, step, (time.perf_counter() - start) * 1000))
        return result

    def xml(loan, status, reason, at):
        header = Header(supplying=Agency(loan.lender.isil), requesting=Agency(loan.borrower.isil), timestamp=at,
                        request_id=loan.request_id)
        body = build(SupplyingAgencyMessage(header=header, reason_for_message=reason, status=status, last_change=at))
        response = client.post("/iso18626", data=body, content_type="application/xml",
                               headers={"Authorization": f"Bearer {tokens[loan.lender_id]}"})
        if response.status_code != 200 or b"messageStatus>OK<" not in response.content:
            _setup.fail(f"the endpoint refused {status}: {response.content[:300]!r}")

    completed = 0
    day = datetime.timedelta(days=1)
    for k in range(requests):
        partner = k % 2 == 1
        clusters = held["partner" if partner else "ours"]
        cluster = clusters[k // 2 % len(clusters)]
        borrower = borrowers[k % len(borrowers)]
        moment += datetime.timedelta(seconds=30)
        loan = timed("services", "open", services.open_request, user, borrower, cluster=cluster, title="Libro",
                     now=moment)
        loan = timed("services", "send", services.act, loan, Step.SEND, user=user, now=moment)
        if (loan.lender_id in tokens) != partner:
            _setup.fail("the rota did not ask the expected lender first")
        if partner:
            timed("iso18626", "WillSupply", xml, loan, Status.WILL_SUPPLY, "RequestResponse", moment)
            timed("iso18626", "Loaned", xml, loan, Status.LOANED, "StatusChange", moment + day)
        else:
            loan = timed("services", "WillSupply", services.respond, loan, Status.WILL_SUPPLY, user=user, now=moment)
            loan = timed("services", "Loaned", services.respond, loan, Status.LOANED, user=user, now=moment)
        loan = timed("services", "Received", services.act, loan, Action.RECEIVED, user=user, now=moment)
        loan = timed("services", "ShippedReturn", services.act, loan, Action.SHIPPED_RETURN, user=user, now=moment)
        if partner:
            timed("iso18626", "LoanCompleted", xml, loan, Status.LOAN_COMPLETED, "StatusChange", moment + 20 * day)
        else:
            timed("services", "LoanCompleted", services.respond, loan, Status.LOAN_COMPLETED, user=user, now=moment)
        completed += 1
    return times, completed


def run_peer(database, rows):
    """Milliseconds of each bare INSERT + COMMIT of a timeline row, through sqlite3 on the same file."""
    connection = sqlite3.connect(database, isolation_level="DEFERRED")
    connection.execute("PRAGMA synchronous=NORMAL")  # as the platform's own connections (settings.py; WAL)
    columns = [c for c in rows[0]]
    sql = (f"INSERT INTO loans_transition ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    times = []
    for row in rows:
        start = time.perf_counter()
        connection.execute(sql, [row[c] for c in columns])
        connection.commit()
        times.append((time.perf_counter() - start) * 1000)
    connection.close()
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print where ours spends its time (cProfile)")
    parser.add_argument("--sort", default="tottime", help="cProfile sort key with --profile (e.g. cumulative)")
    parser.add_argument("--callees", help="with --profile: also what the functions matching this pattern call")
    parser.add_argument("--debug", action="store_true",
                        help="keep DEBUG on (Django records every query; on SQLite each costs an extra query)")
    args = parser.parse_args()
    tmp = _setup.start("ill-flow")
    from django.conf import settings
    from django.db import connection

    from sirbi.loans.models import LoanRequest, Transition

    borrowers, held, tokens, user = build_world(args.clusters)
    print(f"ill_flow: {args.requests} requests × {STEPS} messages, half of the lenders partners answering by "
          f"ISO 18626 XML ({_setup.environment()}; load average {os.getloadavg()[0]:.1f})")
    # Timed as in production: DEBUG off (with it, Django keeps every query and, on SQLite, asks the database to
    # quote each query's parameters for its log: a second query per query).
    settings.DEBUG = args.debug
    profiler = cProfile.Profile() if args.profile else None
    cpu = time.process_time()
    wall = time.perf_counter()
    if profiler:
        profiler.enable()
    times, completed = run_ours(args.requests, borrowers, held, tokens, user)
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    settings.DEBUG = True
    if completed != args.requests or LoanRequest.objects.filter(state="completed").count() != args.requests:
        _setup.fail("not every request reached LoanCompleted")
    steps = Transition.objects.count()
    # The peer inserts as many timeline rows as the messages made, copied from ours (new times, no message key).
    rows = list(Transition.objects.values("request_id", "side", "name", "state_before", "state_after",
                                          "supplier_status", "reason", "loan_condition", "answer", "note", "via",
                                          "time", "library_id", "user_id")[:len(times)])
    for row in rows:
        row["time"] = row["time"].isoformat()
    connection.close()
    peer = run_peer(str(tmp / "sirbi.sqlite3"), rows)
    all_ms = [ms for _path, _step, ms in times]
    xml_ms = [ms for path, _step, ms in times if path == "iso18626"]
    rate, peer_rate = len(all_ms) / wall, len(peer) / (sum(peer) / 1000)
    p95, peer_p95 = _setup.percentile(all_ms, 0.95), _setup.percentile(peer, 0.95)
    print(f"messages: {len(all_ms)} ({len(xml_ms)} as ISO 18626 XML); timeline rows written: {steps}; "
          f"wall {wall:.1f} s, CPU {cpu:.1f} s ({cpu * 1000 / len(times):.2f} ms of CPU per message, "
          f"{len(times) / cpu:.0f} messages per CPU second)")
    print(f"peer  bare INSERT+COMMIT (sqlite3): {peer_rate:8.0f} msg/s  p50 {_setup.percentile(peer, 0.5):6.2f} ms  "
          f"p95 {peer_p95:6.2f} ms")
    print(f"ours  whole cycle:                 {rate:8.0f} msg/s  p50 {_setup.percentile(all_ms, 0.5):6.2f} ms  "
          f"p95 {p95:6.2f} ms  ({peer_rate / rate:.1f}x slower than the peer)")
    print(f"      of which XML via POST /iso18626: p50 {_setup.percentile(xml_ms, 0.5):6.2f} ms  "
          f"p95 {_setup.percentile(xml_ms, 0.95):6.2f} ms")
    steps_ms = {}
    for path, step, ms in times:
        steps_ms.setdefault(f"{step}{' (XML)' if path == 'iso18626' else ''}", []).append(ms)
    print("      p50 per step: " + ", ".join(f"{step} {_setup.percentile(values, 0.5):.2f}"
                                            for step, values in steps_ms.items()) + " ms")
    print(f"target ≥ {TARGET_RATE} msg/s: {'met' if rate >= TARGET_RATE else 'NOT met'}; "
          f"p95 ≤ {TARGET_P95_MS} ms: {'met' if p95 <= TARGET_P95_MS else 'NOT met'}")
    if profiler:
        print(f"\ncProfile of ours (top 45 by {args.sort}; times are inflated by the profiler):")
        stats = pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort)
        stats.print_stats(45)
        if args.callees:
            stats.print_callees(args.callees)


if __name__ == "__main__":
    main()
