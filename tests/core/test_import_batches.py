"""An import is one batch: its file kept once, one compact change-log entry per object, and an undo while nothing
has changed since. The importers' own tests check that each writes through here; these check the kernel."""

import sqlite3

import pytest
from django.db import connection
from django.utils import translation

from sirbi.core import batches
from sirbi.core.changelog import BatchLog, history, save_object, snapshot_values
from sirbi.core.models import ChangeLog, ImportBatch, KeptFile
from sirbi.registry.models import Library

from ..conftest import make_user

FILE = b"isil,name,country\nPE-NEW01,Biblioteca de Arequipa,PE\nPE-CUS01,Biblioteca Central de Cusco,PE\n"


def values_of(library):
    return {attname: getattr(library, attname) for attname in [f.attname for f in Library._meta.concrete_fields]}


def import_file(user, peru, cusco_library, data=FILE):
    """What an importer does: open a batch, write the objects, log each compactly, close with the counts."""
    batch = batches.open_batch(user=user, kind="libraries", filename="libraries-2026.csv", data=data,
                               message="spring update", country="PE")
    log = BatchLog(batch, Library)
    created = Library.objects.create(name="Biblioteca de Arequipa", isil="PE-NEW01", country=peru, type="public",
                                     locality="Arequipa")
    log.created(created.pk, created.name, "PE", 2)
    before = cusco_library.snapshot()
    cusco_library.name = "Biblioteca Central de Cusco"
    cusco_library.version += 1
    cusco_library.save()
    log.updated(cusco_library.pk, cusco_library.name, "PE", 3, before,
                snapshot_values(Library, values_of(cusco_library), {"networks": []}))
    log.write()
    batches.close_batch(batch, create=1, update=1, unchanged=0)
    return batch, created


def test_an_import_keeps_its_file_once_and_logs_each_object_compactly(coordinator_pe, peru, cusco_library):
    batch, created = import_file(coordinator_pe, peru, cusco_library)
    assert batch.file.read() == FILE
    assert batch.counts == {"create": 1, "update": 1}
    creation = history(created).get()
    assert (creation.action, creation.batch, creation.row, creation.before, creation.after) == (
        "create", batch, 2, None, None)
    assert creation.user_name == "coord_pe" and creation.source == "import" and creation.country == "PE"
    update = history(cusco_library).get()
    # Only what changed, before and after.
    assert update.before == {"name": "Biblioteca de Cusco"}
    assert update.after == {"name": "Biblioteca Central de Cusco"}
    assert [row["name"] for row in update.changed_fields()] == ["name"]
    again = batches.open_batch(user=coordinator_pe, kind="libraries", filename="copy.csv", data=FILE)
    assert again.file_id == batch.file_id and KeptFile.objects.count() == 1


def test_undo_deletes_what_was_created_and_restores_what_was_changed(coordinator_pe, peru, cusco_library):
    batch, created = import_file(coordinator_pe, peru, cusco_library)
    undo = batches.undo_batch(batch, user=coordinator_pe)
    assert not Library.objects.filter(pk=created.pk).exists()
    cusco_library.refresh_from_db()
    assert cusco_library.name == "Biblioteca de Cusco"
    assert cusco_library.version == 3
    assert "cusco" in cusco_library.search_text and "central" not in cusco_library.search_text
    assert undo.undoes == batch and undo.counts == {"delete": 1, "update": 1}
    restored = history(cusco_library).first()
    assert (restored.batch, restored.action, restored.source) == (undo, "update", "undo")
    assert restored.after == {"name": "Biblioteca de Cusco"}
    deletion = ChangeLog.objects.get(batch=undo, action="delete")
    assert deletion.object_id == created.pk and deletion.row == 2
    with translation.override("en"), pytest.raises(batches.UndoRefused, match="already undone"):
        batches.undo_batch(batch, user=coordinator_pe)
    with translation.override("en"), pytest.raises(batches.UndoRefused, match="cannot itself be undone"):
        batches.undo_batch(undo, user=coordinator_pe)


