"""Harvesters that this project did not write harvest our OAI-PMH provider page by page over HTTP (Sickle,
oaipmh-scythe, Debian's `oai_pmh` from libhttp-oai-perl), and our own harvester (`sirbi harvest`) copies it into a
second, empty instance with the same clusters and holdings.

Live-server tests run in transactions that are flushed afterwards, so each loads the countries, networks and
libraries it needs."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from oaipmh_scythe import Scythe
from sickle import Sickle

from sirbi.catalog import records
from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Cluster, Source
from sirbi.catalog.oai import verbs
from sirbi.registry.countries import load_countries
from sirbi.registry.demo import load_networks
from sirbi.registry.models import Country, Library, Network

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "marc"


@pytest.fixture
def provider(transactional_db, live_server, monkeypatch):
    """The catalog fixture's story over a live server (Lima holds marc.dat's 20 records, Palermo those and three
    more, in network pe-public's country and Argentina), with pages of 4 records."""
    load_countries()
    load_networks()
    lima = Library.objects.create(name="Biblioteca Municipal de Lima", isil="PE-LIM01", type="public",
                                  country=Country.objects.get(code="PE"))
    lima.networks.add(Network.objects.get(code="pe-public"))
    palermo = Library.objects.create(name="Biblioteca Popular de Palermo", isil="AR-BAP01", type="popular",
                                     country=Country.objects.get(code="AR"))
    import_file(Source.objects.create(code="lima", name="Lima", library=lima),
                (DATA / "pymarc-marc.dat").read_bytes(), "marc.dat")
    source = Source.objects.create(code="palermo", name="Palermo", library=palermo)
    for name in ("pymarc-diacritic.dat", "pymarc-marc.dat", "pymarc-batch.xml"):
        import_file(source, (DATA / name).read_bytes(), name)
    monkeypatch.setattr(verbs, "PAGE", 4)
    return live_server.url + "/oai"


def oai_id(pk):
    return f"oai:127.0.0.1:cluster/{pk}"


def test_sickle_harvests_every_cluster_page_by_page(provider):
    sickle = Sickle(provider)
    harvested = [r.header.identifier for r in sickle.ListRecords(metadataPrefix="marc21")]
    assert sorted(harvested) == sorted(oai_id(pk) for pk in Cluster.objects.values_list("pk", flat=True))
    assert len(harvested) > verbs.PAGE * 5  # it followed the tokens
    peru = [h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="country:PE")]
    assert len(peru) == len(set(peru)) == 20
    assert sickle.Identify().deletedRecord == "persistent"


def test_oaipmh_scythe_harvests_records_and_sets(provider):
    with Scythe(provider) as scythe:
        harvested = [r.header.identifier for r in scythe.list_records(metadata_prefix="oai_dc")]
        specs = [s.setSpec for s in scythe.list_sets()]
        record = scythe.get_record(identifier=harvested[0], metadata_prefix="oai_dc")
    assert len(harvested) == len(set(harvested)) == Cluster.objects.count()
    assert {"country:PE", "country:AR", "library:PE-LIM01", "network:pe-public"} <= set(specs)
    assert record.metadata["title"]


# The command's ListSets is broken in Debian's package (it reads each set as a record header), so the sets are
# listed by the same package's HTTP::OAI::Harvester directly.
LIST_SETS = ("my $r = HTTP::OAI::Harvester->new(baseURL => shift)->ListSets; die $r->message unless $r->is_success; "
             "while (my $s = $r->next) { print $s->setSpec, \"\\n\" }")


@pytest.mark.skipif(not shutil.which("oai_pmh"), reason="Debian's libhttp-oai-perl is not installed")
def test_debians_oai_pmh_harvester_lists_records_and_sets(provider):
    def run(*command):
        done = subprocess.run([*command, provider], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout
    listed = run("oai_pmh", "-X", "ListRecords", "--metadataPrefix", "marc21")
    identifiers = [line.split(": ", 1)[1] for line in listed.splitlines() if line.startswith("identifier: ")]
    assert sorted(identifiers) == sorted(oai_id(pk) for pk in Cluster.objects.values_list("pk", flat=True))
    assert "AR-BAP01" in listed  # the records' 852
    specs = run("perl", "-MHTTP::OAI", "-e", LIST_SETS).split()
    assert {"country:PE", "library:AR-BAP01", "network:pe-public"} <= set(specs)


def test_our_harvester_copies_the_catalog_into_an_empty_instance(provider, tmp_path):
    expected = []
    for pk, item in records.load(Cluster.objects.values_list("pk", flat=True)).items():
        expected.append({"records": [oai_id(pk)],
                         "copies": sorted([c.isil, c.call_number, c.barcode, c.status] for c in item.copies)})
    libraries = [[isil, name, country] for isil, name, country in
                 Library.objects.values_list("isil", "name", "country__code")]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/second.sqlite3", "VAR_DIR": str(tmp_path),
           "CATALOG_INDEX_DIR": str(tmp_path / "index"), "HARVEST_ALLOWED_HOSTS": "127.0.0.1",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]), "DEBUG": "true"}
    done = subprocess.run([sys.executable, "-m", "tests.catalog.oai_second_instance", provider, json.dumps(libraries)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    copied = json.loads(done.stdout.strip().splitlines()[-1])
    key = lambda cluster: cluster["records"]  # noqa: E731
    assert sorted(copied, key=key) == sorted(expected, key=key)
    assert sum(len(c["copies"]) for c in copied) == 43  # Lima's 20, Palermo's 23
