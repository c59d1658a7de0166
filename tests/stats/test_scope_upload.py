"""One spreadsheet for a whole scope: a network manager's network and its libraries, saved in bulk with the
same rules as the form (scope, sent figures, flags, change log), in a background job."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from sirbi.core import batches
from sirbi.core.models import ChangeLog, ImportBatch
from sirbi.registry.models import Library
from sirbi.stats.campaigns.services import CampaignError, Entry, Unit, save_figures, save_many
from sirbi.stats.models import Indicator, Value
from tests.stats.test_campaigns import campaign  # noqa: F401  (fixture)
from tests.stats.test_spreadsheets import csv_rows, write_csv


@pytest.fixture
def libraries(peru, pe_public):
    created = []
    for n in range(12):
        library = Library.objects.create(name=f"Biblioteca {n}", country=peru, type="public", locality="Lima")
        library.networks.add(pe_public)
        created.append(library)
    return created


@pytest.fixture
def eager_jobs(settings, tmp_path):
    """The upload's background job runs within the request, its file under a temporary directory."""
    settings.JOBS_EAGER = True
    settings.UPLOAD_DIR = tmp_path
    return tmp_path


def page_text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_network_manager_sends_all_their_libraries_at_once(as_user, network_manager_pe, campaign,  # noqa: F811
                                                             libraries, eager_jobs):
    client = as_user(network_manager_pe)
    response = client.get(f"/en/stats/campaigns/{campaign.pk}/template.csv", {"language": "en"})
    rows = csv_rows(response.content)
    assert {r["unit"] for r in rows} == {f"library:{lib.pk}" for lib in libraries}
    for k, row in enumerate(rows):
        row["value"] = {"libraries": "1", "libraries_internet": "1", "visits": f"{10_000 + k:,}"}[row["indicator"]]
    rows[-1]["value"] = "9,000,000"  # one library's visits a thousand times the others'
    response = client.post(f"/en/stats/campaigns/{campaign.pk}/upload/",
                           {"file": SimpleUploadedFile("all.csv", write_csv(rows))}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/en/stats/campaigns/uploads/")
    assert "36 new" in page_text(response) and "1 flagged by the checks" in page_text(response)
    assert not list(eager_jobs.iterdir())  # the upload is removed once read
    assert Value.objects.filter(campaign=campaign, status="draft").count() == 36
    flagged = Value.objects.filter(campaign=campaign).exclude(flags=[])
    assert [(v.indicator.code, v.value) for v in flagged] == [("visits", 9_000_000)]
    assert ChangeLog.objects.filter(source="import", action="create").count() == 36


def test_a_row_outside_the_scope_refuses_the_whole_file(as_user, network_manager_pe, campaign, libraries,  # noqa: F811
                                                        cusco_library, eager_jobs):
    client = as_user(network_manager_pe)
    rows = csv_rows(client.get(f"/en/stats/campaigns/{campaign.pk}/template.csv").content)
    rows[0]["value"] = "5"
    rows[1]["unit"] = f"library:{cusco_library.pk}"  # in Peru, but not in the manager's network
    rows[1]["value"] = "7"
    with translation.override("en"):
        response = client.post(f"/en/stats/campaigns/{campaign.pk}/upload/",
                               {"file": SimpleUploadedFile("all.csv", write_csv(rows))}, follow=True)
    assert "Nothing was saved" in page_text(response) and "row 3, column unit" in page_text(response)
    assert not Value.objects.filter(campaign=campaign).exists()


def test_bulk_saving_keeps_sent_figures_and_updates_drafts(campaign, coordinator_pe, peru):  # noqa: F811
    libraries_indicator = Indicator.objects.get(code="libraries")
    save_figures(coordinator_pe, campaign, Unit(peru), [Entry(libraries_indicator, "public", 500)], submit=True)
    with pytest.raises(CampaignError), translation.override("en"):
        save_many(coordinator_pe, campaign, [(Unit(peru), Entry(libraries_indicator, "public", 501))])
    visits = Indicator.objects.get(code="visits")
    counts = save_many(coordinator_pe, campaign, [(Unit(peru), Entry(libraries_indicator, "public", 500)),
                                                  (Unit(peru), Entry(visits, "public", 100))])
    assert counts["created"] == 1 and counts["unchanged"] == 1
    counts = save_many(coordinator_pe, campaign, [(Unit(peru), Entry(visits, "public", 120))])
    assert counts["updated"] == 1
    value = Value.objects.get(campaign=campaign, indicator=visits)
    assert value.value == 120 and value.version == 2
    assert ChangeLog.objects.filter(object_id=value.pk, action="update").get().before["value"] == 100
    counts = save_many(coordinator_pe, campaign, [(Unit(peru), Entry(visits, "public", None))])
    assert counts["deleted"] == 1 and not Value.objects.filter(campaign=campaign, indicator=visits).exists()


def test_an_uploads_result_is_for_its_sender(as_user, network_manager_pe, coordinator_cl, campaign,  # noqa: F811
                                             libraries, eager_jobs):
    client = as_user(network_manager_pe)
    rows = csv_rows(client.get(f"/en/stats/campaigns/{campaign.pk}/template.csv").content)
    response = client.post(f"/en/stats/campaigns/{campaign.pk}/upload/",
                           {"file": SimpleUploadedFile("all.csv", write_csv(rows))}, follow=True)
    result_url = response.redirect_chain[-1][0]
    assert client.get(result_url).status_code == 200
    assert as_user(coordinator_cl).get(result_url).status_code == 403


def test_a_scope_upload_is_one_import_batch_with_its_file_and_rows(as_user, network_manager_pe, campaign,  # noqa: F811
                                                                   libraries, eager_jobs):
    client = as_user(network_manager_pe)
    rows = csv_rows(client.get(f"/en/stats/campaigns/{campaign.pk}/template.csv").content)
    for row in rows:
        row["value"] = "3"
    content = write_csv(rows)
    response = client.post(f"/en/stats/campaigns/{campaign.pk}/upload/",
                           {"file": SimpleUploadedFile("all.csv", content)}, follow=True)
    batch = ImportBatch.objects.get(kind="figures")
    assert f'href="/en/platform/changes/imports/{batch.pk}/"' in response.content.decode()
    assert batch.file.read() == content and batch.filename == "all.csv" and batch.country == "PE"
    assert batch.counts == {"create": 36}
    # Each figure's history names the file and its row; the entry is compact (its values are the kept row).
    value = Value.objects.get(campaign=campaign, unit_key=rows[4]["unit"], indicator__code=rows[4]["indicator"])
    entry = ChangeLog.objects.get(object_id=value.pk, content_type__model="value")
    assert (entry.batch, entry.row, entry.after) == (batch, 6, None)
    history = client.get("/en/platform/changes/", {"model": "stats.value", "object_id": value.pk})
    assert "from all.csv, row 6" in page_text(history)
    # The importer may undo it while nothing has changed since.
    batches.undo_batch(batch, user=network_manager_pe)
    assert not Value.objects.filter(campaign=campaign).exists()


def test_a_bulk_update_logs_only_what_changed(campaign, coordinator_pe, peru):  # noqa: F811
    visits = Indicator.objects.get(code="visits")
    save_many(coordinator_pe, campaign, [(Unit(peru), Entry(visits, "public", 100, row=2))])
    save_many(coordinator_pe, campaign, [(Unit(peru), Entry(visits, "public", 120, row=7))], filename="second.csv")
    entry = ChangeLog.objects.get(action="update")
    assert (entry.before, entry.after, entry.row, entry.batch.filename) == ({"value": 100.0}, {"value": 120.0}, 7,
                                                                             "second.csv")


def test_the_rules_run_once_for_a_read_file_and_always_for_other_callers(monkeypatch, network_manager_pe,
                                                                       campaign, libraries):  # noqa: F811
    from sirbi.stats.campaigns import rules, services
    from sirbi.stats.campaigns.spreadsheets import read_scope_upload, template_csv

    units = {u.key: u for u in services.units_for(network_manager_pe, campaign, limit=None)}
    rows = csv_rows(template_csv(campaign, list(units.values()), "en"))
    for row in rows:
        row["value"] = "4"
    pairs = read_scope_upload(write_csv(rows), "all.csv", campaign, units)  # the reader applies the rules
    checked = rules.figure_problems
    calls = []
    monkeypatch.setattr(rules, "figure_problems", lambda *args, **kwargs: calls.append(1) or checked(*args, **kwargs))
    assert save_many(network_manager_pe, campaign, pairs)["created"] == 36 and calls == []
    # A list that no reader checked (another door, or the reader's entries given as a plain list) is checked.
    unit, entry = pairs[0]
    entry.source = "rumour"
    with pytest.raises(services.FigureErrors), translation.override("en"):
        save_many(network_manager_pe, campaign, [(unit, entry)])
    assert calls