def test_undo_is_refused_when_an_object_changed_since(coordinator_pe, secretary, peru, cusco_library):
    batch, created = import_file(coordinator_pe, peru, cusco_library)
    created.phone = "054 123"
    save_object(created, user=secretary)
    with translation.override("en"), pytest.raises(batches.UndoRefused) as refusal:
        batches.undo_batch(batch, user=secretary)
    assert "Biblioteca de Arequipa" in str(refusal.value) and "secretary" in str(refusal.value)
    # Nothing was written.
    assert Library.objects.filter(pk=created.pk).exists()
    assert not ImportBatch.objects.filter(undoes=batch).exists()
    cusco_library.refresh_from_db()
    assert cusco_library.name == "Biblioteca Central de Cusco"


def test_only_the_secretariat_or_the_importer_may_undo(coordinator_pe, coordinator_cl, peru, cusco_library):
    batch, _created = import_file(coordinator_pe, peru, cusco_library)
    with translation.override("en"):
        assert "coord_pe" in batches.undo_refusal(coordinator_cl, batch)
    # The importer whose role no longer covers Peru may not either.
    coordinator_pe.role_assignments.update(country="CL")
    coordinator_pe = type(coordinator_pe).objects.get(pk=coordinator_pe.pk)
    with translation.override("en"):
        assert "no longer covers" in batches.undo_refusal(coordinator_pe, batch)


def test_an_undo_that_would_delete_dependent_objects_is_refused(secretary, peru, cusco_library):
    from sirbi.stats.models import Indicator, Value

    batch, created = import_file(secretary, peru, cusco_library)
    Value.objects.create(indicator=Indicator.objects.get(code="visits"), typology="public", country=peru,
                         library=created, year=2024, value=3, source="survey", status="published")
    with translation.override("en"), pytest.raises(batches.UndoRefused, match="would also delete what was added since"):
        batches.undo_batch(batch, user=secretary)
    assert Library.objects.filter(pk=created.pk).exists()


