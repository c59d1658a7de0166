"""Response times of the roadmap page and of a country's commitments page, with 1,000 actions and 10,000
progress reports in SQLite.

Ours: in-process requests through django.test.Client (middleware, routing, the roll-up of progress from
actions to objectives, lines and the whole roadmap, the template), anonymous, DEBUG off as in production:
- `/es/cooperation/roadmap/` (the whole tree, every action listed with its progress bar);
- `/es/cooperation/roadmap/countries/<CC>/` for the 21 members in turn (the actions a country leads and
  joins, with overdue flags).
p50 and p95 over --requests requests each; target p95 <= 150 ms.

Peer: the same roll-up computed by the database alone: one SQL statement with window-free GROUP BYs that
gives each objective's and each line's weighted progress and the roadmap's total (what the numbers cost
without Python, templates or HTTP). The totals of both must agree.

The number of SQL queries per request is printed for a roadmap of 100 actions and one of 1,000: it must
be the same (the benchmark fails otherwise).

Run from the repository root: `.venv/bin/python benchmarks/roadmap_pages.py [--actions N] [--requests N]`.
"""

import argparse
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

import _setup

TARGET_P95_MS = 150
LINES = 6
OBJECTIVES_PER_LINE = 5
REPORTS_PER_ACTION = 10
STATUSES = ["planned", "in_progress", "in_progress", "in_progress", "on_hold", "done", "done", "cancelled"]


def create_roadmap(n_actions, seed):
    """Lines, objectives, `n_actions` actions with participants, two milestones and ten reports each."""
    from django.db import transaction

    from sirbi.cooperation.models import Action, Line, Milestone, Objective, ProgressReport
    from sirbi.registry.models import Country

    rng = random.Random(seed)
    countries = list(Country.objects.filter(is_member=True))
    today = date.today()
    with transaction.atomic():
        Action.objects.all().delete()
        Objective.objects.all().delete()
        Line.objects.all().delete()
        lines = Line.objects.bulk_create([Line(code=f"line-{i}", name=f"Línea {i}", order=i,
                                               weight=Decimal(rng.randint(1, 3))) for i in range(LINES)])
        objectives = Objective.objects.bulk_create([
            Objective(line=line, code=f"obj-{line.pk}-{j}", name=f"Objetivo {line.order}.{j}", order=j,
                      weight=Decimal(rng.randint(1, 3)))
            for line in lines for j in range(OBJECTIVES_PER_LINE)])
        actions = []
        for k in range(n_actions):
            start = today - timedelta(days=rng.randint(0, 1500))
            actions.append(Action(objective=rng.choice(objectives), code=f"action-{k}", title=f"Acción {k}",
                                  lead_country=rng.choice(countries), start=start,
                                  end=start + timedelta(days=rng.randint(90, 1500)), status=rng.choice(STATUSES),
                                  weight=Decimal(rng.randint(1, 5)), progress=0))
        actions = Action.objects.bulk_create(actions)
        through = Action.countries.through
        through.objects.bulk_create([through(action_id=a.pk, country_id=c.pk) for a in actions
                                     for c in rng.sample(countries, 2) if c.pk != a.lead_country_id])
        Milestone.objects.bulk_create([Milestone(action=a, title=f"Hito {m}", due=a.start + timedelta(days=60 * m),
                                                 done_on=None if rng.random() < 0.5 else a.start)
                                       for a in actions for m in (1, 2)])
        reports = []
        for action in actions:
            progress = 0
            for r in range(REPORTS_PER_ACTION):
                progress = min(100, progress + rng.randint(0, 15))
                reports.append(ProgressReport(action=action, date=action.start + timedelta(days=30 * r),
                                              progress=progress, text=f"Informe {r}"))
            action.progress = progress
        ProgressReport.objects.bulk_create(reports, batch_size=5000)
        Action.objects.bulk_update(actions, ["progress"], batch_size=5000)


