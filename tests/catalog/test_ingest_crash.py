"""The search index agrees with the database after an import is killed half way: the batches it committed are
found by search once the import runs again, or once a waiting worker has swept (harvests: test_harvest.py)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pymarc
import pytest

from sirbi.catalog import ingest
from sirbi.catalog.models import Cluster, Source, StaleDocument
from sirbi.catalog.search import TantivyBackend, backend
from sirbi.core import jobs

from .conftest import DATA

COPIES = 150  # of the 20 records of marc.dat: 3,000 records, three batches of 1,000


def big_marc_file(path):
    """COPIES distinct editions of each record of marc.dat: own 001, no ISBN, and a title whose first words are
    their own (so that neither a key nor a similar title merges them)."""
    records = list(pymarc.MARCReader((DATA / "pymarc-marc.dat").open("rb")))
    titles = [record["245"]["a"] for record in records]
    with path.open("wb") as out:
        for copy in range(COPIES):
            for n, record in enumerate(records):
                record.remove_fields("001", "020")
                record.add_ordered_field(pymarc.Field(tag="001", data=f"kill-{copy}-{n}"))
                record["245"]["a"] = f"Volume{copy} part{copy} {titles[n]}"
                out.write(record.as_marc())
    return COPIES * len(records)


def sirbi(env, *args, **options):
    return subprocess.run([sys.executable, "-m", "sirbi", *args], env=env, capture_output=True, text=True,
                          timeout=600, **options)


def count(database, table):
    with sqlite3.connect(database, timeout=30) as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_an_import_killed_after_its_first_batch_is_searchable_once_run_again(tmp_path):
    """A real `sirbi import-marc` on its own SQLite platform (the same on every CI database): SIGKILL once a
    batch is committed, run again, and every cluster of the database is in the index, and nothing else."""
    database, index = tmp_path / "sirbi.sqlite3", tmp_path / "catalog-index"
    env = {**os.environ, "VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{database}",
           "CATALOG_INDEX_DIR": str(index), "DEBUG": "true", "CATALOG_INGEST_PROCESSES": "1"}
    total = big_marc_file(tmp_path / "big.mrc")
    assert sirbi(env, "migrate", "-v0").returncode == 0
    created = sirbi(env, "shell", "-c", "from sirbi.registry.countries import load_countries; load_countries(); "
                    "from sirbi.registry.models import Country, Library; Library.objects.create(name='Lima', "
                    "isil='PE-LIM01', country=Country.objects.get(code='PE'), type='public'); "
                    "from sirbi.core.models import User; User.objects.create_superuser('ops', 'ops@example.org', None)")
    assert created.returncode == 0, created.stderr
    command = ["import-marc", "--source", "lima", "--library", "PE-LIM01", str(tmp_path / "big.mrc"), "-v0"]

    # Its own session, so that the kill takes the whole import (as a service manager's would).
    importer = subprocess.Popen([sys.executable, "-m", "sirbi", *command], env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while importer.poll() is None and time.monotonic() < deadline:
        if database.exists() and count(database, "catalog_record"):
            break
        time.sleep(0.02)
    assert importer.poll() is None, "the import ended before a batch could be seen: " + importer.stderr.read().decode()
    os.killpg(importer.pid, signal.SIGKILL)
    importer.wait()
    stored = count(database, "catalog_record")
    assert 0 < stored < total
    assert count(database, "catalog_staledocument")  # what the index misses, kept for the next run

    again = sirbi(env, *command)
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(database) as db:
        clusters = {row[0] for row in db.execute("SELECT id FROM catalog_cluster")}
        assert db.execute("SELECT count(*) FROM catalog_record").fetchone()[0] == total
    assert len(clusters) == total
    indexed = TantivyBackend(index).search("", limit=total + 100)
    assert set(indexed.keys) == clusters
    assert count(database, "catalog_staledocument") == 0


def test_the_worker_indexes_what_a_killed_import_left(lima_library, monkeypatch):
    source = Source.objects.create(code="lima", name="Lima", library=lima_library)

    def killed():
        raise SystemExit("killed before the index was written")

    monkeypatch.setattr(ingest, "index_stale", killed)
    with pytest.raises(SystemExit):
        ingest.import_file(source, (DATA / "pymarc-marc.dat").read_bytes(), "marc.dat")
    assert backend().search("").count == 0 and Cluster.objects.count() == 20
    jobs.work(once=True)  # a worker, with nothing queued
    assert set(backend().search("", limit=100).keys) == set(Cluster.objects.values_list("pk", flat=True))
    assert not StaleDocument.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_import_is_indexed_as_its_batches_commit(lima_library, buenos_aires_library, catalog_index_dir):
    """What the indexing process beside a large import does (indexer.py → indexing.index_as_marked): each batch's
    clusters are indexed once its mark is committed, the index committed every `commit_every` marks (then those
    marks go), and at the end what is left, so that the importer finds nothing left to index."""
    import threading

    from django.db import connections

    from sirbi.catalog import indexing

    engine = TantivyBackend(catalog_index_dir)
    stop, errors = threading.Event(), []

    def alongside():
        try:
            indexing.index_as_marked(stop, 2, engine=engine, poll=0.05)
        except Exception as error:  # noqa: BLE001 — reported by the test below
            errors.append(error)
        finally:
            connections.close_all()

    def indexed():
        engine.index.reload()
        return set(engine.search("", limit=1000).keys)

    lima = Source.objects.create(code="lima", name="Lima", library=lima_library)
    palermo = Source.objects.create(code="palermo", name="Palermo", library=buenos_aires_library)
    thread = threading.Thread(target=alongside)
    thread.start()
    try:
        ingest.import_file(lima, (DATA / "pymarc-marc.dat").read_bytes(), "marc.dat", index=False)
        ingest.import_file(palermo, (DATA / "pymarc-diacritic.dat").read_bytes(), "diacritic.dat", index=False)
        # Two marks: indexed and committed while the import would still be going on.
        deadline = time.monotonic() + 20
        while (indexed() != set(Cluster.objects.values_list("pk", flat=True)) or StaleDocument.objects.exists()) \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        assert indexed() == set(Cluster.objects.values_list("pk", flat=True))
        assert not StaleDocument.objects.exists()
        before = Cluster.objects.count()
        # One more mark, fewer than commit_every: left uncommitted until the import ends.
        ingest.import_file(palermo, (DATA / "pymarc-batch.xml").read_bytes(), "batch.xml", index=False)
        assert Cluster.objects.count() > before and StaleDocument.objects.count() == 1
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive() and not errors
    assert indexed() == set(Cluster.objects.values_list("pk", flat=True))
    assert not StaleDocument.objects.exists()