def test_the_batch_page_lists_the_changes_and_undoes_for_the_importer(coordinator_pe, peru, cusco_library,
                                                                       as_user):
    batch, created = import_file(coordinator_pe, peru, cusco_library)
    client = as_user(coordinator_pe)
    with translation.override("en"):
        page = client.get(f"/en/platform/changes/imports/{batch.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "libraries-2026.csv" in text and "Biblioteca de Arequipa" in text and "row 3" in text
    assert "Undo this import" in text
    assert client.get(f"/en/platform/changes/imports/{batch.pk}/file/").content == FILE
    response = client.post(f"/en/platform/changes/imports/{batch.pk}/undo/")
    assert response.status_code == 302
    assert not Library.objects.filter(pk=created.pk).exists()


def test_a_large_import_page_offers_the_undo_and_says_why_not_when_pressed(coordinator_pe, secretary, peru,
                                                                           cusco_library, as_user, monkeypatch):
    """Past PAGE_CHECK_ENTRIES the page does not read every entry to decide on the button: the undo itself says."""
    batch, created = import_file(coordinator_pe, peru, cusco_library)
    created.phone = "054 123"
    save_object(created, user=secretary)
    client = as_user(coordinator_pe)
    page = f"/en/platform/changes/imports/{batch.pk}/"
    with translation.override("en"):
        assert "Undo this import" not in client.get(page).content.decode()  # small: checked before it is offered
        monkeypatch.setattr(batches, "PAGE_CHECK_ENTRIES", 1)
        assert "Undo this import" in client.get(page).content.decode()
        answer = client.post(f"{page}undo/", follow=True).content.decode()
    assert "was changed after this import" in answer
    assert batches.undone_by(batch) is None and Library.objects.filter(pk=created.pk).exists()


def test_the_history_of_an_imported_object_points_at_its_file_and_row(coordinator_pe, peru, cusco_library,
                                                                     as_user):
    batch, created = import_file(coordinator_pe, peru, cusco_library)
    page = as_user(coordinator_pe).get(f"/en/registry/libraries/{created.pk}/").content.decode()
    assert "from libraries-2026.csv, row 2" in page
    assert f"/platform/changes/imports/{batch.pk}/" in page
    public = as_user(None).get(f"/en/registry/libraries/{created.pk}/").content.decode()
    assert "from libraries-2026.csv, row 2" in public
    assert f"/platform/changes/imports/{batch.pk}/" not in public  # the batch page is for members


def test_who_reads_a_batch_and_its_file(coordinator_pe, coordinator_cl, secretary, peru, cusco_library, as_user):
    batch, _created = import_file(coordinator_pe, peru, cusco_library)
    reader = make_user("someone")
    url = f"/en/platform/changes/imports/{batch.pk}/"
    assert as_user(None).get(url).status_code == 302  # to sign in
    assert as_user(reader).get(url).status_code == 403
    # Chile's coordinator neither lists nor opens Peru's imports (nor their file, nor their undo).
    assert as_user(coordinator_cl).get(url).status_code == 404
    assert as_user(coordinator_cl).get(url + "file/").status_code == 404
    assert as_user(coordinator_cl).post(url + "undo/").status_code == 404
    assert not ImportBatch.objects.filter(undoes=batch).exists()
    assert as_user(secretary).get(url + "file/").status_code == 200
    listing = as_user(coordinator_cl).get("/en/platform/changes/imports/").content.decode()
    assert "libraries-2026.csv" not in listing  # Chile's coordinator lists Chile's and their own imports
    assert "libraries-2026.csv" in as_user(secretary).get("/en/platform/changes/imports/").content.decode()


def test_an_undo_that_would_change_objects_linking_to_a_created_one_is_refused(secretary, peru, cusco_library):
    from sirbi.cooperation.models import GoodPractice

    batch, created = import_file(secretary, peru, cusco_library)
    practice = GoodPractice.objects.create(title="Lectura en la plaza", summary="…", country=peru, library=created)
    with translation.override("en"), pytest.raises(batches.UndoRefused, match="refers to what this import created"):
        batches.undo_batch(batch, user=secretary)
    practice.refresh_from_db()
    assert practice.library == created


def test_an_undo_never_puts_an_object_back_outside_the_users_role(coordinator_pe, peru, chile, cusco_library):
    """Peru's coordinator imported a file that moved a library from Chile to Peru while also coordinating Chile;
    with the Chile role gone, the undo would move it back into Chile: refused, nothing written."""
    from sirbi.core.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=coordinator_pe, role=Role.COORDINATOR, country="CL")
    library = Library.objects.create(name="Biblioteca de Arica", country=chile, type="public", locality="Arica")
    batch = batches.open_batch(user=coordinator_pe, kind="libraries", filename="move.csv", data=b"x")
    before = library.snapshot()
    library.country, library.version = peru, library.version + 1
    library.save()
    log = BatchLog(batch, Library)
    log.updated(library.pk, library.name, "PE", 2, before, library.snapshot())
    log.write()
    RoleAssignment.objects.filter(user=coordinator_pe, country="CL").delete()
    coordinator_pe = type(coordinator_pe).objects.get(pk=coordinator_pe.pk)
    with translation.override("en"), pytest.raises(batches.UndoRefused, match="Chile"):
        batches.undo_batch(batch, user=coordinator_pe)
    library.refresh_from_db()
    assert library.country == peru


def test_the_changes_api_says_which_import_and_row_an_entry_came_from(coordinator_pe, peru, cusco_library, as_user):
    batch, created = import_file(coordinator_pe, peru, cusco_library)
    rows = as_user(coordinator_pe).get("/api/v1/changes/", {"object_id": created.pk}).json()["results"]
    assert [(row["batch"], row["row"]) for row in rows] == [(batch.pk, 2)]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="lowers SQLite's limit of bound parameters")
def test_a_large_import_undoes_past_the_databases_limit_of_parameters(coordinator_pe, peru):
    """A stock SQLite allows 32,766 bound parameters (PostgreSQL 65,535): undoing an import of more objects than
    that must not list their ids in one query. Here the limit is lowered to 999 and the import has 1,200 rows."""
    batch = batches.open_batch(user=coordinator_pe, kind="libraries", filename="big.csv", data=b"many", country="PE")
    created = Library.objects.bulk_create(
        [Library(name=f"Biblioteca {n}", country=peru, type="public", locality="Ica") for n in range(1200)])
    log = BatchLog(batch, Library)
    for row, library in enumerate(created, 2):
        log.created(library.pk, library.name, "PE", row)
    log.write()
    batches.close_batch(batch, create=len(created))
    connection.ensure_connection()
    sqlite = connection.connection
    limit = sqlite.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    sqlite.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        undo = batches.undo_batch(batch, user=coordinator_pe)
    finally:
        sqlite.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    assert undo.counts == {"delete": 1200}
    assert not Library.objects.filter(locality="Ica").exists()
