from datetime import UTC, datetime, timedelta

import pymarc
import pytest
from django.utils import translation

from sirbi.catalog import harvest as harvesting
from sirbi.catalog.harvest import HarvestError, harvest
from sirbi.catalog.models import Cluster, Holding, Record, Source, StaleDocument
from sirbi.catalog.search import backend

from .conftest import DATA
from .oai_server import Item, TestOAIServer

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def marcxml(record):
    return pymarc.record_to_xml(record, namespace=True)


@pytest.fixture
def oai(lima_library):
    server = TestOAIServer(batch=5)
    records = [r for r in pymarc.MARCReader((DATA / "pymarc-marc.dat").open("rb"))]
    server.provider.items = [Item(f"oai:test:{n}", marcxml(r), T0 + timedelta(minutes=n))
                             for n, r in enumerate(records)]
    source = Source.objects.create(code="oai", name="OAI", kind="oai", library=lima_library, base_url=server.url)
    yield server, source
    server.stop()


def test_full_harvest_follows_resumption_tokens_and_indexes(oai):
    server, source = oai
    report = harvest(source)
    assert (report.added, report.pages) == (20, 4)
    assert sum(1 for r in server.requests if "resumptionToken" in r) == 3
    assert Record.objects.filter(source=source).count() == 20 and Holding.objects.count() == 20
    stored = Record.objects.get(local_id="oai:test:0")
    # Kept as the endpoint wrote it (its namespace prefix), not as pymarc would write it again.
    assert bytes(stored.raw).startswith(b"<marc:record")
    source.refresh_from_db()
    assert source.harvested_until == T0 + timedelta(minutes=19) and source.resumption_token == ""
    assert backend().search("pragmatic programmer").count == 1


def test_incremental_harvest_takes_changes_additions_and_deletions(oai):
    server, source = oai
    harvest(source)
    items = server.provider.items
    later = T0 + timedelta(days=1)
    changed = pymarc.parse_xml_to_array(__import__("io").BytesIO(items[0].xml))[0]
    changed["245"]["a"] = "The pragmatic programmer, revised"
    items[0].xml, items[0].datestamp = marcxml(changed), later
    items[1].deleted, items[1].datestamp = True, later
    gone = Record.objects.get(source=source, local_id="oai:test:1")
    report = harvest(source)
    # "from" is inclusive: the newest record of the last harvest comes again, unchanged.
    assert (report.updated, report.deleted, report.unchanged) == (1, 1, 1)
    assert server.requests[-1].get("from") == (T0 + timedelta(minutes=19)).strftime("%Y-%m-%dT%H:%M:%SZ")
    gone.refresh_from_db()
    assert gone.deleted and gone.cluster_id is None and not gone.holdings.exists()
    assert Record.objects.get(local_id="oai:test:0").title.startswith("The pragmatic programmer, revised")


def test_a_harvest_cut_off_resumes_from_its_token_without_duplicates(oai, monkeypatch):
    server, source = oai
    real_store = harvesting._store_page
    calls = {"n": 0}

    def crash_on_third_page(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real_store(*args)

    monkeypatch.setattr(harvesting, "_store_page", crash_on_third_page)
    with pytest.raises(RuntimeError):
        harvest(source)
    source.refresh_from_db()
    assert source.resumption_token and Record.objects.count() == 10
    monkeypatch.setattr(harvesting, "_store_page", real_store)
    report = harvest(source)
    assert report.added == 10 and Record.objects.count() == 20
    assert server.requests[-2].get("resumptionToken")  # it went on from where it stopped
    # The pages stored before the crash are in the search index too, not only those after it.
    assert set(backend().search("", limit=100).keys) == set(Cluster.objects.values_list("pk", flat=True))
    assert not StaleDocument.objects.exists()


def test_busy_endpoint_is_retried(oai):
    server, source = oai
    server.fail_next = 2
    assert harvest(source).added == 20


@pytest.mark.parametrize("body, message", [
    (b"<html><body>Not OAI</body></html>", "not an OAI-PMH response"),
    (b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="badArgument">'
     b"no</error></OAI-PMH>", "badArgument"),
    (b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record>',
     "HarvestError|not an OAI-PMH|ListRecords"),
])
def test_broken_endpoints_give_a_clear_error_and_keep_what_was_stored(oai, body, message):
    server, source = oai
    harvest(source)
    server.body = body
    with pytest.raises(HarvestError):
        harvest(source, full=True)
    assert Record.objects.filter(source=source, deleted=False).count() == 20


def test_unreachable_endpoint(lima_library):
    source = Source.objects.create(code="down", name="down", kind="oai", library=lima_library,
                                   base_url="http://127.0.0.1:9/oai")
    with translation.override("en"), pytest.raises(HarvestError, match="cannot be reached"):
        harvest(source, backoff=(0, 0))


def test_harvest_command(oai, capsys):
    from django.core.management import CommandError, call_command

    server, source = oai
    call_command("harvest", "oai", verbosity=0)
    assert "20 added" in capsys.readouterr().out
    server.body = b"<html/>"
    with pytest.raises(CommandError, match="run it again"):
        call_command("harvest", "oai", "--full", verbosity=0)


def test_staff_start_a_harvest_from_the_source_page(oai, librarian_lima, coordinator_cl, as_user, settings):
    from django.urls import reverse
    from django.utils import translation

    from sirbi.core.models import Job

    settings.JOBS_EAGER = True
    _server, source = oai
    with translation.override("en"):
        harvest_url = reverse("catalog:source-harvest", args=["oai"])
        page_url = reverse("catalog:source", args=["oai"])
    assert as_user(coordinator_cl).post(harvest_url).status_code == 403
    as_user(librarian_lima).post(harvest_url)
    assert Job.objects.get().result["added"] == 20
    assert "harvested up to" in as_user(librarian_lima).get(page_url).content.decode()


def test_due_sources_are_harvested_and_a_failing_one_does_not_stop_the_others(oai, lima_library, capsys,
                                                                             monkeypatch):
    from django.core.management import CommandError, call_command
    from django.utils import timezone

    monkeypatch.setattr(harvesting, "BACKOFF", (0,))
    server, source = oai
    source.schedule = "daily"
    source.save()
    broken = Source.objects.create(code="broken", name="Broken", kind="oai", library=lima_library,
                                   base_url="http://127.0.0.1:9/oai", schedule="weekly")
    manual = Source.objects.create(code="manual", name="Manual", kind="oai", library=lima_library,
                                   base_url=server.url)
    with pytest.raises(CommandError, match="1 source.s. could not be harvested: broken"):
        call_command("harvest", "--due", verbosity=0)
    assert "oai: 20 added" in capsys.readouterr().out
    source.refresh_from_db()
    manual.refresh_from_db()
    assert source.last_harvest is not None and manual.last_harvest is None
    assert not source.harvest_due(timezone.now())  # harvested today
    assert source.harvest_due(timezone.now() + timedelta(hours=20))  # tomorrow night, a little earlier
    assert broken.harvest_due(timezone.now())  # tried again on the next run
    requests = len(server.requests)
    Source.objects.filter(pk=broken.pk).update(schedule="")
    call_command("harvest", "--due", verbosity=0)  # nothing due: no request
    assert len(server.requests) == requests
