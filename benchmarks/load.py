"""Load: 50 anonymous visitors for 60 s on loopback, against the demo served as `make demo` serves it (gunicorn
with src/sirbi/gunicorn_conf.py, static files collected and served by whitenoise, a background worker beside),
then against Django's development server (`sirbi runserver`, as `make demo` served it before), in the same run.

The platform: a new temporary VAR_DIR with `sirbi migrate`, `sirbi load_demo` and `sirbi collectstatic`, as
`make demo` does, on SQLite (default), on a throw-away PostgreSQL 15 server (--postgres, started from
/usr/lib/postgresql/15/bin as scripts/test does and removed at the end) or on the database of --database-url
(migrated and given the demo data). DEBUG on, as in the demo.

The visitors (locust, headless, in its own process; benchmarks/_load_users.py): each waits 0.5–1.5 s between
pages and asks for the home page, library lists with filters, libraries' pages, catalog searches and API lists,
in Spanish, Portuguese and English; addresses drawn from the demo data with a fixed seed. Before each run the
server gets a few requests of each kind (its workers load their code and templates) and the page cache is
emptied, so neither server finds the other's pages.

Printed for each server: requests, requests/s, p50 and p95 of the response times, errors (anything but a 200
within 30 s), the server processes' CPU time per request (less sensitive to other load on the machine), p95 per
kind of page; then the ratio of ours to the development server.
Target (issue #12): p95 at most 300 ms and no errors, on SQLite and on PostgreSQL.

Run from the repository root: `.venv/bin/python benchmarks/load.py [--seconds 60] [--users 50] [--postgres]`.
"""