def peer_total():
    """The roadmap's weighted progress by the database alone: objectives, then lines, then the total."""
    from django.db import connection

    from sirbi.cooperation.models import Action, Line, Objective

    sql = f"""
        WITH objective_progress AS (
            SELECT o.id, o.line_id, o.weight,
                   SUM(a.weight * a.progress) * 1.0 / NULLIF(SUM(a.weight), 0) AS progress
            FROM {Objective._meta.db_table} o JOIN {Action._meta.db_table} a ON a.objective_id = o.id
            WHERE a.status <> 'cancelled' GROUP BY o.id, o.line_id, o.weight),
        line_progress AS (
            SELECT l.id, l.weight, SUM(op.weight * op.progress) * 1.0 / NULLIF(SUM(op.weight), 0) AS progress
            FROM {Line._meta.db_table} l JOIN objective_progress op ON op.line_id = l.id
            WHERE op.progress IS NOT NULL GROUP BY l.id, l.weight)
        SELECT SUM(weight * progress) * 1.0 / NULLIF(SUM(weight), 0) FROM line_progress
        WHERE progress IS NOT NULL"""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return float(cursor.fetchone()[0])


def timed(function, items):
    times = []
    for item in items:
        started = time.perf_counter()
        function(item)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=1000, help="actions in the roadmap (1000)")
    parser.add_argument("--requests", type=int, default=100, help="requests per page (100)")
    parser.add_argument("--seed", type=int, default=_setup.SEED)
    args = parser.parse_args()

    _setup.start("roadmap")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from sirbi.cooperation.models import Action, ProgressReport
    from sirbi.cooperation.roadmap import services as roadmap
    from sirbi.registry.models import CERLALC_MEMBERS

    print(f"roadmap_pages: {args.actions:,} actions, {args.actions * REPORTS_PER_ACTION:,} progress reports in "
          f"SQLite, {args.requests} requests per page ({_setup.environment()})")
    client = Client()
    pages = {"roadmap": lambda k: "/es/cooperation/roadmap/",
             "country": lambda k: f"/es/cooperation/roadmap/countries/{CERLALC_MEMBERS[k % 21]}/"}

    def fetch(path):
        response = client.get(path)
        if response.status_code != 200:
            _setup.fail(f"{path} answered {response.status_code}")
        return response

    queries = {}
    with override_settings(DEBUG=False):
        for size in (args.actions // 10, args.actions):
            create_roadmap(size, args.seed)
            for name, path in pages.items():
                with CaptureQueriesContext(connection) as captured:
                    fetch(path(0))
                queries.setdefault(name, []).append(len(captured))
        print(f"  data: {Action.objects.count():,} actions, {ProgressReport.objects.count():,} progress reports")
        ours = roadmap.tree().progress
        theirs = peer_total()
        if abs(ours - theirs) > 1e-6:
            _setup.fail(f"the roll-up differs: ours {ours:.6f}, peer {theirs:.6f}")
        print(f"  whole roadmap's progress: {ours:.2f} % (the peer's SQL agrees)")
        results = {}
        for name, path in pages.items():
            timed(lambda k, path=path: fetch(path(k)), range(5))  # warm-up
            results[name] = timed(lambda k, path=path: fetch(path(k)), range(args.requests))
        results["peer"] = timed(lambda k: peer_total(), range(args.requests))

    for name, counts in queries.items():
        print(f"  SQL queries per request, {name}: {counts[0]} with {args.actions // 10} actions, {counts[1]} with "
              f"{args.actions} -> {'independent of the number of actions' if counts[0] == counts[1] else 'GROWS'}")
    peer_p95 = _setup.percentile(results["peer"], 0.95)
    print(f"peer  roll-up in one SQL statement: p50 {_setup.percentile(results['peer'], 0.5):6.1f} ms  "
          f"p95 {peer_p95:6.1f} ms")
    for name, label in (("roadmap", "roadmap page     "), ("country", "country page     ")):
        p50, p95 = (_setup.percentile(results[name], q) for q in (0.5, 0.95))
        print(f"ours  {label}: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ratio ours/peer p95 {p95 / peer_p95:5.1f}x  "
              f"target p95 <= {TARGET_P95_MS} ms: {'met' if p95 <= TARGET_P95_MS else 'NOT met'}")
    if any(counts[0] != counts[1] for counts in queries.values()):
        _setup.fail("the number of SQL queries grows with the number of actions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