import argparse
import concurrent.futures
import contextlib
import csv
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import _setup

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PGBIN = Path("/usr/lib/postgresql/15/bin")
TARGET_P95_MS = 300
KINDS = ["home", "library list with filters", "library page", "catalog search", "API list"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command, **kwargs):
    """Run a command; on failure, stop with its output."""
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode:
        _setup.fail(f"{' '.join(map(str, command))} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def start_postgres(work):
    """A throw-away PostgreSQL 15 server on a free port (as scripts/test starts one); returns (url, stop)."""
    if not (PGBIN / "postgres").exists():
        _setup.fail(f"--postgres needs PostgreSQL 15 in {PGBIN} (Debian package postgresql-15)")
    data, port = work / "pg", free_port()
    data.mkdir()
    as_postgres = []
    if os.getuid() == 0:  # initdb refuses to run as root
        shutil.chown(data, "postgres")
        shutil.chown(work, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data.chmod(0o700)
    run([*as_postgres, PGBIN / "initdb", "-D", data, "-U", "sirbi", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
    run([*as_postgres, PGBIN / "pg_ctl", "-D", data, "-l", data / "server.log", "-w", "-o",
         f"-h 127.0.0.1 -p {port} -k {data} -c max_connections=200", "start"])

    def stop():
        subprocess.run([*as_postgres, PGBIN / "pg_ctl", "-D", data, "-m", "fast", "stop"], capture_output=True)

    run([PGBIN / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "sirbi", "sirbi"])
    return f"postgres://sirbi@127.0.0.1:{port}/sirbi", stop


def prepare(seed):
    """Migrate, load the demo, collect the static files (as `make demo`); the visitors' addresses."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from sirbi.catalog.models import Record
    from sirbi.registry.models import Library

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    call_command("collectstatic", "--noinput", verbosity=0)
    print(f"  demo loaded and static files collected in {time.perf_counter() - started:.0f} s: "
          f"{Library.objects.count():,} libraries, {Record.objects.count():,} catalog records")
    plan = visitor_plan(seed)
    connections.close_all()
    return plan


def visitor_plan(seed):
    """The addresses the visitors choose from (see _load_users.py), drawn from the demo data."""
    from django.db.models import Count

    from sirbi.catalog.models import Record
    from sirbi.registry.models import Country, Library, Network

    rng = random.Random(seed)
    members = sorted(Country.objects.filter(is_member=True).values_list("code", flat=True))
    counts = dict(Library.objects.values_list("country").annotate(n=Count("pk")).order_by())
    lists = []
    for code in members:
        lists += [f"?country={code}", f"?country={code}&type=public", f"?country={code}&status=open"]
        if counts.get(code, 0) > 50:
            lists.append(f"?country={code}&page=2")
    lists += [f"?network={code}" for code in Network.objects.filter(libraries__isnull=False)
              .values_list("code", flat=True).distinct().order_by("code")]
    localities = sorted(set(Library.objects.exclude(locality="").values_list("locality", flat=True)))
    lists += [f"?{urllib.parse.urlencode({'q': town})}" for town in rng.sample(localities, min(40, len(localities)))]
    words = sorted({word.strip(".,:;/()[]").lower() for title in Record.objects.values_list("title", flat=True)
                    for word in title.split() if len(word.strip(".,:;/()[]")) >= 5})
    searches = [f"/catalog/?{urllib.parse.urlencode({'q': word})}" for word in rng.sample(words, min(100, len(words)))]
    api = ["/api/v1/countries/?member=true", "/api/v1/networks/", "/api/v1/meetings/", "/api/v1/good-practices/",
           "/api/v1/roadmap/", "/api/v1/indicators/"]
    for code in members:
        api += [f"/api/v1/libraries/?country={code}", f"/api/v1/libraries/?country={code}&type=public",
                f"/api/v1/networks/?country={code}", f"/api/v1/values/?country={code}"]
    return {"library_lists": [f"/registry/libraries/{query}" for query in lists],
            "libraries": list(Library.objects.values_list("pk", flat=True).order_by("pk")),
            "searches": searches, "api_lists": api}


def empty_page_cache():
    from django.core.cache import cache
    from django.db import connections

    cache.clear()
    connections.close_all()


class Server:
    """gunicorn (as `make demo`) or the development server, with a background worker beside it."""

    def __init__(self, kind, work, workers=None, threads=None):
        self.kind, self.port = kind, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = work / f"{kind}.log"
        env = dict(os.environ)
        if kind == "gunicorn":
            command = [BIN / "gunicorn", "--config", "python:sirbi.gunicorn_conf", "--bind", f"127.0.0.1:{self.port}"]
            if workers:
                command += ["--workers", str(workers)]
            if threads:
                command += ["--threads", str(threads)]
            command.append("sirbi.wsgi")
        else:
            env.pop("STATIC_COLLECTED", None)
            command = [BIN / "sirbi", "runserver", f"127.0.0.1:{self.port}", "--noreload"]
        with self.log.open("w") as log:
            self.processes = [subprocess.Popen(c, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
                              for c in (command, [BIN / "sirbi", "worker"])]
        self.wait_until_up()

    def wait_until_up(self, seconds=120):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.processes[0].poll() is not None:
                _setup.fail(f"{self.kind} stopped at start:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        _setup.fail(f"{self.kind} did not answer within {seconds} s:\n{self.log.read_text()[-3000:]}")

    def warm_up(self, plan):
        """A few requests of each kind, four at a time, so every worker has loaded its code and templates."""
        paths = []
        for language in ("es", "pt", "en"):
            paths += [f"/{language}/", f"/{language}{plan['library_lists'][0]}",
                      f"/{language}/registry/libraries/{plan['libraries'][0]}/", f"/{language}{plan['searches'][0]}"]
        paths += plan["api_lists"][:3]

        def get(path):
            try:
                with urllib.request.urlopen(self.url + path, timeout=60) as response:
                    response.read()
            except (urllib.error.URLError, OSError) as exc:
                return f"{path}: {exc}"

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            failed = [error for error in pool.map(get, paths * 4) if error]
        if failed:
            _setup.fail(f"{self.kind} failed during the warm-up ({failed[0]}):\n{self.log.read_text()[-3000:]}")

    def cpu_seconds(self):
        """{pid: user + system CPU seconds} of the server's processes (gunicorn's master and workers)."""
        import psutil  # installed with locust

        server = psutil.Process(self.processes[0].pid)
        times = {}
        for process in [server, *server.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                cpu = process.cpu_times()
                times[process.pid] = cpu.user + cpu.system
        return times

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def visit(server, plan_file, seconds, users, work):
    """Run the visitors against the server; {kind or "all": {requests, errors, rps, p50, p95}} and the errors."""
    prefix = work / f"locust-{server.kind}"
    cpu_before = server.cpu_seconds()
    done = subprocess.run(
        [BIN / "locust", "-f", HERE / "_load_users.py", "--headless", "--users", str(users), "--spawn-rate",
         str(users), "--run-time", f"{seconds}s", "--host", server.url, "--only-summary", "--csv", prefix,
         "--loglevel", "ERROR", "--exit-code-on-error", "0"],
        env={**os.environ, "SIRBI_LOAD_PLAN": str(plan_file)}, capture_output=True, text=True)
    cpu = sum(seconds - cpu_before.get(pid, 0) for pid, seconds in server.cpu_seconds().items())
    if done.returncode or not Path(f"{prefix}_stats.csv").exists():
        _setup.fail(f"locust failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    figures = {}
    with open(f"{prefix}_stats.csv", newline="") as file:
        for row in csv.DictReader(file):
            name = "all" if row["Name"] == "Aggregated" else row["Name"]
            figures[name] = {"requests": int(row["Request Count"]), "errors": int(row["Failure Count"]),
                             "rps": float(row["Requests/s"]), "p50": float(row["50%"]), "p95": float(row["95%"])}
    with open(f"{prefix}_failures.csv", newline="") as file:
        errors = [f"{row['Occurrences']} x {row['Name']}: {row['Error']}" for row in csv.DictReader(file)]
    figures["all"]["cpu_ms"] = 1000 * cpu / max(1, figures["all"]["requests"])
    return figures, errors


def report(label, figures, errors):
    total = figures["all"]
    print(f"{label:34} {total['requests']:6,} requests  {total['rps']:6.1f} req/s  p50 {total['p50']:6.0f} ms  "
          f"p95 {total['p95']:6.0f} ms  errors {total['errors']:,}  server CPU {total['cpu_ms']:.0f} ms/request")
    kinds = [f"{kind} {figures[kind]['p95']:.0f} ms" for kind in KINDS if kind in figures]
    print("      p95 per kind: " + ", ".join(kinds))
    for line in errors[:5]:
        print(f"      error: {line}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of each run (default 60)")
    parser.add_argument("--users", type=int, default=50, help="concurrent visitors (default 50)")
    parser.add_argument("--postgres", action="store_true", help="on a throw-away PostgreSQL 15 server")
    parser.add_argument("--database-url", help="on this database (migrated and given the demo data)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: src/sirbi/gunicorn_conf.py)")
    parser.add_argument("--threads", type=int, help="threads per gunicorn worker (default: gunicorn_conf.py)")
    parser.add_argument("--skip-runserver", action="store_true", help="only ours, no development server run")
    parser.add_argument("--seed", type=int, default=_setup.SEED)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sirbi-load-"))
    stops = [lambda: shutil.rmtree(work, ignore_errors=True)]
    try:
        var = work / "var"
        var.mkdir()
        database_url = args.database_url or f"sqlite:///{var / 'sirbi.sqlite3'}"
        if args.postgres and not args.database_url:
            database_url, stop_postgres = start_postgres(work)
            stops.append(stop_postgres)
        for name in ("SECRET_KEY", "ALLOWED_HOSTS", "STATIC_ROOT", "CATALOG_INDEX_DIR"):
            os.environ.pop(name, None)
        # As `make demo`: DEBUG on, static files collected (the development server run ignores them).
        os.environ.update(VAR_DIR=str(var), DATABASE_URL=database_url, DEBUG="true", STATIC_COLLECTED="true",
                          JOBS_EAGER="false", DJANGO_SETTINGS_MODULE="sirbi.settings", PYTHONDONTWRITEBYTECODE="1",
                          # The 50 visitors all come from 127.0.0.1: one address's API rate would refuse them.
                          API_ANON_RATE="100000/minute")
        engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        print(f"load: {args.users} visitors, {args.seconds} s per server, {engine}, loopback ({_setup.environment()}; "
              f"load average {os.getloadavg()[0]:.1f})")
        plan = prepare(args.seed)
        plan_file = work / "plan.json"
        plan_file.write_text(json.dumps(plan))
        print(f"  addresses: {len(plan['library_lists'])} library lists, {len(plan['libraries']):,} libraries, "
              f"{len(plan['searches'])} searches, {len(plan['api_lists'])} API lists")

        results = {}
        for kind in ("gunicorn", "runserver")[:1 if args.skip_runserver else 2]:
            empty_page_cache()
            server = Server(kind, work, args.workers, args.threads)
            stops.append(server.stop)
            try:
                server.warm_up(plan)
                results[kind] = visit(server, plan_file, args.seconds, args.users, work)
            finally:
                server.stop()
            print(f"  {kind} run done (load average {os.getloadavg()[0]:.1f})")

        if "runserver" in results:
            report("peer  runserver (development):", *results["runserver"])
        report("ours  gunicorn (as make demo):", *results["gunicorn"])
        ours = results["gunicorn"][0]["all"]
        if "runserver" in results:
            peer = results["runserver"][0]["all"]
            print(f"ratio ours/runserver: {ours['rps'] / peer['rps']:.1f}x the requests/s, "
                  f"p95 {ours['p95'] / peer['p95']:.2f}x")
        met = ours["p95"] <= TARGET_P95_MS and ours["errors"] == 0
        print(f"target p95 <= {TARGET_P95_MS} ms and no errors: {'met' if met else 'NOT met'}")
        return 0
    finally:
        for stop in reversed(stops):
            stop()


if __name__ == "__main__":
    sys.exit(main())
